"""Action planning: what to close and cancel, in which order, and the reduce target."""
from __future__ import annotations

from services.enforcement.planning import (CANCEL, CLOSE, PARTIAL, Step, describe_flatten,
                                           plan_cancels, plan_flatten, plan_reduce,
                                           reduce_target, retry_delay)
from tests.unit.enforcement.fakebroker import order, position

A = 7
MNQ, ES = "CON.F.US.MNQ.Z26", "CON.F.US.EP.Z26"


def test_a_flatten_closes_every_position_before_any_cancel():
    steps = plan_flatten([position(A, MNQ, 1), position(A, ES, -3)],
                         [order(A, 11, MNQ), order(A, 12, ES, status=8), order(A, 10, ES, 6)])
    assert [s.kind for s in steps] == [CLOSE, CLOSE, CANCEL, CANCEL, CANCEL]
    assert steps[0] == Step(CLOSE, contract_id=ES)          # the biggest position first
    assert [s.order_id for s in steps[2:]] == [10, 11, 12]  # suspended bracket children last


def test_filled_or_cancelled_orders_and_closed_positions_are_left_alone():
    steps = plan_flatten([position(A, MNQ, 0)], [order(A, 1, MNQ, status=2), order(A, 2, MNQ, 3)])
    assert steps == []


def test_the_same_order_seen_twice_is_cancelled_once():
    steps = plan_cancels([order(A, 5, MNQ), order(A, 5, MNQ)])
    assert steps == [Step(CANCEL, contract_id=MNQ, order_id=5)]


def test_cancels_can_be_limited_to_one_contract_or_one_order():
    orders = [order(A, 1, MNQ), order(A, 2, ES), order(A, 3, ES, status=8)]
    assert [s.order_id for s in plan_cancels(orders, contract_id=ES)] == [2, 3]
    assert [s.order_id for s in plan_cancels(orders, order_id=3)] == [3]


def test_a_reduce_aims_at_the_observed_size_minus_the_cut():
    assert reduce_target(5, 2) == 3
    assert reduce_target(-5, 2) == 3                        # shorts count in contracts
    assert reduce_target(2, 4) == 0
    assert plan_reduce(position(A, MNQ, 5), 3) == [Step(PARTIAL, contract_id=MNQ, size=2)]
    assert plan_reduce(position(A, MNQ, -5), 0) == [Step(CLOSE, contract_id=MNQ)]


def test_a_reduce_that_already_happened_plans_nothing():
    assert plan_reduce(position(A, MNQ, 3), 3) == []
    assert plan_reduce(position(A, MNQ, 2), 3) == []
    assert plan_reduce(None, 3) == []


def test_the_alert_description_counts_positions_and_orders():
    text = describe_flatten("7", [position(A, MNQ, 1), position(A, ES, 2)],
                            [order(A, 1, MNQ), order(A, 2, MNQ, 8), order(A, 3, MNQ, 2)])
    assert text == "account 7 (2 positions, 2 orders)"


def test_retries_back_off_and_are_capped():
    assert [retry_delay(n, 0.25, 1.0) for n in (1, 2, 3, 4, 5)] == [0.25, 0.5, 1.0, 1.0, 1.0]
