"""A close's result names the trader's order it cancelled that was placed after riskd issued the
close (close_position: "closing a contract closes its orders"), with when it was placed, in the
display zone.

Fresh-user trial 18c, section 2: riskd's close of MNQ was held at the broker; the trader placed
a stop meanwhile (sell 2 MNQ stop at 20800), the close's next round cancelled it, and history
said only "MNQ closed, 1 order cancelled": the trader's stop was gone with no word of which it
was. Orders placed before the close was issued (a bracket's stop and target) are cancelled as
before and counted, not named. On the fake broker with a FakeClock."""
from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs

from services.enforcement.executor import FINAL, Executor, Settings
from shared.messages.enforce import DONE
from tests.unit.enforcement.fakebroker import FakeBroker, order
from tests.unit.enforcement.test_executor import A, MNQ, command, executor, run  # noqa: F401

NS = 1_000_000_000
SELL, LIMIT, STOP = 1, 1, 4
CHICAGO = ZoneInfo("America/Chicago")


def test_the_result_names_a_stop_placed_after_the_close_was_issued(journal, clock):
    issued = clock.now_ns() - 8 * NS
    executor = Executor(lambda _budget: FakeBroker(), journal, clock,
                        Settings(settle=0, zone=CHICAGO), sleep=clock.advance)
    broker = FakeBroker(A)
    broker.positions = {MNQ: 2}
    before = attrs.evolve(order(A, 10, MNQ, type=LIMIT, side=SELL, size=2),
                          created_ns=issued - 60 * NS, limit_price=Decimal("21100"))
    meanwhile = attrs.evolve(order(A, 11, MNQ, type=STOP, side=SELL, size=2),
                             created_ns=issued + 5 * NS, stop_price=Decimal("20800"))
    broker.orders = {10: before, 11: meanwhile}
    out = run(executor, journal, broker,
              command("close_position", contract_id=MNQ, issued_ns=issued))
    assert out.kind == FINAL and out.result.status == DONE, out.result.detail
    # 1_699_999_997 s: Tue 2023-11-14 22:13:17 UTC, 16:13:17 CST (the clock's day: no date)
    assert out.result.detail.endswith(
        "closed, 2 orders cancelled: the trader's sell stop MNQ 2 @ 20800.00, placed at "
        "Tue 16:13:17 CST while this close was in flight"), out.result.detail


def test_a_close_that_cancels_only_older_orders_says_no_more(executor, journal, clock):
    broker = FakeBroker(A)
    broker.positions = {MNQ: 1}
    broker.orders = {10: attrs.evolve(order(A, 10, MNQ, type=STOP, side=SELL, size=1),
                                      created_ns=clock.now_ns() - 60 * NS)}
    out = run(executor, journal, broker,
              command("close_position", contract_id=MNQ, issued_ns=clock.now_ns()))
    assert out.result.detail.endswith("closed, 1 order cancelled"), out.result.detail


def test_a_flatten_names_a_stop_placed_while_it_was_in_flight(journal, clock):
    """grace19 left: a flatten cancelled the stop the trader placed during it and said only
    "cancelled 1 order" (the close named it)."""
    issued = clock.now_ns() - 8 * NS
    executor = Executor(lambda _budget: FakeBroker(), journal, clock,
                        Settings(settle=0, zone=CHICAGO), sleep=clock.advance)
    broker = FakeBroker(A)
    broker.positions = {MNQ: 1}
    bracket = attrs.evolve(order(A, 10, MNQ, type=LIMIT, side=SELL, size=1),
                           created_ns=issued - 60 * NS, limit_price=Decimal("21100"))
    meanwhile = attrs.evolve(order(A, 11, MNQ, type=STOP, side=SELL, size=1),
                             created_ns=issued + 5 * NS, stop_price=Decimal("20800"))
    broker.orders = {10: bracket, 11: meanwhile}
    out = run(executor, journal, broker, command("flatten", issued_ns=issued))
    assert out.kind == FINAL and out.result.status == DONE, out.result.detail
    assert out.result.detail == (
        "flattened account 7: closed MNQ; cancelled 2 orders: sell limit MNQ 1 @ 21100.00 "
        "(order 10); sell stop MNQ 1 @ 20800.00 (order 11), placed by the trader at Tue 16:13:17 "
        "CST while this flatten was in flight (verified flat)"), out.result.detail
