"""Trading day and session windows: rolls at 17:00 Chicago across DST, weekends, holidays."""
import datetime as dt
from zoneinfo import ZoneInfo

from shared.clock import from_ns, to_ns
from shared.tradingday import SessionWindow, TradingCalendar, parse_days

CHI = ZoneInfo("America/Chicago")
CAL = TradingCalendar.make()


def chi(y, m, d, hh=0, mm=0, ss=0) -> int:
    return to_ns(dt.datetime(y, m, d, hh, mm, ss, tzinfo=CHI))


def utc(ns) -> dt.datetime:
    return from_ns(ns)


def test_a_breach_at_16_59_59_counts_for_today_one_at_17_00_for_tomorrow():
    # Wednesday 25 Nov 2026
    assert CAL.trading_day(chi(2026, 11, 25, 16, 59, 59)) == dt.date(2026, 11, 25)
    assert CAL.trading_day(chi(2026, 11, 25, 17, 0, 0)) == dt.date(2026, 11, 26)
    assert CAL.next_roll(chi(2026, 11, 25, 16, 59, 59)) == chi(2026, 11, 25, 17)
    assert CAL.next_roll(chi(2026, 11, 25, 17)) == chi(2026, 11, 26, 17)


def test_fridays_roll_leads_to_monday_whose_session_opens_sunday_17():
    friday_after = chi(2026, 11, 20, 17, 0, 1)
    assert CAL.trading_day(friday_after) == dt.date(2026, 11, 23)           # Monday
    assert CAL.trading_day(chi(2026, 11, 22, 16, 0)) == dt.date(2026, 11, 23)  # Sunday afternoon
    assert CAL.next_roll(friday_after) == chi(2026, 11, 23, 17)
    assert CAL.session_open(dt.date(2026, 11, 23)) == chi(2026, 11, 22, 17)
    assert CAL.next_session_open(friday_after) == chi(2026, 11, 22, 17)
    assert CAL.start_of(dt.date(2026, 11, 23)) == chi(2026, 11, 20, 17)


def test_roll_stays_at_17_chicago_across_march_dst():
    # DST starts Sunday 8 Mar 2026: 17:00 CST = 23:00 UTC before, 17:00 CDT = 22:00 UTC after.
    fri = CAL.next_roll(chi(2026, 3, 6, 12))
    assert utc(fri) == dt.datetime(2026, 3, 6, 23, tzinfo=dt.timezone.utc)
    mon = CAL.next_roll(chi(2026, 3, 9, 12))
    assert utc(mon) == dt.datetime(2026, 3, 9, 22, tzinfo=dt.timezone.utc)
    # Sunday 8 March 17:00 CDT opens Monday's session
    assert utc(CAL.session_open(dt.date(2026, 3, 9))) == dt.datetime(2026, 3, 8, 22,
                                                                      tzinfo=dt.timezone.utc)
    # 22:30 UTC Monday: after the roll in CDT (17:30 local), so Tuesday already
    assert CAL.trading_day(to_ns(dt.datetime(2026, 3, 9, 22, 30, tzinfo=dt.timezone.utc))) \
        == dt.date(2026, 3, 10)


def test_roll_stays_at_17_chicago_across_november_dst():
    # DST ends Sunday 1 Nov 2026: Friday 30 Oct 17:00 CDT = 22:00 UTC, Monday 2 Nov 17:00 CST = 23:00 UTC.
    assert utc(CAL.next_roll(chi(2026, 10, 30, 9))) == dt.datetime(2026, 10, 30, 22,
                                                                    tzinfo=dt.timezone.utc)
    assert utc(CAL.next_roll(chi(2026, 11, 2, 9))) == dt.datetime(2026, 11, 2, 23,
                                                                   tzinfo=dt.timezone.utc)
    # 22:30 UTC Monday 2 Nov is 16:30 CST: still Monday
    assert CAL.trading_day(to_ns(dt.datetime(2026, 11, 2, 22, 30, tzinfo=dt.timezone.utc))) \
        == dt.date(2026, 11, 2)


def test_a_holiday_is_skipped_by_the_trading_day_and_the_roll():
    cal = TradingCalendar.make(holidays=["2026-11-26"])     # Thanksgiving, a Thursday
    wed_evening = chi(2026, 11, 25, 18)
    assert cal.trading_day(wed_evening) == dt.date(2026, 11, 27)
    assert cal.next_roll(wed_evening) == chi(2026, 11, 27, 17)
    assert cal.prev_trading_date(dt.date(2026, 11, 27)) == dt.date(2026, 11, 25)


def test_week_end_is_fridays_roll():
    assert CAL.week_end(chi(2026, 11, 24, 10)) == chi(2026, 11, 27, 17)
    # Sunday evening belongs to Monday's week
    assert CAL.week_end(chi(2026, 11, 22, 18)) == chi(2026, 11, 27, 17)


def test_day_session_inside_outside_and_next_bounds():
    rth = SessionWindow.make("08:30", "15:00", "America/Chicago", "mon-fri")
    assert rth.is_inside(chi(2026, 11, 25, 8, 30))
    assert rth.is_inside(chi(2026, 11, 25, 14, 59, 59))
    assert not rth.is_inside(chi(2026, 11, 25, 15))
    assert not rth.is_inside(chi(2026, 11, 28, 10))                         # Saturday
    assert rth.next_end(chi(2026, 11, 25, 9)) == chi(2026, 11, 25, 15)
    assert rth.next_start(chi(2026, 11, 27, 16)) == chi(2026, 11, 30, 8, 30)  # Fri -> Mon


def test_overnight_session_crosses_midnight_and_skips_holidays():
    globex = SessionWindow.make("17:00", "16:00", "America/Chicago", "mon-fri",
                                holidays=["2026-11-26"])
    assert globex.overnight
    assert globex.is_inside(chi(2026, 11, 22, 17, 30))                       # Sunday evening -> Monday
    assert globex.is_inside(chi(2026, 11, 24, 1))                            # Tuesday night
    assert not globex.is_inside(chi(2026, 11, 24, 16, 30))                   # daily break
    assert not globex.is_inside(chi(2026, 11, 25, 20))                       # eve of the holiday
    assert globex.next_start(chi(2026, 11, 25, 16, 30)) == chi(2026, 11, 26, 17)
    assert not globex.is_inside(chi(2026, 11, 27, 17, 30))                   # Friday evening -> Saturday


def test_session_in_another_zone_and_day_parsing():
    ny = SessionWindow.make("09:30", "16:00", "America/New_York", ["Mon", "Wed"])
    ny_tz = ZoneInfo("America/New_York")
    assert ny.is_inside(to_ns(dt.datetime(2026, 11, 25, 9, 30, tzinfo=ny_tz)))
    assert not ny.is_inside(to_ns(dt.datetime(2026, 11, 24, 10, tzinfo=ny_tz)))
    assert parse_days("fri-mon") == frozenset({4, 5, 6, 0})
    assert parse_days([0, 6]) == frozenset({0, 6})
