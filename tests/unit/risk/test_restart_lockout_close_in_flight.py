"""A restart while lockout enforcement's close of a buy made while locked is in flight records
nothing new for that buy.

Fresh-user trial19a, section 3: Demo 1 in trade_frequency_limit's cooldown, flat; the trader
bought 1 MNQ; risk decided lockout enforcement's close (its "🔒 Lockout enforced" alert, its
history line, its LAST ACTIONS row) and the sim held that close. risk was killed -9 four
seconds later; the restarted risk read market's snapshot (MNQ long 1, opened while locked) as
a new buy while locked and recorded it a second time ("nothing sent: left to riskd's cut in
flight, which closes MNQ"): a second alert, a second history line and a second row, read by the
trader as a second buy (docs/rules.md: each buy made while locked gets its own line).

Two risk processes share one store, the way the worker runs them (engine step, then commit):
the first locks, takes the buy and issues the close; the second, restarted, gets market's
complete snapshot (the position still open, or already closed by the released close with its
fill) and the close's result, in either order, and the close's fill and Position event when
they come after. It must record no decision, send no command and take no trade twice. The rules
are the shipped ones (etc/riskd.toml), nothing changed.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from shared.messages.enforce import DONE, CloseOrder, CommandResult
from shared.messages.market import (POSITION_LONG, SIDE_BUY, SIDE_SELL, AccountUpdate, Fill,
                                    MarketSnapshot, PositionUpdate, Quote)
from tests.unit.risk import test_restart_in_flight as restarted
from tests.unit.risk.desk import MNQ, NS, chi

ACCOUNT = 1001
T0 = chi(2026, 11, 25, 9, 0)                 # a Wednesday morning
BALANCE = Decimal(50_000)


def account() -> AccountUpdate:
    return AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=BALANCE, can_trade=True)


def position(size: int, created_ns: int, position_id: int) -> PositionUpdate:
    return PositionUpdate(account_id=ACCOUNT, position_id=position_id, contract_id=MNQ,
                          ts_ns=created_ns, type=POSITION_LONG if size else 0, size=size,
                          average_price=Decimal("21000.25"))


def fill(trade_id: int, ts_ns: int, side: int, order_id: int, pnl=None) -> Fill:
    return Fill(account_id=ACCOUNT, trade_id=trade_id, contract_id=MNQ, ts_ns=ts_ns,
                price=Decimal("21000.25"), pnl=None if pnl is None else Decimal(pnl),
                fees=Decimal("0.37"), side=side, size=1, order_id=order_id)


def snapshot(positions, fills, seq: int) -> MarketSnapshot:
    return MarketSnapshot(seq=seq, epoch=seq, complete=True, accounts=[account()],
                          positions=positions, orders=[], fills=fills,
                          quotes=[Quote(contract_id=MNQ, ts_ns=T0, last=Decimal("21000.25"))])


class Risk(restarted.Risk):
    """One risk process (test_restart_in_flight's), whose close's result names its order."""

    def result(self, command_id: str, status=DONE):
        cmd = self.engine.outbox.entries[command_id].command
        return self.step(self.engine.on_result(CommandResult(
            command_id=command_id, account_id=ACCOUNT, status=status, action=cmd.action,
            rule=cmd.rule, detail="MNQ closed", orders_known=True,
            close_orders=[CloseOrder(order_id=777, contract_id=MNQ, side=SIDE_SELL, size=1)]),
            self.now))

    def commands(self):
        return [c for o in self.outs for c in o.commands]


def locked_buy_closing(data_dir: str, events: str):
    """Two round trips in a minute: the 3rd trade starts trade_frequency_limit's cooldown;
    then a buy while locked, its events in the order `events` names (its Trade, its Position;
    "trade": killed before its Position came), and lockout enforcement's close of it in
    flight, held at the broker. Returns (the close's command id, the buy's Position, the fills
    so far, when risk stopped)."""
    first = Risk(data_dir, T0, "a")
    first.sync(snapshot([], [], seq=1))
    fills = []
    tid = 1
    for side, size in ((SIDE_BUY, 1), (SIDE_SELL, 0), (SIDE_BUY, 1), (SIDE_SELL, 0)):
        first.now += NS
        f = fill(tid, first.now, side, 100 + tid, pnl=None if side == SIDE_BUY else "0")
        first.feed(f)
        first.feed(position(size, T0 + tid * NS, position_id=tid))
        fills.append(f)
        tid += 1
    [lock] = first.engine.lockouts.all()
    assert lock.rule == "trade_frequency_limit"
    first.now += 2 * NS
    buy = fill(tid, first.now, SIDE_BUY, 100 + tid)
    bought = position(1, first.now, position_id=tid)
    for item in events.split("-"):
        first.feed(buy if item == "trade" else bought)
    fills.append(buy)
    cuts = [d for d in first.decisions() if d.rule == "lockout"]
    assert [(d.action, bool(d.suppressed)) for d in cuts] == [("close_position", False)], cuts
    [close] = [c for c in first.commands() if c.rule == "lockout"]
    first.now += 4 * NS
    first.stop()                                    # kill -9: no result read
    return close.id, bought, fills, first.now


EVENTS = ["trade-position", "position-trade", "trade"]


@pytest.mark.parametrize("events", EVENTS)
@pytest.mark.parametrize("closed_at_snapshot", [False, True],
                         ids=["snapshot-still-long", "snapshot-flat"])
@pytest.mark.parametrize("result_first", [False, True], ids=["snapshot-first", "result-first"])
def test_the_restarted_risk_records_nothing_new_for_the_buy_its_predecessor_closes(
        tmp_path, closed_at_snapshot, result_first, events):
    close_id, bought, fills, then = locked_buy_closing(str(tmp_path), events)
    second = Risk(str(tmp_path), then + 2 * NS, "b")
    assert close_id in second.engine.outbox.entries          # reloaded: in flight again
    sold = fill(99, second.now, SIDE_SELL, 777, pnl="-0.50")
    flat = position(0, bought.ts_ns, bought.position_id)
    snap = (snapshot([], fills + [sold], seq=2) if closed_at_snapshot
            else snapshot([bought], fills, seq=2))
    if result_first:
        second.result(close_id)
        second.now += NS // 10
        second.sync(snap)
    else:
        second.sync(snap)
        second.now += NS // 10
        second.result(close_id)
    if not closed_at_snapshot:
        second.now += NS // 10
        second.feed(sold)
        second.feed(flat)
    second.now += NS
    second.step(second.engine.tick(second.now))
    assert [(d.rule, d.action, d.suppressed) for d in second.decisions()] == []
    assert second.commands() == []
    acct = second.engine.accounts[ACCOUNT]
    assert acct.signed(MNQ) == 0
    second.stop()


@pytest.mark.parametrize("events", EVENTS)
def test_a_buy_after_the_restart_is_still_its_own_line(tmp_path, events):
    """The other side: what the trader buys after the restart, while that close is still held,
    is a buy of its own: cut on its own, as the risk that was not restarted cuts it (a reduce
    of the contract added)."""
    close_id, bought, fills, then = locked_buy_closing(str(tmp_path), events)
    second = Risk(str(tmp_path), then + 2 * NS, "b")
    second.sync(snapshot([bought], fills, seq=2))
    assert second.decisions() == []
    second.now += NS
    again = fill(50, second.now, SIDE_BUY, 150)
    second.feed(again)
    second.feed(position(2, bought.ts_ns, bought.position_id))
    cuts = [(d.action, d.size, d.suppressed) for d in second.decisions() if d.rule == "lockout"]
    assert cuts == [("reduce_position", 1, "")], cuts
    assert [(c.rule, c.action) for c in second.commands()] == [("lockout", "reduce_position")]
    second.stop()


def test_a_position_reopened_while_risk_was_down_is_closed(tmp_path):
    """The record names the position it held: the broker's position on the contract now is
    another one (the close went through while risk was down and the trader bought again, a
    new id and opening time): it is new, and closed."""
    close_id, bought, fills, then = locked_buy_closing(str(tmp_path), "trade-position")
    second = Risk(str(tmp_path), then + 2 * NS, "b")
    second.result(close_id)
    sold = fill(99, then, SIDE_SELL, 777, pnl="-0.50")
    again = fill(100, then + NS, SIDE_BUY, 200)
    reopened = position(1, then + NS, position_id=bought.position_id + 1)
    second.sync(snapshot([reopened], fills + [sold, again], seq=2))
    cuts = [(d.action, bool(d.suppressed)) for d in second.decisions() if d.rule == "lockout"]
    assert cuts == [("close_position", False)], cuts
    assert [(c.rule, c.action) for c in second.commands()] == [("lockout", "close_position")]
    second.stop()
