"""Self-lockouts (trial finding 9): an absurd length is refused with a clear message, and a
clock time is read in the trading day's zone, which the confirmation names."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from cli.commands.lockout import until_of
from cli.errors import CliError
from shared.clock import NS_PER_S, to_ns

# Friday 4 Dec 2026 22:00 UTC = 16:00 in Chicago
NOW = to_ns(dt.datetime(2026, 12, 4, 22, 0, tzinfo=dt.timezone.utc))


def test_a_lockout_of_99999_hours_is_refused_and_says_why(tmp_path):
    with pytest.raises(CliError) as err:
        until_of("99999h", str(tmp_path / "none.toml"), NOW)
    text = str(err.value)
    assert "at most 7 days" in text and "4,167 days" in text and "--session" in text


def test_seven_days_is_still_allowed(tmp_path):
    until, _how = until_of("7d", str(tmp_path / "none.toml"), NOW)
    assert until == NOW + 7 * 86400 * NS_PER_S


def test_a_clock_time_is_read_in_the_trading_days_zone_and_named(tmp_path):
    until, how = until_of("15:30", str(tmp_path / "none.toml"), NOW)     # default: Chicago
    at = dt.datetime.fromtimestamp(until / NS_PER_S, ZoneInfo("America/Chicago"))
    assert (at.day, at.hour, at.minute) == (5, 15, 30)       # 16:00 now: tomorrow's 15:30
    assert how == ("until Sat 2026-12-05 15:30 CST (America/Chicago, the trading day's time "
                   "zone)")


def test_the_zone_comes_from_the_config(tmp_path):
    config = tmp_path / "riskd.toml"
    config.write_text('[trading_day]\ntimezone = "America/New_York"\n')
    until, how = until_of("17:30", str(config), NOW)         # 17:00 in New York now
    assert "EST (America/New_York" in how
    at = dt.datetime.fromtimestamp(until / NS_PER_S, ZoneInfo("America/New_York"))
    assert (at.day, at.hour, at.minute) == (4, 17, 30)


def test_risk_itself_refuses_a_self_lockout_longer_than_7_days():
    """The Telegram /lockout and any other client get the same bound from risk."""
    from tests.unit.risk.desk import Desk
    desk = Desk()
    out, refusal = desk.engine.self_lock(1001, desk.now, until_ns=desk.now + 8 * 86400 * NS_PER_S)
    assert "at most 7 days" in refusal and not out.decisions
    out, refusal = desk.engine.self_lock(1001, desk.now, until_ns=desk.now + 3600 * NS_PER_S)
    assert refusal == "" and out.decisions
