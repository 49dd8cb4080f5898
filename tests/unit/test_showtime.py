"""The one formatter of times for people and the display zone rule (second trial, finding 1:
lockouts and history in UTC, alerts in CST, the watch screen with neither day nor zone)."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from shared import showtime
from shared.clock import to_ns

CHI = ZoneInfo("America/Chicago")
NOW = to_ns(dt.datetime(2026, 12, 4, 21, 0, tzinfo=CHI))          # a Friday evening


def chi(d, hh, mm=0, ss=0, month=12):
    return to_ns(dt.datetime(2026, month, d, hh, mm, ss, tzinfo=CHI))


def test_today_names_its_day_too():
    # one rule on every screen and alert (trial 2026-12-05: the watch said "until Sat 06:31:55
    # CST", the phone "locked until 06:31:55 CST" for the same end)
    assert showtime.at(chi(4, 23), CHI, NOW) == "Fri 23:00 CST"
    assert showtime.at(chi(4, 9, 5, 7), CHI, NOW, seconds=True) == "Fri 09:05:07 CST"
    assert showtime.start(chi(4, 9, 5, 7) + 999_999_999, CHI, NOW) == "Fri 09:05:07 CST"


def test_another_day_of_the_week_names_the_day():
    assert showtime.at(chi(7, 17), CHI, NOW) == "Mon 17:00 CST"          # the trial's 2d22h
    assert showtime.at(chi(3, 17), CHI, NOW) == "Thu 17:00 CST"          # the past too
    assert showtime.at(chi(10, 17), CHI, NOW) == "Thu 17:00 CST"         # 6 days on


def test_further_away_the_date_is_named_as_well():
    assert showtime.at(chi(11, 17), CHI, NOW) == "Fri 2026-12-11 17:00 CST"
    assert showtime.at(chi(25, 8, month=11), CHI, NOW) == "Wed 2026-11-25 08:00 CST"


def test_today_is_the_date_in_the_display_zone_not_in_utc():
    # 21:00 in Chicago is 03:00 UTC the next day: 23:00 Chicago is still today there
    assert showtime.at(chi(4, 23), CHI, NOW) == "Fri 23:00 CST"
    utc = dt.timezone.utc
    assert showtime.at(chi(4, 23), utc, NOW) == "Sat 05:00 UTC"
    assert showtime.at(chi(4, 17), utc, NOW) == "Fri 23:00 UTC"


def test_summer_time_prints_its_own_abbreviation():
    summer = to_ns(dt.datetime(2026, 7, 1, 10, 0, tzinfo=CHI))
    assert showtime.at(summer, CHI, summer) == "Wed 10:00 CDT"


def test_the_display_zone_is_notify_s_else_the_trading_day_s_else_chicago():
    assert showtime.zone_name("Europe/London", "America/New_York") == "Europe/London"
    assert showtime.zone_name("", "America/New_York") == "America/New_York"
    assert showtime.zone_name("", "") == "America/Chicago"
    config = SimpleNamespace(notify=SimpleNamespace(timezone=""),
                             trading_day=SimpleNamespace(timezone="America/New_York"))
    assert showtime.zone_label(showtime.zone_of(config)) == "America/New_York"


def test_the_zone_from_a_leniently_read_file_skips_what_is_not_a_zone():
    def label(data):
        return showtime.zone_label(showtime.zone_of_tables(data))
    assert label({"notify": {"timezone": "Europe/London"},
                  "trading_day": {"timezone": "America/New_York"}}) == "Europe/London"
    assert label({"notify": {"timezone": "Mars/Olympus"},
                  "trading_day": {"timezone": "America/New_York"}}) == "America/New_York"
    assert label({"trading_day": {"timezone": 5}}) == "America/Chicago"
    assert label({}) == "America/Chicago"


def test_a_time_beside_a_trading_day_is_never_read_as_another_day_s():
    # trial 2026-12-05: on Saturday 01:09 the trading day is Monday; a lockout until the roll
    # showed "17:00" beside the "Sat 01:09" clock, which reads as Saturday's 17:00
    sat = to_ns(dt.datetime(2026, 12, 5, 1, 9, tzinfo=CHI))
    assert showtime.at(chi(7, 17), CHI, sat) == "Mon 17:00 CST"
    assert showtime.at(chi(5, 6, 31, 55), CHI, sat) == "Sat 06:31:55 CST"
    # after Friday's roll: Friday's own times still name Friday (the trading day is Monday)
    assert showtime.at(chi(4, 16), CHI, NOW) == "Fri 16:00 CST"
