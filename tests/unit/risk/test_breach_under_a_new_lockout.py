"""A rule's breach under a lockout is recorded once per lockout, not once per lockout key: a
lockout that ended (an admin's unlock) leaves nothing behind for the next one of the same kind.

Fresh-user trial 2026-12-06 (trial13a, finding 3): cooldown_after_loss locked Demo 1 for 15
minutes and flattened; an admin unlocked it; later the trader's 10th trade of the hour locked
it again (trade_frequency_limit, a timer: the same lockout key). Holding 5 MNQ, the trader's
own stop gapped: its closing fill lost 957.50, past cooldown_after_loss's top tier (300: 30
minutes, flatten). History, risk's log and the alert had daily_net_loss's flatten and
daily_realized_loss's "adds nothing", and nothing for cooldown_after_loss: risk took the
breach as already recorded, and its flatten as already sent, under the new lockout, because
the ended cooldown's were still on the key's books (RULES.md: each breach records; actions
are never dropped).

The shipped rules (etc/riskd.toml, account 1001), with an injected clock; the stop's fill in
every order of its Trade, Position, Order and Account events.
"""
from __future__ import annotations

import pytest

from services.notify.templates import Context, build
from shared.config.load import load_config
from shared.messages.risk import FLATTEN
from shared.messages.market import AccountUpdate
from tests.unit.risk.desk import CHI, MNQ, NQ, SHIPPED, chi, shipped_engine
from tests.unit.risk.test_both_loss_lines_one_fill import (ACCOUNT, NS, ORDERS, START,
                                                           TRADE_FIRST, Broker)


def the_stop_after_an_unlock(order):
    """(the cooldown_after_loss records of the stop's fill, every record of it, the engine)."""
    now = chi(2026, 11, 25, 9, 0)
    engine = shipped_engine(load_config(SHIPPED), now)
    broker = Broker(engine, now)
    broker.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1", balance=START,
                              can_trade=True))
    broker.price(NQ, "20000")
    broker.price(MNQ, "21000")
    broker.fill(NQ, 1, "20000", None, 1, "20000")               # trade 1
    broker.now += NS
    broker.fill(NQ, -1, "19993.75", "-125", 0, "0")             # trade 2: tier 100, 5m
    [flatten] = [c for o in broker.outs for c in o.commands]
    assert (flatten.rule, flatten.action) == ("cooldown_after_loss", FLATTEN)
    broker.done([flatten])
    out, refused = engine.unlock(ACCOUNT, None, "admin:root", "trial", broker.now)
    assert not refused and not engine.lockouts.all()
    # trades 3 to 10, 35 s apart (never 3 in a minute): the 10th locks for 30 minutes
    broker.now += 30 * NS
    held = 0
    for qty in (1, -1, 1, -1, 1, -1, 1, 4):
        broker.now += 35 * NS
        pnl = "0" if qty < 0 else None
        held += qty
        broker.fill(MNQ, qty, "21000", pnl, held, "21000")
    [lock] = engine.lockouts.all()
    assert (lock.rule, lock.kind, lock.until_ns) == ("trade_frequency_limit", "timer",
                                                    broker.now + 1800 * NS)
    # the trader's stop gaps: 5 MNQ sold 95.75 points lower (trade 11)
    broker.now += 10 * NS
    before = len(broker.outs)
    broker.fill(MNQ, -5, "20904.25", "-957.50", 0, "0", order=order)
    records = [d for o in broker.outs[before:] for d in o.decisions]
    return [d for d in records if d.rule == "cooldown_after_loss"], records, engine


@pytest.mark.parametrize("order", ORDERS, ids="-".join)
def test_a_cooldown_past_its_top_tier_under_a_new_lockout_is_recorded_once(order):
    cooldown, records, engine = the_stop_after_an_unlock(order)
    assert len(cooldown) == 1, records
    [d] = cooldown
    assert str(d.value) == "-959.35" and str(d.limit) == "-300", d       # 957.50 + 1.85 fees
    # daily_net_loss's flatten, decided on the same fill, is on its way: not sent twice
    assert d.suppressed and d.what.startswith("flatten not sent"), d.what
    assert "daily_net_loss" in d.what, d.what
    alert = build(d, Context(tz=CHI, accounts={ACCOUNT: "Demo 1"}))
    assert "value -959.35 vs limit -300.00" in alert.lines, alert.lines
    assert sorted(r.rule for r in records if not r.suppressed) == ["daily_net_loss"]


def test_every_order_records_as_the_trade_first_order():
    def shape(records):
        return sorted((d.rule, d.action, d.suppressed.split(":")[0]) for d in records)
    _, ref, _ = the_stop_after_an_unlock(TRADE_FIRST)
    assert "cooldown_after_loss" in {d.rule for d in ref}
    for order in ORDERS:
        _, records, _ = the_stop_after_an_unlock(order)
        assert shape(records) == shape(ref), order
