"""session_block_outside: trading outside the session is cancelled/closed, and positions are
closed when the session ends."""
import datetime as dt

from tests.unit.risk.desk import ES, MNQ, Desk, chi

RTH = {"default": {"start": "08:30", "end": "15:00", "timezone": "America/Chicago",
                   "days": ["mon", "tue", "wed", "thu", "fri"]}}


def test_an_order_placed_at_7am_is_cancelled_and_mnq_locked_until_8_30():
    desk = Desk(start=chi(2026, 11, 25, 7), session_block_outside=RTH)
    [d] = desk.order(11, MNQ).decisions
    assert (d.action, d.order_id) == ("cancel_orders", 11)
    assert d.lock.kind == "until_session" and d.lock.symbol == "MNQ"
    assert d.lock.until_ns == chi(2026, 11, 25, 8, 30)


def test_a_position_at_10am_is_inside_the_session_a_near_miss():
    desk = Desk(start=chi(2026, 11, 25, 10), session_block_outside=RTH)
    assert desk.long(1, MNQ, 21000).decisions == []
    assert desk.order(12, MNQ).decisions == []


def test_positions_open_at_15_00_are_closed_by_the_clock():
    desk = Desk(start=chi(2026, 11, 25, 14, 59), session_block_outside=RTH)
    desk.long(1, MNQ, 21000)
    desk.short(2, ES, 6000)
    assert desk.wait(59).decisions == []
    out = desk.at(chi(2026, 11, 25, 15))
    assert sorted((d.action, d.contract_id) for d in out.decisions) == [
        ("close_position", ES), ("close_position", MNQ)]


def test_per_symbol_overnight_session():
    rules = dict(RTH, sessions={"ES": {"start": "17:00", "end": "16:00",
                                       "timezone": "America/Chicago",
                                       "days": ["mon", "tue", "wed", "thu", "fri"]}})
    desk = Desk(start=chi(2026, 11, 24, 22), session_block_outside=rules)
    assert desk.filled(1, ES, 6000).decisions == []           # ES trades overnight
    [d] = desk.filled(1, MNQ, 21000).decisions                # MNQ only in RTH
    assert d.contract_id == MNQ


def test_the_rules_own_holidays_file_closes_the_session():
    desk = Desk(start=chi(2026, 11, 26, 10), session_block_outside=dict(
        RTH, holidays_file="cme.txt"))
    assert desk.order(1, MNQ).decisions == []                 # no file loaded: a normal day
    desk.engine.holiday_files = {"cme.txt": frozenset({dt.date(2026, 11, 26)})}
    [d] = desk.order(2, MNQ).decisions
    assert d.lock.until_ns == chi(2026, 11, 27, 8, 30)
