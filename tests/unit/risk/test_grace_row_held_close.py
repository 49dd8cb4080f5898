"""no_stop_loss_grace's row while riskd's close of the position is held at the broker: what the
trader does meanwhile (buys more, places a stop) does not make it read as if riskd were not
closing it (docs/rules.md, no_stop_loss_grace: "once riskd's close of it is on its way ...").

Fresh-user trial 18c, section 2: after a buy during the held close the row read "MNQ has no
stop: closed in 0s unless a stop is placed" for the rest of the hold (the close's expectation
was 1 contract of the 2 now held, so the row took riskd as not closing it), and a stop placed
then made the row read "grace_seconds=10" (covered) while the close went on and cancelled that
stop. Now the row says the close is in flight, that it takes what was bought since, and that a
stop placed now is cancelled with it.

The model: test_no_stop_warning_every_close.py's (the shipped rules, no_stop_loss_grace on,
risk's tick every 0.1 s on an injected clock, riskd's closes held at the broker).
"""
from __future__ import annotations

from decimal import Decimal

from services.risk.views import rule_values
from shared.messages.market import (ORDER_MARKET, ORDER_STOP, POSITION_LONG, SIDE_BUY,
                                    SIDE_SELL, STATUS_CANCELLED, STATUS_FILLED, STATUS_OPEN, Fill,
                                    OrderUpdate, PositionUpdate)
from tests.unit.risk.desk import MNQ, NS
from tests.unit.risk.test_both_loss_lines_one_fill import ACCOUNT
from tests.unit.risk.test_no_stop_warning_every_close import HELD, RULE, Model, grace_on

ORDER = ("trade", "position", "order")
HOLD = (HELD, 60)


def row(m: Model) -> str:
    [r] = [r for r in rule_values(m.engine, ACCOUNT, m.now) if r.rule == RULE]
    return r.detail


def held_close(tmp_path) -> Model:
    """MNQ long 1 with no stop; riskd's close sent at its 10 s grace, held at the broker."""
    m = Model(grace_on(tmp_path))
    m.buy(MNQ, ORDER)
    m.tick_to(m.now + int(10.05 * NS), {}, HOLD)
    assert len(m.pending) == 1
    m.tick_to(m.now + 2 * NS, {}, HOLD)
    return m


def buy_more(m: Model, after: int) -> None:
    """The trader buys 1 more MNQ: the same broker position (its id kept), now `after`."""
    oid, tid = next(m.ids), next(m.ids)
    first = m.engine.accounts[ACCOUNT].positions[MNQ].position_id
    m.feed(Fill(account_id=ACCOUNT, trade_id=tid, contract_id=MNQ, ts_ns=m.now,
                price=Decimal("21000"), pnl=None, fees=Decimal("0.37"), side=SIDE_BUY, size=1,
                order_id=oid))
    m.feed(PositionUpdate(account_id=ACCOUNT, position_id=first, contract_id=MNQ, ts_ns=m.now,
                          type=POSITION_LONG, size=after, average_price=Decimal("21000")))
    m.feed(OrderUpdate(account_id=ACCOUNT, order_id=oid, contract_id=MNQ, created_ns=m.now,
                       updated_ns=m.now, status=STATUS_FILLED, type=ORDER_MARKET,
                       side=SIDE_BUY, size=1, fill_volume=1, filled_price=Decimal("21000")))


def stop(m: Model, oid: int, size: int, status=STATUS_OPEN) -> None:
    m.feed(OrderUpdate(account_id=ACCOUNT, order_id=oid, contract_id=MNQ, created_ns=m.now,
                       updated_ns=m.now, status=status, type=ORDER_STOP, side=SIDE_SELL,
                       size=size, stop_price=Decimal("20800")))


def test_the_row_says_the_close_is_in_flight_and_a_stop_now_goes_with_it(tmp_path):
    m = held_close(tmp_path)
    assert row(m) == ("MNQ has no stop: riskd's close in flight for 2s; a stop placed now is "
                      "cancelled with it")


def test_a_buy_during_the_held_close_keeps_the_row_in_flight(tmp_path):
    """Trial 18c: "closed in 0s unless a stop is placed" 3 of 3 times, for the rest of the
    hold. riskd's close of the contract retries until it is flat: it takes the buy too."""
    m = held_close(tmp_path)
    buy_more(m, 2)                      # the trader buys 1 more: long 2
    for _ in range(3):
        m.tick_to(m.now + 3 * NS, {}, HOLD)
        assert "closed in" not in row(m), row(m)
    assert row(m) == ("MNQ has no stop: riskd's close in flight for 11s closes all 2 (1 bought "
                      "since it was sent); a stop placed now is cancelled with it")
    assert len(m.pending) == 1                    # no second close sent beside it


def test_a_stop_placed_during_the_held_close_reads_as_cancelled_with_it(tmp_path):
    """Trial 18c: the row read "grace_seconds=10" (as if covered) while the close went on, and
    riskd's close then cancelled the stop."""
    m = held_close(tmp_path)
    stop(m, 7001, 1)
    m.tick_to(m.now + 1 * NS, {}, HOLD)
    assert row(m) == ("MNQ long 1: its stop covers 1 of 1: riskd's close in flight for 3s "
                      "closes all 1 and cancels its stop")
    buy_more(m, 2)                      # bought more: the stop of 1 covers 1 of 2
    stop(m, 7001, 2)                              # and resized to 2
    m.tick_to(m.now + 1 * NS, {}, HOLD)
    assert row(m) == ("MNQ long 2: its stop covers 2 of 2: riskd's close in flight for 4s "
                      "closes all 2 (1 bought since it was sent) and cancels its stop")
    assert not [w for o in m.outs for w in o.warnings if w.rule == RULE
                and w.ts_ns > m.now - 5 * NS], "no warning of a position riskd is closing"
    # the close done (held 60 s): the position flat, its stop cancelled: the rule's plain words
    m.tick_to(m.now + 60 * NS, {}, HOLD)
    stop(m, 7001, 2, STATUS_CANCELLED)
    assert m.opened[MNQ] is None and row(m) == m.engine.rules[RULE].description
