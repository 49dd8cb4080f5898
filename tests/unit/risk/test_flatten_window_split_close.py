"""A flatten's close that the broker carries out as two orders is the flatten's, both parts.

whose21's window (services/risk/exits.py claim_swept): a flatten whose result named no order
(the order search failed) takes a fill it had no exit for when the broker made it in the
flatten's window and it closes all that is open there. A close the broker splits (sell 1 of
order 777, then sell 1 of order 778, of a long 2) has a first part that closes only half: it
was counted as the trader's trade (and on a locked account a second trade of the minute, or a
cooldown), only the part that closed the rest was riskd's.

The rig of tests/unit/risk/test_restart_mid_flatten_fills_late.py (two risk processes on one
store, the shipped rules): the self-lockout's flatten decided, risk killed, the result naming
no order, then the trader's buy of 2 (made before the lock) and the two parts of the close,
their Trades in order, with the Position's close (size 0) before them, between them, after
them or never; also with a risk restart right after the result.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from shared.messages.market import SIDE_BUY, SIDE_SELL, Fill, PositionUpdate
from tests.unit.risk.desk import NQ, NS
from tests.unit.risk.test_restart_in_flight import Risk
from tests.unit.risk.test_restart_mid_flatten_fills_late import (
    ACCOUNT, restarted_after_no_order_result)


def part(trade_id: int, ts_ns: int, side: int, order_id: int, size: int, pnl=None) -> Fill:
    return Fill(account_id=ACCOUNT, trade_id=trade_id, contract_id=NQ, ts_ns=ts_ns,
                price=Decimal("21000"), pnl=None if pnl is None else Decimal(pnl),
                fees=Decimal("0.37") * size, side=side, size=size, order_id=order_id)


@pytest.mark.parametrize("again", [False, True], ids=["", "restart-after-result"])
@pytest.mark.parametrize("flat_at", [0, 1, 2, None], ids=["flat-first", "flat-between",
                                                           "flat-after", "no-position"])
def test_both_parts_of_a_split_flatten_close_are_riskds(tmp_path, flat_at, again):
    data_dir = str(tmp_path)
    second, locked_at, bought = restarted_after_no_order_result(data_dir, again)
    second.feed(part(1, bought, SIDE_BUY, 101, 2))
    parts = [part(2, locked_at + NS, SIDE_SELL, 777, 1, pnl="-5.00"),
             part(3, locked_at + NS, SIDE_SELL, 778, 1, pnl="-5.00")]
    flat = PositionUpdate(account_id=ACCOUNT, position_id=9, contract_id=NQ, ts_ns=bought,
                          type=0, size=0, average_price=Decimal(0))
    for i in range(3):
        if flat_at == i:
            second.feed(flat)
        if i < 2:
            second.now += NS // 10
            second.feed(parts[i])
    second.now += NS
    second.step(second.engine.tick(second.now))
    acct = second.engine.accounts[ACCOUNT]
    assert [(t, f.by_riskd) for t, f in sorted(acct.trades.items())] == \
        [(1, False), (2, True), (3, True)]
    assert acct.trades_today == 1
    cuts = [(d.action, d.reason) for d in second.decisions() if d.rule == "lockout"]
    assert cuts == [], cuts
    assert acct.exposure(NQ) == 0
    second.stop()
