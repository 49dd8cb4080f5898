"""Task 22c-3: a flatten's result (its ✅ Done alert, `riskctl history`, riskctl flatten's
outcome) named the orders it cancelled by id only: "cancelled 2 orders (10, 11)". Each is
named as a trader knows it: side, type, contract, size and price, then its id. The words are
journaled before the cancels (the order is gone from the broker after), so a flatten resumed
after an enforcement restart names the orders its first run cancelled too."""
from __future__ import annotations

import json
from decimal import Decimal
from types import SimpleNamespace

import attrs

from services.enforcement import namedorders
from services.enforcement.executor import FINAL
from shared.messages.enforce import DONE
from tests.unit.enforcement.fakebroker import FakeBroker, order
from tests.unit.enforcement.test_executor import A, ES, MNQ, command, executor, run  # noqa: F401

BUY, SELL, LIMIT, STOP = 0, 1, 1, 4


def test_a_flatten_names_each_cancelled_order_in_words(executor, journal):
    broker = FakeBroker(A)
    broker.positions = {MNQ: 1}
    broker.orders = {
        123: attrs.evolve(order(A, 123, MNQ, type=STOP, side=SELL, size=1),
                          stop_price=Decimal("20950")),
        124: attrs.evolve(order(A, 124, ES, type=LIMIT, side=BUY, size=2),
                          limit_price=Decimal("5000.25"))}
    out = run(executor, journal, broker, command("flatten"))
    assert out.kind == FINAL and out.result.status == DONE, out.result.detail
    assert out.result.detail == (
        "flattened account 7: closed MNQ; cancelled 2 orders: sell stop MNQ 1 @ 20950.00 "
        "(order 123); buy limit ES 2 @ 5000.25 (order 124) (verified flat)"), out.result.detail


def test_a_resumed_flatten_names_what_its_first_run_cancelled():
    """The journal's progress read back after a restart (JSON: ids as it stored them); the
    orders are no longer at the broker. One cancelled but never journaled (a journal written
    before the words were) is named by id, never left out."""
    saved = json.loads(json.dumps({"named": [[123, "sell stop MNQ 1 @ 20950.00"]]}))
    ctx = SimpleNamespace(progress=saved, done=["close MNQ", "cancel order 123",
                                                "cancel order 125 (already done)"])
    assert namedorders.cancelled(ctx) == [("123", "sell stop MNQ 1 @ 20950.00 (order 123)"),
                                          ("125", "order 125")]
    assert namedorders.cancelled(ctx, gone_too=False) == [
        ("123", "sell stop MNQ 1 @ 20950.00 (order 123)")]
