"""Which of riskd's commands an order is of survives a restart of risk (services/risk/exits.py
order_cmd; the store's riskd_order_cmd).

exits19 made a fill use up its own command's exits (_of_its_command): the command whose result
named its order, or whose exits an earlier fill of that order used. That map lived in memory
only: after a kill -9 of risk, a later fill of the same order was given to whichever command
the size rule picked (the one whose exits alone expect exactly its size), and the other
command's contracts were left expected. Each story is exits19's (tests/unit/risk/
test_exit_of_its_command.py) with risk killed and started again between the two facts: every
step committed as the worker commits it, the restart a fresh engine loaded from the reopened
store. The first two fail on the code before this fix (checked at fb55a41 in a detached
worktree: the other command's contract used, the fill's own command's left expected); the
third checks that an order's row goes when its command is forgotten (no such rows before)."""
from __future__ import annotations

from decimal import Decimal

from services.risk.outcome import Outcome
from services.risk.store import Store
from shared.messages.enforce import CloseOrder
from shared.messages.market import SIDE_SELL, Fill
from tests.unit.risk.desk import ACCOUNT, MNQ, NS, Desk


def sell(desk: Desk, size: int, order_id: int, trade_id: int) -> Fill:
    return Fill(account_id=ACCOUNT, trade_id=trade_id, contract_id=MNQ, ts_ns=desk.now,
                price=Decimal(21000), pnl=None, fees=Decimal(0), side=SIDE_SELL, size=size,
                order_id=order_id)


def committed(store: Store, desk: Desk) -> None:
    """The step that changed the account's exits, committed as the worker commits it."""
    out = Outcome()
    out.exits.add(ACCOUNT)
    store.commit(out, desk.engine)


def restarted(tmp_path, store: Store, desk: Desk) -> Desk:
    """risk killed and started again: a fresh engine from the store, the same clock."""
    committed(store, desk)
    store.close()
    later = Desk(start=desk.now)
    store2, _ = Store.open(str(tmp_path))
    store2.load(later.engine, later.now)
    later.store = store2
    return later


def expects(desk: Desk, command_id: str) -> int:
    return desk.account.riskd.expects_of(command_id, MNQ, desk.now)


def test_the_second_fill_of_an_order_uses_its_commands_exits_after_a_restart(tmp_path):
    """A close of 1 and a reduce of 4 in flight; the reduce's order fills 3, risk is killed,
    then the order's last 1 comes: it is the reduce's (before: the close's, the size rule's
    exact fit, issued first)."""
    desk = Desk()
    store, _ = Store.open(str(tmp_path))
    r = desk.account.riskd
    r.expect(MNQ, 1, None, "close.1", desk.now)
    r.expect(MNQ, 5, 4, "cut.1", desk.now + NS)
    desk.now += 2 * NS
    assert r.claim_fill(sell(desk, 3, 88, trade_id=1), desk.now)    # only the cut expects 3
    later = restarted(tmp_path, store, desk)
    assert later.account.riskd.claim_fill(sell(later, 1, 88, trade_id=2), later.now)
    assert expects(later, "cut.1") == 0
    assert expects(later, "close.1") == 1
    later.store.close()


def test_a_fill_of_an_order_a_result_named_uses_that_commands_exits_after_a_restart(tmp_path):
    """A reduce of 1 of 2 done, then a close of the 1 left; the close's result names its order
    77; risk is killed; 77's fill uses the close's exit (before: the reduce's, done first)."""
    desk = Desk()
    store, _ = Store.open(str(tmp_path))
    r = desk.account.riskd
    r.expect(MNQ, 2, 1, "cut.1", desk.now)
    r.settle("cut.1", desk.now + NS, closed=True)
    r.expect(MNQ, 2, None, "close.1", desk.now + NS)
    r.take_orders("close.1", [CloseOrder(order_id=77, contract_id=MNQ, side=SIDE_SELL,
                                         size=1)])
    desk.now += 2 * NS
    later = restarted(tmp_path, store, desk)
    assert later.account.riskd.claim_fill(sell(later, 1, 77, trade_id=1), later.now)
    assert expects(later, "close.1") == 0
    assert expects(later, "cut.1") == 1
    later.store.close()


def test_an_order_whose_command_is_forgotten_is_not_kept(tmp_path):
    """The command's exits forgotten (15 s after its result): its orders' rows go too, and a
    restart reads none back."""
    desk = Desk()
    store, _ = Store.open(str(tmp_path))
    r = desk.account.riskd
    r.expect(MNQ, 1, None, "close.1", desk.now)
    r.take_orders("close.1", [CloseOrder(order_id=77, contract_id=MNQ, side=SIDE_SELL,
                                         size=1)])
    r.settle("close.1", desk.now, closed=True)
    committed(store, desk)
    desk.now += 20 * NS
    assert r.prune(desk.now)
    assert r.order_cmd == {}
    later = restarted(tmp_path, store, desk)
    assert later.account.riskd.order_cmd == {}
    assert later.store.db.execute("SELECT COUNT(*) FROM riskd_order_cmd").fetchone() == (0,)
    later.store.close()
