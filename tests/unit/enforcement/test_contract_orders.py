"""Closing a contract closes its orders; a reduce leaves no order larger than the position
(RULES.md "Closing a contract closes its orders"), on the fake broker with a FakeClock."""
from __future__ import annotations

from services.enforcement.actions import close_position, reduce_position
from services.enforcement.actions.base import ActionContext
from services.enforcement.budget import BudgetView, Closing
from services.enforcement.executor import FINAL, PENDING, Executor, Job, Settings
from services.enforcement.journal import Journal
from services.enforcement.planning import (CANCEL, RESIZE, Step, closing_side, plan_cancels,
                                           plan_resizes)
from shared.messages.enforce import DONE, SKIPPED
from shared.projectx.errors import ProjectXError
from shared.projectx.ratebudget import RateBudget
from tests.unit.enforcement.fakebroker import (CANCEL as CANCEL_CALL, CLOSE, MODIFY, PARTIAL,
                                               FakeBroker, order, position)
from tests.unit.enforcement.test_executor import (A, ES, MNQ, command,  # noqa: F401
                                                  executor, run)

BUY, SELL = 0, 1
LIMIT, MARKET, STOP = 1, 2, 4


def bracketed(size: int, long: bool = True) -> FakeBroker:
    """A position in MNQ with its stop (10) and target (11), a resting entry in MNQ with a
    suspended child (12, 13) and an ES order (20) that is none of MNQ's business."""
    side = SELL if long else BUY
    b = FakeBroker(A)
    b.positions = {MNQ: size if long else -size}
    b.orders = {o.id: o for o in (
        order(A, 10, MNQ, type=STOP, side=side, size=size),
        order(A, 11, MNQ, type=LIMIT, side=side, size=size),
        order(A, 12, MNQ, type=LIMIT, side=1 - side, size=3),
        order(A, 13, MNQ, status=8, type=STOP, side=side, size=3),
        order(A, 20, ES, type=LIMIT, side=BUY, size=1))}
    return b


# -- planning ----------------------------------------------------------------------------------
def test_the_closing_side_of_a_long_is_sell_and_of_a_short_is_buy():
    assert closing_side(position(A, MNQ, 3)) == SELL
    assert closing_side(position(A, MNQ, -3)) == BUY


def test_after_a_reduce_only_larger_orders_on_the_closing_side_are_cut():
    orders = [order(A, 1, MNQ, type=STOP, side=SELL, size=7),
              order(A, 2, MNQ, type=LIMIT, side=SELL, size=7),
              order(A, 3, MNQ, type=LIMIT, side=SELL, size=5),       # not larger: kept
              order(A, 4, MNQ, type=LIMIT, side=BUY, size=7),        # opening side: kept
              order(A, 5, MNQ, status=8, type=STOP, side=SELL, size=7),   # a resting entry's
              order(A, 6, ES, type=STOP, side=SELL, size=7)]         # another contract
    assert plan_resizes(orders, MNQ, SELL, 5) == [Step(RESIZE, MNQ, 1, 5),
                                                   Step(RESIZE, MNQ, 2, 5)]
    assert plan_resizes(orders, MNQ, SELL, 0) == [Step(CANCEL, MNQ, o, None)
                                                   for o in (1, 2, 3)]


def test_the_cancels_after_a_close_leave_the_closes_own_market_order_alone():
    orders = [order(A, 1, MNQ, type=MARKET, side=SELL, size=2), order(A, 2, MNQ, type=STOP)]
    assert [s.order_id for s in plan_cancels(orders, MNQ, keep_market=True)] == [2]
    assert [s.order_id for s in plan_cancels(orders, MNQ)] == [1, 2]


# -- close_position ----------------------------------------------------------------------------
def test_closing_a_position_cancels_every_working_order_on_its_contract_after_the_close(
        executor, journal):
    broker = bracketed(2)
    out = run(executor, journal, broker, command("close_position", contract_id=MNQ))
    assert out.kind == FINAL and out.result.status == DONE, out.result.detail
    assert broker.trading() == [(CLOSE, MNQ), (CANCEL_CALL, 10), (CANCEL_CALL, 11),
                                (CANCEL_CALL, 12), (CANCEL_CALL, 13)]
    assert list(broker.orders) == [20]                       # the ES order is not MNQ's
    assert broker.positions == {MNQ: 0}
    assert out.result.detail.endswith("closed, 4 orders cancelled")
    assert out.result.closed_nothing is False            # it closed MNQ: "done"


def test_a_close_run_again_after_a_crash_only_does_what_is_missing(executor, journal):
    """Killed after its close answered, before the cancels: the resumed run's close finds the
    position gone (already done, nothing closed twice) and cancels what is left."""
    broker = bracketed(2)
    broker.positions = {MNQ: 0}
    out = run(executor, journal, broker, command("close_position", contract_id=MNQ))
    assert out.result.status == DONE
    assert "was already flat; 4 orders cancelled" in out.result.detail
    # its close closed nothing: "nothing to do" on every screen, though its cancels were
    # answered (trial22a F3); the journal's state says the same after the result
    assert out.result.first_answer_ns and out.result.closed_nothing is True
    assert journal.get(out.result.command_id).state_view().closed_nothing is True
    assert [c for c, _ in broker.trading()] == [CLOSE] + [CANCEL_CALL] * 4
    again = run(executor, journal, broker, command("close_position", cid="d2.1",
                                                   contract_id=MNQ))
    assert again.result.status == DONE and [c for c, _ in broker.trading()][5:] == [CLOSE]


def test_a_close_waiting_for_the_market_still_cancels_the_orders(executor, journal):
    broker = bracketed(2)
    broker.fail[CLOSE] = [ProjectXError(5, "", CLOSE)]
    out = run(executor, journal, broker, command("close_position", contract_id=MNQ))
    assert out.kind == PENDING
    assert list(broker.orders) == [20] and broker.positions == {MNQ: 2}


def test_alert_mode_says_which_orders_the_close_would_cancel(executor, journal):
    broker = bracketed(2)
    out = run(executor, journal, broker, command("close_position", contract_id=MNQ,
                                                 mode="alert"))
    assert out.result.status == SKIPPED and broker.trading() == []
    assert out.result.detail == ("alert mode: would have closed MNQ on account 7, "
                                 f"cancelling 4 orders")


# -- reduce_position ---------------------------------------------------------------------------
def test_a_reduce_from_7_to_5_leaves_the_bracket_at_5(executor, journal):
    broker = bracketed(7)
    out = run(executor, journal, broker, command("reduce_position", contract_id=MNQ, size=2))
    assert out.result.status == DONE, out.result.detail
    assert broker.trading() == [(PARTIAL, (MNQ, 2)), (MODIFY, (10, {"size": 5})),
                                (MODIFY, (11, {"size": 5}))]
    assert broker.positions == {MNQ: 5}
    assert {o.id: o.size for o in broker.orders.values()} == {10: 5, 11: 5, 12: 3, 13: 3, 20: 1}
    assert "from 7 contracts to 5; order 10 resized to 5, order 11 resized to 5" in out.result.detail


def test_a_short_reduce_cuts_the_buy_side_orders(executor, journal):
    broker = bracketed(4, long=False)
    out = run(executor, journal, broker, command("reduce_position", contract_id=MNQ, size=3))
    assert out.result.status == DONE and broker.positions == {MNQ: -1}
    assert {o.id: o.size for o in broker.orders.values()} == {10: 1, 11: 1, 12: 3, 13: 3, 20: 1}


def test_a_reduce_to_nothing_is_a_close_and_cancels_the_contracts_orders(executor, journal):
    broker = bracketed(2)
    out = run(executor, journal, broker, command("reduce_position", contract_id=MNQ, size=5))
    assert out.result.status == DONE
    assert [c for c, _ in broker.trading()] == [CLOSE] + [CANCEL_CALL] * 4
    assert list(broker.orders) == [20]


def test_a_reduce_killed_before_its_resizes_resizes_without_closing_again(tmp_path, clock):
    path = str(tmp_path / "j.sqlite")
    old = Journal(path, clock.now_ns())
    old.receive(command("reduce_position", contract_id=MNQ, size=2), 0)
    old.start("d1.1", 1)
    old.save_progress("d1.1", {"target": 5, "observed": 7, "side": SELL})
    old.close()                                              # killed after the partial close
    broker = bracketed(7)
    broker.positions = {MNQ: 5}                              # ... which had worked
    journal = Journal(path, clock.now_ns())
    ex = Executor(lambda _b: broker, journal, clock, Settings(settle=0), sleep=clock.advance)
    [entry] = journal.unfinished()
    out = ex.run(Job(entry), broker)
    assert out.result.status == DONE
    assert [c for c, _ in broker.trading()] == [MODIFY, MODIFY]
    assert "nothing left to close; order 10 resized to 5, order 11 resized to 5" in out.result.detail


def test_a_resize_answered_order_not_found_is_checked_again_by_the_next_read(executor,
                                                                            journal):
    """OrderNotFound on a modify means "already done"; the verification read still finds the
    stop at 7 (the answer was wrong or the order came back) and cuts it."""
    broker = bracketed(7)
    broker.fail[MODIFY] = [ProjectXError(2, "order not found", MODIFY)]
    out = run(executor, journal, broker, command("reduce_position", contract_id=MNQ, size=2))
    assert out.result.status == DONE, out.result.detail
    assert [a[0] for c, a in broker.trading() if c == MODIFY] == [10, 11, 10]
    assert broker.orders[10].size == 5 and broker.orders[11].size == 5


def test_the_cancels_and_resizes_yield_the_rate_budget_to_closes(clock):
    """Cancels and resizes run on the low-priority side of the shared budget (they leave the
    reserve to closes under way elsewhere); the close itself is a close."""
    view = BudgetView(RateBudget(clock=clock), Closing())
    seen = []

    class Watching(FakeBroker):
        def _enter(self, endpoint, arg=None):
            seen.append((endpoint, view.low, view.closing.count))
            super()._enter(endpoint, arg)

    for action, cmd, size in ((close_position, command("close_position", contract_id=MNQ), 2),
                              (reduce_position, command("reduce_position", contract_id=MNQ,
                                                        size=2), 7)):
        broker = Watching(A)
        broker.positions, broker.orders = bracketed(size).positions, bracketed(size).orders
        seen.clear()
        list(action.run(ActionContext(broker, cmd, clock, view, settle=0)))   # no settle: no step
        trading = [(e, low, n) for e, low, n in seen if e in (CLOSE, PARTIAL, CANCEL_CALL,
                                                               MODIFY)]
        assert trading[0][0] in (CLOSE, PARTIAL) and trading[0][1:] == (False, 1)
        assert trading[1:] and all(low and n == 0 for _e, low, n in trading[1:])


def test_a_flatten_leaves_a_working_market_order_alone(executor, journal):
    """Right after the closes, a market order still working is one of them, filling; the
    account counts as flat once the positions are gone and nothing else works."""
    broker = bracketed(2)
    broker.orders[30] = order(A, 30, MNQ, type=MARKET, side=SELL, size=2)
    out = run(executor, journal, broker, command("flatten"))
    assert out.result.status == DONE, out.result.detail
    assert CANCEL_CALL not in [c for c, a in broker.trading() if a == 30]
    assert list(broker.orders) == [30]
