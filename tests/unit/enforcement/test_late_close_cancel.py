"""riskd's late close closes the contract's orders (trial20a section 1: the trader's stop,
placed for the position riskd's held close then closed late, stayed working on a flat MNQ and
opened a short nothing guarded). Risk sends cancel_orders of the contract carrying the late
fill's time (Command.placed_by_ns: services/risk/latecarried.py); enforcement cancels the
orders placed by then, leaves one placed after it (the trader's, for what they opened
since), and its result names what it cancelled."""
from __future__ import annotations

from decimal import Decimal

import attrs

from shared.messages.enforce import DONE
from tests.unit.enforcement.fakebroker import FakeBroker, order
from tests.unit.enforcement.test_executor import A, MNQ, command, run
from tests.unit.enforcement.test_executor import executor  # noqa: F401

NS = 1_000_000_000
FILLED = 1_000 * NS             # the late fill, by the broker's clock
ES = "CON.F.US.EP.Z26"


def at(o, created_ns: int):
    return attrs.evolve(o, created_ns=created_ns)


def test_only_the_orders_placed_before_the_late_close_are_cancelled(
        executor, journal):  # noqa: F811
    broker = FakeBroker(A)
    stop = attrs.evolve(at(order(A, 9000023, MNQ, type=4, side=1), FILLED - 20 * NS),
                        stop_price=Decimal("20900"))
    after = at(order(A, 9000030, MNQ, type=1, side=0), FILLED + 2 * NS)   # the trader's new
    other = at(order(A, 9000031, ES, type=4, side=1), FILLED - 20 * NS)   # another contract
    broker.orders = {o.id: o for o in (stop, after, other)}
    out = run(executor, journal, broker, command("cancel_orders", contract_id=MNQ,
                                                 placed_by_ns=FILLED))
    assert out.result.status == DONE, out.result
    assert sorted(broker.orders) == [9000030, 9000031], broker.orders
    assert out.result.detail == (
        "cancelled 1 order in MNQ on account 7, working before riskd's late close: sell stop "
        "MNQ 1 @ 20900.00 (order 9000023); 1 order placed after riskd's late close left "
        "working"), out.result.detail


def test_without_placed_by_every_order_of_the_contract_is_cancelled(
        executor, journal):  # noqa: F811
    broker = FakeBroker(A)
    broker.orders = {o.id: o for o in (at(order(A, 1, MNQ, type=4, side=1), FILLED),
                                       at(order(A, 2, MNQ), FILLED + 2 * NS))}
    out = run(executor, journal, broker, command("cancel_orders", contract_id=MNQ))
    assert out.result.status == DONE and broker.orders == {}, out.result
