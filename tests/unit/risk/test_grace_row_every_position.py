"""no_stop_loss_grace's row says every position's state, and a position reversed during riskd's
held close reads as closed by it (docs/rules.md, no_stop_loss_grace).

Fresh-user trial19b finding 9: while riskd's close of MNQ was held at the broker the trader
placed a stop on MNQ; for the next 50 s the row spoke only of ES ("ES has no stop: closed in 6s
unless a stop is placed", then ES's own close in flight), and nothing on screen said that
riskd's close would cancel the MNQ stop (it did). The row showed one position: the one closest
to its close. Now it shows that one first, then "; also " each other position's reading.

grace19 left: the trader reversing the position (long 1 -> short 1) while riskd's close of the
long was held made the row count a fresh grace, "MNQ has no stop: closed in 8s unless a stop is
placed", as if a stop would keep it; riskd's close in flight closes what is open when it is
carried out, and its command re-reads and closes until the contract is flat (close_position),
so the short is closed by it too and a stop placed on it is cancelled with it.

The model: test_no_stop_warning_every_close.py's (the shipped rules, no_stop_loss_grace on,
risk's tick every 0.1 s on an injected clock, riskd's closes held at the broker).
"""
from __future__ import annotations

from decimal import Decimal

from cli.watch.shortreading import fitting
from shared.messages.market import (ORDER_MARKET, ORDER_STOP, POSITION_SHORT, SIDE_BUY,
                                    SIDE_SELL, STATUS_FILLED, STATUS_OPEN, Fill, OrderUpdate,
                                    PositionUpdate)
from tests.unit.risk.desk import MNQ, NQ, NS
from tests.unit.risk.test_both_loss_lines_one_fill import ACCOUNT
from tests.unit.risk.test_grace_row_held_close import HOLD, held_close, row, stop
from tests.unit.risk.test_no_stop_warning_every_close import RULE

TRADE_FIRST = ("trade", "position", "order")


def sell_two(m) -> None:
    """The trader sells 2 against MNQ long 1: short 1, a position the broker gives a new id."""
    oid, tid = next(m.ids), next(m.ids)
    first = m.engine.accounts[ACCOUNT].positions[MNQ].position_id
    m.feed(Fill(account_id=ACCOUNT, trade_id=tid, contract_id=MNQ, ts_ns=m.now,
                price=Decimal("21000"), pnl=Decimal(0), fees=Decimal("0.37"), side=SIDE_SELL,
                size=2, order_id=oid))
    m.feed(PositionUpdate(account_id=ACCOUNT, position_id=first + 100, contract_id=MNQ,
                          ts_ns=m.now, type=POSITION_SHORT, size=1,
                          average_price=Decimal("21000")))
    m.feed(OrderUpdate(account_id=ACCOUNT, order_id=oid, contract_id=MNQ, created_ns=m.now,
                       updated_ns=m.now, status=STATUS_FILLED, type=ORDER_MARKET,
                       side=SIDE_SELL, size=2, fill_volume=2, filled_price=Decimal("21000")))


def test_the_row_names_the_stop_riskds_close_cancels_beside_another_countdown(tmp_path):
    """The trial's run A: MNQ's close held, a stop placed on MNQ, NQ bought with no stop."""
    m = held_close(tmp_path)
    stop(m, 7001, 1)
    m.buy(NQ, TRADE_FIRST)
    m.tick_to(m.now + 3 * NS, {}, HOLD)
    assert row(m) == ("NQ has no stop: closed in 7s unless a stop is placed; also MNQ long 1: "
                      "its stop covers 1 of 1: riskd's close in flight for 5s closes all 1 and "
                      "cancels its stop")


def test_every_uncovered_position_is_on_the_row_closest_to_its_close_first(tmp_path):
    m = held_close(tmp_path)
    m.buy(NQ, TRADE_FIRST)
    m.tick_to(m.now + 1 * NS, {}, HOLD)
    assert row(m) == ("NQ has no stop: closed in 9s unless a stop is placed; also MNQ has no "
                      "stop: riskd's close in flight for 3s; a stop placed now is cancelled "
                      "with it")


def test_a_flip_during_the_held_close_reads_as_closed_by_it(tmp_path):
    m = held_close(tmp_path)
    sell_two(m)                          # long 1 -> short 1 while the close is held
    flipped = m.now
    for _ in range(4):                   # past the short's own 8 s warning and 10 s grace
        m.tick_to(m.now + 3 * NS, {}, HOLD)
        assert "closed in" not in row(m), row(m)
    assert row(m) == ("MNQ has no stop: riskd's close in flight for 14s also closes this "
                      "short 1, opened since it was sent; a stop placed now is cancelled with it")
    assert not [w for o in m.outs for w in o.warnings if w.rule == RULE
                and w.ts_ns >= flipped], \
        "no warning of a position riskd's close in flight closes"
    m.feed(OrderUpdate(account_id=ACCOUNT, order_id=7002, contract_id=MNQ, created_ns=m.now,
                       updated_ns=m.now, status=STATUS_OPEN, type=ORDER_STOP, side=SIDE_BUY,
                       size=1, stop_price=Decimal("21200")))     # the short's stop: goes with it
    m.tick_to(m.now + 1 * NS, {}, HOLD)
    assert row(m) == ("MNQ short 1: its stop covers 1 of 1: riskd's close in flight for 15s "
                      "also closes this short 1, opened since it was sent, and cancels its stop")


def test_a_narrow_cell_keeps_the_first_countdown_and_how_many_more():
    text = ("NQ has no stop: closed in 7s unless a stop is placed; also MNQ long 1: its stop "
            "covers 1 of 1: riskd's close in flight for 5s closes all 1 and cancels its stop")
    assert fitting(RULE, text, 40) == "NQ has no stop: closed in 7s (+1 more)"
    assert fitting(RULE, text, 36) == "NQ no stop, closed in 7s (+1 more)"
    assert fitting(RULE, text, 26) == "NQ closed in 7s (+1 more)"
    assert fitting(RULE, text, 20) == "NQ closed in 7s"


def test_riskds_close_carries_the_position_it_was_decided_on(tmp_path):
    """Command.held: what the close takes beyond it was bought after the decision, and its
    result says so (tests/unit/enforcement/test_close_counts_what_it_closed.py)."""
    m = held_close(tmp_path)
    [(_due, _cid, cmd, _how)] = m.pending
    assert (cmd.action, cmd.held) == ("close_position", 1)
