"""Which command named an order of its own on a contract (services/risk/exits.py named_on) is
saved with risk's state, in the commit of the result's step: a kill -9 of risk between a
flatten's result and a later cut's result decides as with no restart.

The trader, holding MNQ 1 and NQ 1, locks the account (its flatten goes out); before the
broker carries the flatten out the trader buys MNQ 1 more, and lockout enforcement cuts that
buy (a reduce by 1). The broker runs the flatten: its order sells MNQ 2 (all), and the
flatten's result names it. Risk is killed and started again (its book rebuilt from market's
snapshot: MNQ long 2, the flatten's fills not at market yet); the reduce's result names no
order (the flatten's order had closed MNQ). The flatten's order still fills both contracts:
MNQ ends flat, nothing is open. Before, named_on lived in memory only, and after the restart
only a command of one contract with an order of its own stood for the reduce's contract (the
flatten has two): the reduce's contract was taken as closed by nothing, MNQ read as 1 still
open, bought while locked.

Shipped rules (etc/riskd.toml), risk's engine and its SQLite store as the worker commits each
step; the buy's Trade and Position in either order.
"""
from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from services.risk.store import Store
from shared.messages.enforce import CloseOrder, CommandResult
from shared.messages.market import (POSITION_LONG, SIDE_BUY, SIDE_SELL, AccountUpdate, Fill,
                                    MarketSnapshot, PositionUpdate, Quote)
from shared.messages.risk import FLATTEN, REDUCE_POSITION
from tests.unit.risk.desk import MNQ, NQ, NS
from tests.unit.risk.engine_run import ACCOUNT
from tests.unit.risk.test_close_covered_until_its_fill import Run


def opened(r: Run) -> list:
    """MNQ and NQ long 1 each, and their fills, as market's snapshot lists them."""
    return [PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ,
                           ts_ns=r.start_ns, type=POSITION_LONG, size=1,
                           average_price=Decimal(21000)),
            PositionUpdate(account_id=ACCOUNT, position_id=6, contract_id=NQ,
                           ts_ns=r.start_ns, type=POSITION_LONG, size=1,
                           average_price=Decimal(20000))]


def fills(r: Run) -> list:
    return [Fill(account_id=ACCOUNT, trade_id=1, contract_id=MNQ, ts_ns=r.start_ns,
                 price=Decimal(21000), pnl=None, fees=Decimal("0.37"), side=SIDE_BUY, size=1),
            Fill(account_id=ACCOUNT, trade_id=2, contract_id=NQ, ts_ns=r.start_ns,
                 price=Decimal(20000), pnl=None, fees=Decimal("0.37"), side=SIDE_BUY, size=1)]


def result(r: Run, cmd, named: list) -> None:
    r.outs.append(r.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="done", detail="closed", attempts=1,
        broker_calls=1, started_ns=r.now, finished_ns=r.now, first_answer_ns=r.now,
        action=cmd.action, rule=cmd.rule, issued_ns=cmd.issued_ns, close_orders=named,
        orders_known=True), r.now))


def quotes(r: Run, mnq, nq):
    return [Quote(contract_id=MNQ, ts_ns=r.now, last=Decimal(str(mnq))),
            Quote(contract_id=NQ, ts_ns=r.now, last=Decimal(str(nq)))]


def restarted(tmp_path, store: Store, r: Run, more_fills=(), mnq=1) -> Run:
    """risk killed after its last commit and started again on its state file; market's
    complete snapshot rebuilds its book (the closes' fills not at market yet)."""
    for out in r.outs[r.committed:]:
        store.commit(out, r.engine)
    store.close()
    later = Run()
    later.now, later.start_ns = r.now, r.start_ns
    store2, _ = Store.open(str(tmp_path))
    store2.load(later.engine, later.now)
    later.store = store2
    later.outs.append(later.engine.apply_snapshot(MarketSnapshot(
        seq=1, epoch=1, complete=True,
        accounts=[AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=Decimal(50_000),
                                can_trade=True)],
        positions=[attrs.evolve(opened(r)[0], size=mnq), opened(r)[1]],
        fills=fills(r) + list(more_fills), quotes=quotes(r, 21000, 20000)), later.now))
    return later


@pytest.mark.parametrize("position_first", [False, True], ids=["trade-first", "position-first"])
def test_the_flattens_order_still_covers_the_cut_contract_after_a_restart(
        tmp_path, position_first):
    r = Run()
    r.start_ns = r.now
    store, _ = Store.open(str(tmp_path))
    r.on(quotes(r, 21000, 20000)[1])
    r.price(21000)
    r.outs.append(r.engine.apply_snapshot(MarketSnapshot(
        seq=0, epoch=1, complete=True,
        accounts=[AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=Decimal(50_000),
                                can_trade=True)],
        positions=opened(r), fills=fills(r), quotes=quotes(r, 21000, 20000)), r.now))
    r.wait(2)
    out, refused = r.engine.self_lock(ACCOUNT, r.now, until_ns=r.now + 3600 * NS)
    assert refused == ""
    r.outs.append(out)
    [flatten] = [c for c in out.commands if c.action == FLATTEN]
    r.wait(0.3)
    buy = [Fill(account_id=ACCOUNT, trade_id=3, contract_id=MNQ, ts_ns=r.now,
                price=Decimal(21000), pnl=None, fees=Decimal("0.37"), side=SIDE_BUY, size=1),
           PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ,
                          ts_ns=r.start_ns, type=POSITION_LONG, size=2,
                          average_price=Decimal(21000))]
    for ev in buy[::-1] if position_first else buy:
        r.on(ev)
    r.wait(1.1)                     # a Position first waits up to a second for its fill
    cuts = [c for o in r.outs for c in o.commands if c.action == REDUCE_POSITION]
    assert [(c.contract_id, c.size) for c in cuts] == [(MNQ, 1)], cuts
    r.wait(0.2)
    result(r, flatten, [CloseOrder(order_id=77, contract_id=MNQ, side=SIDE_SELL, size=2),
                        CloseOrder(order_id=78, contract_id=NQ, side=SIDE_SELL, size=1)])
    r.committed = 0
    later = restarted(tmp_path, store, r, [buy[0]], mnq=2)
    later.wait(0.1)
    result(later, cuts[0], [])       # the reduce found MNQ flat: the flatten's order closed it
    later.wait(0.1)
    acct = later.engine.accounts[ACCOUNT]
    assert acct.live_size(acct.positions[MNQ]) == 0
    mark = len(later.outs)
    later.wait(2)
    later.price(20990)
    assert [c for o in later.outs[mark:] for c in o.commands] == []
    later.store.close()
