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

The result first naming no order (enforcement's order search failed), then the buy and the
sell (whose21): the sell, on a contract the flatten had no exit for, was counted as the
trader's trade (the trader's next buy then the third of the minute: a wrongful cooldown). It
is riskd's now: made in the flatten's window (kept with riskd's saved state: also with a third
risk process started between the result and the fills), closing all there, no other order to
explain it. A sell of the trader's own stop order in that window stays the trader's.
"""
from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from shared.messages.enforce import DONE, CloseOrder, CommandResult
from shared.messages.market import (ORDER_STOP, SIDE_BUY, SIDE_SELL, STATUS_OPEN, AccountUpdate,
                                    Fill, MarketSnapshot, OrderUpdate, Quote)
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


def locked_mid_flatten(data_dir: str):
    """The first risk: the trader's self-lockout's flatten decided (no NQ in its book), then
    killed. Returns (the flatten's decision, the lock's time, when the buy was made)."""
    first = Risk(data_dir, T0, "a")
    first.sync(snapshot([], complete=True, seq=1))
    bought = T0 + NS // 2                         # the buy, before the lock: never committed
    first.now += NS
    out, refused = first.engine.self_lock(ACCOUNT, first.now, session=True)
    assert not refused, refused
    first.step(out)
    [flatten] = [d for d in first.decisions() if d.action == "flatten"]
    first.stop()                                   # kill -9
    return flatten, first.now, bought


def flatten_result(risk: Risk, flatten, orders_known: bool, order_id: int = 777):
    risk.step(risk.engine.on_result(CommandResult(
        command_id=f"{flatten.id}.1", account_id=ACCOUNT, status=DONE,
        action="flatten", rule="self_lockout", detail="flattened",
        orders_known=orders_known,
        close_orders=[CloseOrder(order_id=order_id, contract_id=NQ, side=SIDE_SELL, size=2)]
        if orders_known else []), risk.now))


def restarted_after_no_order_result(data_dir: str, again: bool):
    """locked_mid_flatten, then a restarted risk (market's snapshot incomplete) that hears the
    flatten's result naming no order; again: risk restarted once more after that result.
    (the risk, when the lock came, when the trader bought)."""
    flatten, locked_at, bought = locked_mid_flatten(data_dir)
    second = Risk(data_dir, locked_at + 2 * NS, "b")
    second.sync(snapshot([], complete=False, seq=2))
    second.now += NS // 10
    flatten_result(second, flatten, orders_known=False)
    if again:
        second.stop()
        second = Risk(data_dir, second.now + NS // 10, "c")
        second.sync(snapshot([], complete=False, seq=3))
    second.now += NS // 10
    return second, locked_at, bought


@pytest.mark.parametrize("again", [False, True], ids=["", "restart-after-result"])
@pytest.mark.parametrize("orders_known", [True, False], ids=["orders-named", "orders-unknown"])
@pytest.mark.parametrize("order", list(orders()))
def test_the_restarted_risk_closes_nothing_and_counts_one_trade(tmp_path, order, orders_known,
                                                                 again):
    """again: a third risk process takes over right after the result (the flatten's window
    read back from the store)."""
    data_dir = str(tmp_path)
    flatten, locked_at, bought = locked_mid_flatten(data_dir)
    second = Risk(data_dir, locked_at + 2 * NS, "b")
    second.sync(snapshot([], complete=False, seq=2))        # market restarted too
    sold_at = locked_at + NS
    buy = fill(1, bought, SIDE_BUY, 101)
    sell = fill(2, sold_at, SIDE_SELL, 777, pnl="-10.00")
    cuts = []
    for item in order.split("-"):
        second.now += NS // 10
        if item == "result":
            flatten_result(second, flatten, orders_known)
            if again:
                cuts += second.decisions()
                second.stop()
                second = Risk(data_dir, second.now + NS // 10, "c")
                second.sync(snapshot([], complete=False, seq=3))
        elif item == "buy":
            second.feed(buy)
        elif item == "sell":
            second.feed(sell)
        elif item == "snapshot":
            second.sync(snapshot([buy, sell], complete=True, seq=4))
    second.now += NS
    second.step(second.engine.tick(second.now))
    cuts = [(d.action, d.reason) for d in cuts + second.decisions() if d.rule == "lockout"]
    assert cuts == [], cuts
    acct = second.engine.accounts[ACCOUNT]
    assert acct.signed(NQ) == 0 and acct.exposure(NQ) == 0
    # the trader's buy only: the flatten's sell is riskd's (its order named in the result,
    # the flatten still in flight when it came, or, the result naming no order, made in the
    # flatten's window with nothing else to explain it)
    assert acct.trades_today == 1, [(f.trade_id, f.by_riskd) for f in acct.trades.values()]
    second.stop()


@pytest.mark.parametrize("again", [False, True], ids=["", "restart-after-result"])
def test_the_traders_own_stop_in_the_window_stays_the_traders(tmp_path, again):
    """The result first naming no order, then the trader's buy and the fill of the trader's
    own stop, placed before the lock (its Order event seen): the trader's trade, counted."""
    data_dir = str(tmp_path)
    second, locked_at, bought = restarted_after_no_order_result(data_dir, again)
    second.feed(fill(1, bought, SIDE_BUY, 101))
    second.feed(OrderUpdate(account_id=ACCOUNT, order_id=555, contract_id=NQ,
                            created_ns=bought + NS // 10, updated_ns=None, status=STATUS_OPEN,
                            type=ORDER_STOP, side=SIDE_SELL, size=2,
                            stop_price=Decimal("20995")))
    second.now += NS // 10
    second.feed(fill(2, locked_at + NS, SIDE_SELL, 555, pnl="-10.00"))
    acct = second.engine.accounts[ACCOUNT]
    assert acct.signed(NQ) == 0 and acct.exposure(NQ) == 0
    assert acct.trades_today == 2, [(f.trade_id, f.by_riskd) for f in acct.trades.values()]
    assert not acct.trades[2].by_riskd
    second.stop()


@pytest.mark.parametrize("again", [False, True], ids=["", "restart-after-result"])
def test_a_result_naming_its_orders_leaves_the_window_out(tmp_path, again):
    """The result first, its order search done and naming no NQ order: the facts say the sell
    is not the flatten's, whatever its window (also after a restart right after the result):
    the trader's trade, counted."""
    data_dir = str(tmp_path)
    flatten, locked_at, bought = locked_mid_flatten(data_dir)
    second = Risk(data_dir, locked_at + 2 * NS, "b")
    second.sync(snapshot([], complete=False, seq=2))
    second.now += NS // 10
    second.step(second.engine.on_result(CommandResult(
        command_id=f"{flatten.id}.1", account_id=ACCOUNT, status=DONE, action="flatten",
        rule="self_lockout", detail="flattened", orders_known=True, close_orders=[]),
        second.now))
    if again:
        second.stop()
        second = Risk(data_dir, second.now + NS // 10, "c")
        second.sync(snapshot([], complete=False, seq=3))
    second.now += NS // 10
    second.feed(fill(1, bought, SIDE_BUY, 101))
    second.feed(fill(2, locked_at + NS, SIDE_SELL, 777, pnl="-10.00"))
    acct = second.engine.accounts[ACCOUNT]
    assert acct.trades_today == 2, [(f.trade_id, f.by_riskd) for f in acct.trades.values()]
    second.stop()
