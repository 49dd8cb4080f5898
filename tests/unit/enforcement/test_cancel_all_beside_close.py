"""A cancel of the account's orders runs beside the account's closes (lanes.py: orders and
positions are two groups): it must not cancel a close's own market order, working at the broker
while that close is under way, which would undo the close (round 19's note "a cancel of the
account's orders still runs beside closes", checked in round 20). It leaves market orders alone,
as a close's and a flatten's own cancels do (planning.plan_cancels keep_market).

Fails on main at fb55a417: the cancel-all cancelled order 1, the close's market order.
"""
from __future__ import annotations

from shared.messages.enforce import DONE, Command
from tests.unit.enforcement.fakebroker import CANCEL, FakeBroker, order
from tests.unit.enforcement.test_executor import executor, run  # noqa: F401 (fixture)

A = 1001
MNQ = "CON.F.US.MNQ.Z26"
MARKET, STOP, SELL = 2, 4, 1


def test_a_cancel_of_the_account_s_orders_leaves_a_close_s_market_order(executor, journal):
    """The close's market order working at the broker (a close of MNQ under way beside this
    cancel) is left alone; the trader's stop is cancelled, and the cancel ends done."""
    broker = FakeBroker(A)
    broker.orders = {1: order(A, 1, MNQ, type=MARKET, side=SELL),
                     2: order(A, 2, MNQ, type=STOP, side=SELL)}
    out = run(executor, journal, broker,
              Command(id="d9.1", decision_id="d9", account_id=A, action="cancel_orders",
                      rule="lockout"))
    assert out.result.status == DONE, out.result.detail
    assert [c for c in broker.trading() if c[0] == CANCEL] == [(CANCEL, 2)]
    assert list(broker.orders) == [1]
    assert "cancelled 1 order" in out.result.detail
