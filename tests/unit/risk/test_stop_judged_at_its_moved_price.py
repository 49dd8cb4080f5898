"""A stop riskd has moved is judged at the price riskd moved it to until its Order event shows
it: trade_management never moves it back down.

Event-order model, 2026-12-06 (every rule on, 2000 examples): long 4 MNQ at 21000, the price
at 21005 (20 ticks up), the trader's sell stop at 20995: trade_management trailed it to
21002.50. Enforcement answered "done" before the broker's Order event came; on the next price,
a tick lower (21004.75), trade_management still read the stop at 20995 and moved it to
breakeven, 21000: down from the 21002.50 the broker held, loosening the trader's protection.
With the Order event first it did nothing. Now only a tighter stop goes out meanwhile.

etc/riskd.toml as shipped, trade_management switched on at its shipped parameters (it ships
off, and the story is its decision): breakeven after 10 ticks, trail after 20 at 10 ticks.
"""
from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from shared.messages.enforce import CommandResult
from shared.messages.market import (ORDER_STOP, SIDE_BUY, SIDE_SELL, STATUS_OPEN,
                                    OrderUpdate)
from shared.messages.risk import MODIFY_STOP
from tests.unit.risk.desk import MNQ
from tests.unit.risk.test_stop_of_a_flattened_position import ACCOUNT, Run

pytestmark = pytest.mark.timeout(30)

STOP_ID = 31


def trailed_to_21002_50():
    """Long 4 MNQ at 21000 at 21005 with a sell stop at 20995: riskd trails it to 21002.50,
    enforcement says done; the broker's Order event showing it has not come yet."""
    r = Run()
    r.price(MNQ, "21000")
    r.on(r.fill(MNQ, SIDE_BUY, 4, "21000"))
    r.on(r.position(MNQ, 4, "21000", pid=1))
    r.stop = OrderUpdate(account_id=ACCOUNT, order_id=STOP_ID, contract_id=MNQ,
                         created_ns=r.now, updated_ns=r.now, status=STATUS_OPEN,
                         type=ORDER_STOP, side=SIDE_SELL, size=4,
                         stop_price=Decimal("20995"))
    r.on(r.stop)
    r.wait(1)
    out = r.price(MNQ, "21005")
    [move] = [c for c in out.commands if c.action == MODIFY_STOP]
    assert move.stop_price == Decimal("21002.50")
    r.engine.on_result(CommandResult(command_id=move.id, account_id=ACCOUNT, status="done"),
                       r.now)
    r.move = move
    return r


def moves(out):
    return [d.stop_price for d in out.decisions if d.action == MODIFY_STOP and not d.suppressed]


def test_a_price_a_tick_lower_does_not_move_the_stop_back_down_before_its_order_event():
    r = trailed_to_21002_50()
    assert moves(r.price(MNQ, "21004.75")) == []


def test_with_the_order_event_first_the_same_price_moves_nothing_either():
    r = trailed_to_21002_50()
    r.on(attrs.evolve(r.stop, stop_price=r.move.stop_price, updated_ns=r.now))
    assert moves(r.price(MNQ, "21004.75")) == []


def test_a_tighter_stop_still_goes_before_the_order_event():
    r = trailed_to_21002_50()
    assert moves(r.price(MNQ, "21007.50")) == [Decimal("21005.00")]
