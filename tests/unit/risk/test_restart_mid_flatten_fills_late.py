"""A buy risk never saw before it died, and the flatten's sell that closed it, reach the
restarted risk together: nothing was bought while locked, nothing is closed for it.

In-suite chaos test finding (2026-12-07, tests/chaos/test_chaos.py, account selflock under
load): the trader bought 2 NQ and locked themself out; risk decided the self-lockout's flatten
and was killed before it had committed the buy (market was restarting: the buy reached it in a
reconcile it never committed). The flatten ran (its close answered 500, applied), and the
restarted risk read market's reconcile: the buy of 2 (made before the lock) and the flatten's
sell of 2, live, with no NQ Position event (market, restarted too, had never held the
position). The fills' view kept "2 contracts opened" for the buy after the sell had closed
them, and the complete snapshot's check of trades made while locked (fills_left) took the sell's
time for theirs: "NQ position grew by 2 while account ... locked", a close of a position that
never was ("closed ... already flat", the suite's "an action ran twice"); had the trader's next
buy come first, that close would have been taken as its cut.

Two risk processes share one store, the way the worker runs them (test_restart_in_flight's rig).
The flatten's result and the two fills come in every order, the fills live or in the complete
snapshot. The rules are the shipped ones (etc/riskd.toml), nothing changed.
"""
from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from shared.messages.enforce import DONE, CloseOrder, CommandResult
from shared.messages.market import SIDE_BUY, SIDE_SELL, AccountUpdate, Fill, MarketSnapshot, Quote
from tests.unit.risk.desk import NQ, NS, chi
from tests.unit.risk.test_restart_in_flight import Risk

ACCOUNT = 1001
T0 = chi(2026, 11, 25, 9, 0)                 # a Wednesday morning
BALANCE = Decimal(50_000)


def account() -> AccountUpdate:
    return AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=BALANCE, can_trade=True)


def fill(trade_id: int, ts_ns: int, side: int, order_id: int, pnl=None) -> Fill:
    return Fill(account_id=ACCOUNT, trade_id=trade_id, contract_id=NQ, ts_ns=ts_ns,
                price=Decimal("21000"), pnl=None if pnl is None else Decimal(pnl),
                fees=Decimal("0.74"), side=side, size=2, order_id=order_id)


def snapshot(fills, complete: bool, seq: int) -> MarketSnapshot:
    return MarketSnapshot(seq=seq, epoch=seq, complete=complete, accounts=[account()],
                          positions=[], orders=[], fills=fills,
                          quotes=[Quote(contract_id=NQ, ts_ns=T0, last=Decimal("21000"))])


def orders():
    """The flatten's result, the buy's and the sell's Trades (live) and market's complete
    snapshot (holding the fills that came before it, or both), in every order."""
    for perm in itertools.permutations(("result", "buy", "sell", "snapshot")):
        if perm.index("buy") < perm.index("sell"):       # Trade events come in order
            yield "-".join(perm)


@pytest.mark.parametrize("orders_known", [True, False], ids=["orders-named", "orders-unknown"])
@pytest.mark.parametrize("order", list(orders()))
def test_the_restarted_risk_closes_nothing_and_counts_one_trade(tmp_path, order, orders_known):
    data_dir = str(tmp_path)
    first = Risk(data_dir, T0, "a")
    first.sync(snapshot([], complete=True, seq=1))
    bought = T0 + NS // 2                         # the buy, before the lock: never committed
    first.now += NS
    out, refused = first.engine.self_lock(ACCOUNT, first.now, session=True)
    assert not refused, refused
    first.step(out)
    [flatten] = [d for d in first.decisions() if d.action == "flatten"]
    locked_at = first.now
    first.stop()                                   # kill -9

    second = Risk(data_dir, locked_at + 2 * NS, "b")
    second.sync(snapshot([], complete=False, seq=2))        # market restarted too
    sold_at = locked_at + NS
    buy = fill(1, bought, SIDE_BUY, 101)
    sell = fill(2, sold_at, SIDE_SELL, 777, pnl="-10.00")
    seen = []
    for item in order.split("-"):
        second.now += NS // 10
        if item == "result":
            second.step(second.engine.on_result(CommandResult(
                command_id=f"{flatten.id}.1", account_id=ACCOUNT, status=DONE,
                action="flatten", rule="self_lockout", detail="flattened",
                orders_known=orders_known,
                close_orders=[CloseOrder(order_id=777, contract_id=NQ, side=SIDE_SELL, size=2)]
                if orders_known else []), second.now))
        elif item == "buy":
            second.feed(buy)
        elif item == "sell":
            second.feed(sell)
        elif item == "snapshot":
            second.sync(snapshot([buy, sell], complete=True, seq=3))
        seen.append(item)
    second.now += NS
    second.step(second.engine.tick(second.now))
    cuts = [(d.action, d.reason) for d in second.decisions() if d.rule == "lockout"]
    assert cuts == [], cuts
    acct = second.engine.accounts[ACCOUNT]
    assert acct.signed(NQ) == 0 and acct.exposure(NQ) == 0
    if orders_known or "result" not in order.split("-")[:2]:
        # the trader's buy only: the flatten's sell is riskd's (its order named in the result,
        # or the flatten still in flight when it came). Left open: the result first, naming no
        # order (enforcement's search failed), before the fills: nothing says the sell on a
        # contract the flatten had no exit for was its close (counted as the trader's)
        assert acct.trades_today == 1, [(f.trade_id, f.by_riskd) for f in acct.trades.values()]
    second.stop()
