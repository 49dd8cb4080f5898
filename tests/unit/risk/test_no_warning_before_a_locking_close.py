"""No warning comes from the step that decides a close whose fill locks the account to the
roll, nor from any event of that fill, in any order (docs/rules.md, warn_at: "nor does the
step that locks the account"): it comes when the lockout ends, if still due, with the
account's figure.

Trial23b finding 4: Demo 2, unlocked by the admin with realized about -240 (daily_realized_loss
300), held NQ long 1; market restarted with the price 68 points lower. In one instant
daily_unrealized_loss closed NQ (-340 open), "🟡 daily_net_loss at 97% of its limit: net
-579.04" went to the phone, and the close's fill then took realized to -580.44 (its fee 1.40
in), past daily_realized_loss's line: the account locked until the roll. The warning came from
the step that decided the close (the rules reading open PnL judge it; the net figure is the
same before and after the close but for the close's fee, which no quote can know), not from
the fill's step that locks (test_no_warning_from_a_locking_step.py holds that one back).

The shipped rules (etc/riskd.toml, account 1001: daily_realized_loss 500, daily_unrealized_loss
200, daily_net_loss 600, warn_at 0.8), an injected clock. A first loss of -300 (its cooldown
ended by an admin's unlock, as in the trial) makes the realized figure; then NQ long 1 falls
13 points: -260 open, past daily_unrealized_loss's 200 (riskd closes it), net -560 (93 % of
600: due), and the close's fill takes realized to -561.48, past -500.
"""
from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from shared.config.load import load_config
from shared.messages.enforce import CommandResult
from shared.messages.market import AccountUpdate
from tests.unit.risk.desk import NQ, SHIPPED, chi, shipped_engine
from tests.unit.risk.test_both_loss_lines_one_fill import ACCOUNT, NS, START, Broker, commands

LOADED = load_config(SHIPPED)
# the close's fill's four events and riskd's "done" of the close, in every order
EVENTS = ("trade", "position", "order", "account", "done")
ORDERS = list(itertools.permutations(EVENTS))


def warnings(outs):
    return [(w.rule, w.value) for o in outs for w in o.warnings]


def play(order, first_loss="-300", fall_to="19987", look=None):
    """A first loss (its cooldown ended by an admin's unlock), NQ long 1 at 20000, the price
    falls to `fall_to` (daily_unrealized_loss closes it), then the close's fill and its done
    in `order`: (engine, broker, the outcomes from the price's step on). look(engine,
    broker), when given, is called after the price's step and after each of those five."""
    look = look or (lambda _engine, _broker: None)
    now = chi(2026, 11, 25, 9, 0)
    engine = shipped_engine(LOADED, now)
    broker = Broker(engine, now)
    broker.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1", balance=START,
                              can_trade=True))
    broker.price(NQ, "20000")
    broker.fill(NQ, 1, "20000", None, 1, "20000")
    broker.fill(NQ, -1, str(20000 + Decimal(first_loss) / 20), first_loss, 0, "0")
    _out, refusal = engine.unlock(ACCOUNT, None, "admin:root", "trial", broker.now)
    assert refusal == "" and not engine.lockouts.all(), engine.lockouts.all()
    broker.now += 120 * NS                  # trade_frequency_limit's minute: not in play
    broker.fill(NQ, 1, "20000", None, 1, "20000")
    broker.now += NS
    before = len(broker.outs)
    broker.price(NQ, fall_to)                                    # the restarted market's price
    [close] = commands(broker.outs[before:])
    assert (close.action, close.rule) == ("close_position", "daily_unrealized_loss")
    look(engine, broker)
    fill_order = tuple(e for e in order if e != "done")
    done_after = order.index("done")          # of the fill's events fed before it
    fed = [0]
    feed = broker.feed

    def done():
        broker.done([close])
        look(engine, broker)

    def feed_and_done(event):
        if fed[0] == done_after:
            done()
        fed[0] += 1
        feed(event)
        look(engine, broker)
    broker.feed = feed_and_done
    broker.fill(NQ, -1, fall_to, str((Decimal(fall_to) - 20000) * 20), 0, "0",
                order=fill_order)
    if done_after == len(fill_order):
        done()
    return engine, broker, broker.outs[before:]


@pytest.mark.parametrize("order", ORDERS, ids="-".join)
def test_no_warning_from_the_close_to_its_locking_fill_in_any_order(order):
    engine, broker, outs = play(order)
    assert broker.realized == Decimal("-561.48")
    # and cooldown_after_loss's timer for the close's loss, as ever
    assert ("daily_realized_loss", "until_reset") in \
        [(lk.rule, lk.kind) for lk in engine.lockouts.all()], engine.lockouts.all()
    assert warnings(outs) == [], warnings(outs)


@pytest.mark.parametrize("order", [EVENTS, EVENTS[::-1]], ids="-".join)
def test_the_warning_comes_when_the_lockout_ends_with_the_accounts_figure(order):
    """Held back, it stays due: the unlock gives it, with the account's net (the close's fee
    in: -561.48, where the price step's reading was -560.74)."""
    engine, broker, _outs = play(order)
    out, refusal = engine.unlock(ACCOUNT, None, "admin:root", "x", broker.now)
    assert refusal == ""
    said = [w for w in out.warnings if w.rule == "daily_net_loss"]
    assert [w.value for w in said] == [Decimal("-561.48")], out.warnings
    assert "net -561.48" in said[0].reason, said[0].reason


@pytest.mark.parametrize("order", [EVENTS, EVENTS[::-1]], ids="-".join)
def test_a_close_whose_fill_locks_nothing_still_warns_once(order):
    """realized -270.74, NQ -210 open (closed: past 200), net -481.11 (80 %, the buy's fee
    in): the fill takes realized to -481.48, short of -500: nothing locks to the roll, and
    the warning comes, once (daily_realized_loss's at 96 % with the fill, as ever: it says the
    cooldown that fill starts)."""
    engine, broker, outs = play(order, first_loss="-270", fall_to="19989.5")
    assert broker.realized == Decimal("-481.48")
    assert [lk.rule for lk in engine.lockouts.all()] == ["cooldown_after_loss"]
    assert [w[0] for w in warnings(outs)] == ["daily_net_loss", "daily_realized_loss"], \
        warnings(outs)
