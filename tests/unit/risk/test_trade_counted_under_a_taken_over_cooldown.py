"""Each trade counted during a trade_frequency_limit cooldown has its line in history, also when
another rule's lockout has taken the account's lock over meanwhile (docs/rules.md section 6:
"Each trade counted during a cooldown has its line in history (and in its step's alert)").

Fresh-user trial 22c: 1002 in a per-minute cooldown (3 trades of 3, the last buy still open);
riskd's daily_unrealized_loss close held at the broker (`sim fail Position/closeContract
--status 200 --delay 3`); the trader's sell of 2 at a loss past cooldown_after_loss's 200 tier
(its 15-minute cooldown extends the account's lock); the held close then buys 1. `status`
counted the sell (trades 7 -> 8), but no trade_frequency_limit line came, in history or the log:
the account's timer lock is one lockout whichever rule extends it, and trade_frequency_limit had
been noted under it already (its first breach), so its next breach read as a repeat.

The broker's Trade, Position and Order events of each fill in any order, sometimes twice, the
close's and the flatten's results anywhere they can come (a hypothesis draw, as the other whose
tests). The shipped rules (etc/riskd.toml)."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from shared.messages.market import Quote
from tests.unit.risk.desk import MNQ
from tests.unit.risk.test_reversed_close_beside_a_cooldown_flatten import play
from tests.unit.risk.test_reversed_during_held_close import NS, SETTINGS, Broker

FOURTH = "4 trades this minute reached the limit of 3"


def in_a_cooldown_with_a_held_close():
    """Buy, sell, buy in a minute (the 3rd starts the cooldown; long 1 stays open); the price
    past daily_unrealized_loss: riskd's close, held at the broker."""
    b = Broker()
    for qty, pnl in ((1, None), (-1, "0"), (1, None)):
        for ev in b.fill(qty, pnl):
            b.feed(ev)
        b.now += NS
    assert [lk.rule for lk in b.engine.lockouts.all()] == ["trade_frequency_limit"]
    mark = len(b.outs)
    b.feed(Quote(contract_id=MNQ, ts_ns=b.now, last=Decimal(20880)))
    [cmd] = [c for o in b.outs[mark:] for c in o.commands]
    assert (cmd.action, cmd.rule) == ("close_position", "daily_unrealized_loss")
    b.feed(Quote(contract_id=MNQ, ts_ns=b.now, last=Decimal(21000)))
    b.now += 2 * NS
    return b, cmd


@SETTINGS
@given(data=st.data())
def test_the_4th_trade_has_its_line_under_cooldown_after_loss_s_lock(data):
    b, cmd = in_a_cooldown_with_a_held_close()
    mark = len(b.outs)
    sell = b.fill(-2, "-240")           # the trader's, at a loss past the 200 tier: 4th trade
    b.now += 1 * NS
    buy = b.fill(1, "0")                # riskd's held close, on the reversed position
    play(b, data, cmd, sell, buy)
    assert b.account.trades_today == 4
    lines = [d.reason for o in b.outs[mark:] for d in o.decisions
             if d.rule == "trade_frequency_limit"]
    assert len(lines) == 1 and lines[0].startswith(FOURTH), "\n".join(lines)
