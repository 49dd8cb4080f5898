"""The trader's reversing sell at a loss during riskd's held close starts cooldown_after_loss's
flatten; riskd's close, carried out on the reversed position, is still riskd's, never the
trader's trade (docs/rules.md "Whose trade it is").

check22 (repeating fresh-user trial 22c's finding 2 on main 16f94509): 1002 long MNQ 1, `sim fail
Position/closeContract --status 200 --delay 4`, the price past daily_unrealized_loss (riskd's
close, held), the trader's sell of 2 at a loss of 219 (cooldown_after_loss's 200 tier, flatten =
true: a flatten decided while the close is in flight), then the broker carries the held close
out as a buy of 1. The close's result named that buy's order (its reversed order), the
flatten's found the account flat; yet the buy was stored as the trader's and counted: `status`
trades 0 -> 3 and "3 trades this minute reached the limit of 3" (2 tries of 2). The flatten's
expectation took the buy (claimed) and its result, naming no order, gave it to the trader.

The broker's Trade, Position and Order events of each fill in any order (a hypothesis draw, as
the other whose tests), sometimes twice; the two results anywhere they can come (the flatten's
once it was decided). The shipped rules (etc/riskd.toml)."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shared.messages.enforce import CommandResult
from tests.unit.risk.test_reversed_during_held_close import NS, SETTINGS, Broker, shuffled

ACCOUNT = 1001


def flatten_of(b):
    return [c for o in b.outs for c in o.commands if c.action == "flatten"
            and c.rule == "cooldown_after_loss"]


def play(b, data, cmd, sell, buy) -> None:
    """The trader's sell and riskd's held buy, their events in a drawn order, the held close's
    result (naming the buy) anywhere, cooldown_after_loss's flatten result (naming no order)
    anywhere after the sell's Trade that decides it; then a tick."""
    events = shuffled(data, sell, "sell") + shuffled(data, buy, "buy")
    events.insert(data.draw(st.integers(0, len(events)), label="close result at"), "close")
    first = events.index(sell[0])       # the sell's Trade decides the flatten
    events.insert(data.draw(st.integers(first + 1, len(events)), label="flatten result at"),
                  "flatten")
    for ev in events:
        if ev == "close":
            b.result(cmd, orders=[buy])
        elif ev == "flatten":
            [flat] = flatten_of(b)
            b.outs.append(b.engine.on_result(CommandResult(
                command_id=flat.id, account_id=ACCOUNT, status="done", action=flat.action,
                rule=flat.rule, orders_known=True, close_orders=[]), b.now))
        else:
            b.feed(ev)
    b.engine.tick(b.now)


@SETTINGS
@given(data=st.data())
def test_the_held_close_on_the_reversed_position_stays_riskds_beside_the_flatten(data):
    b = Broker()
    cmd = b.held_close()
    sell = b.fill(-2, "-240")           # the trader's, at a loss past the 200 tier: a flatten
    b.now += 1 * NS
    buy = b.fill(1, "0")                # riskd's held close: closes what is open now
    play(b, data, cmd, sell, buy)
    assert b.whose(sell) is False       # the trader's sell of 2: one trade
    assert b.whose(buy) is True         # riskd's close, never the trader's trade
    assert b.account.trades_today == 2  # the buy of 1 and the sell of 2
    assert [lk for lk in b.frequency_lockouts()] == []
