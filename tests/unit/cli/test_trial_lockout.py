"""Self-lockouts (trial finding 9): an absurd length is refused with a clear message, and a
clock time is read in the display zone ([notify] timezone, else [trading_day] timezone), which
the confirmation names with the exact instant used. An ISO time without a UTC offset is refused
(second trial, finding 2: it was silently read as UTC)."""
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


def test_a_clock_time_is_read_in_the_display_zone_and_the_instant_echoed(tmp_path):
    until, how = until_of("15:30", str(tmp_path / "none.toml"), NOW)     # default: Chicago
    at = dt.datetime.fromtimestamp(until / NS_PER_S, ZoneInfo("America/Chicago"))
    assert (at.day, at.hour, at.minute) == (5, 15, 30)       # 16:00 now: tomorrow's 15:30
    assert how == ("you asked until Sat 15:30 CST, for 23h30m (2026-12-05T15:30:00-06:00, 15:30 "
                   "read in "
                   "America/Chicago)")


def test_the_zone_comes_from_the_config(tmp_path):
    config = tmp_path / "riskd.toml"
    config.write_text('[trading_day]\ntimezone = "America/New_York"\n')
    until, how = until_of("17:30", str(config), NOW)         # 17:00 in New York now
    assert how == ("you asked until Fri 17:30 EST, for 30m00s (2026-12-04T17:30:00-05:00, 17:30 "
                   "read in "
                   "America/New_York)")
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


def test_the_notify_zone_wins_over_the_trading_days(tmp_path):
    """One display zone for every screen and alert: the trader's [notify] timezone when set."""
    config = tmp_path / "riskd.toml"
    config.write_text('[trading_day]\ntimezone = "America/Chicago"\n'
                      '[notify]\ntimezone = "Europe/London"\n')
    until, how = until_of("23:30", str(config), NOW)         # 22:00 in London now
    assert how.endswith("(2026-12-04T23:30:00+00:00, 23:30 read in Europe/London)")
    assert until == NOW + 90 * 60 * NS_PER_S


def test_an_iso_time_without_offset_is_refused_with_an_example_that_has_one(tmp_path):
    """Second trial, finding 2: --until 2026-12-05T01:00:00 was read as UTC without a word."""
    with pytest.raises(CliError) as err:
        until_of("2026-12-05T01:00:00", str(tmp_path / "none.toml"), NOW)
    text = str(err.value)
    assert "2026-12-05T01:00:00 has no UTC offset" in text
    assert "2026-12-05T01:00:00-06:00 (America/Chicago)" in text       # the example, with one
    assert "2026-12-05T01:00:00+00:00 (UTC)" in text and "01:00" in text


def test_an_iso_time_with_its_offset_is_taken_and_echoed_exactly(tmp_path):
    until, how = until_of("2026-12-05T01:00:00+00:00", str(tmp_path / "none.toml"), NOW)
    assert until == to_ns(dt.datetime(2026, 12, 5, 1, 0, tzinfo=dt.timezone.utc))
    assert how == ("you asked until Fri 19:00 CST, for 3h00m (2026-12-04T19:00:00-06:00)")  # today


def test_both_sides_of_the_echo_name_the_same_second(tmp_path):
    """Trial (screens round 2, finding 3): '30m' asked at 01:04:27.6 echoed "until 01:34:28
    CST (2026-12-05T01:34:27-06:00)": the clock time rounded up, the ISO instant cut. Both
    now go through showtime.up_to_second."""
    now = to_ns(dt.datetime(2026, 12, 5, 1, 4, 27, 600_000, tzinfo=ZoneInfo("America/Chicago")))
    _until, how = until_of("30m", str(tmp_path / "none.toml"), now)
    assert how == "you asked until Sat 01:34:28 CST, for 30m00s (2026-12-05T01:34:28-06:00)", how
    # a whole second stays itself on both sides
    whole = to_ns(dt.datetime(2026, 12, 5, 1, 4, 27, tzinfo=ZoneInfo("America/Chicago")))
    _until, how = until_of("30m", str(tmp_path / "none.toml"), whole)
    assert how == "you asked until Sat 01:34:27 CST, for 30m00s (2026-12-05T01:34:27-06:00)", how


def test_a_clock_time_already_past_today_says_how_long_and_is_asked_first(tmp_path, monkeypatch,
                                                                          capsys):
    """trial16a finding 7: `riskctl lockout 1001 --until 14:00` at 14:42 answered "locked until
    Mon 14:00 CST" (the next 14:00, as documented): a 23h17m self-lockout only an admin can
    end, its length never said. The answer says it ("for 23h17m"), and a person at the
    terminal is asked first; no: nothing is sent to riskd."""
    from types import SimpleNamespace
    from cli.commands import lockout
    chicago = ZoneInfo("America/Chicago")
    now = to_ns(dt.datetime(2026, 12, 6, 14, 42, 30, tzinfo=chicago))
    none = str(tmp_path / "none.toml")
    until, how = until_of("14:00", none, now)
    assert how.startswith("you asked until Mon 14:00 CST, for 23h17m ("), how
    said = lockout.passed_today("14:00", until, none, now)
    assert said == ("14:00 has passed today (now Sun 14:42:30 CST): it reads as tomorrow's, "
                    "Mon 14:00 CST, a lockout of 23h17m that only an admin can end early"), said
    later, _ = until_of("15:00", none, now)                          # today's: nothing asked
    assert lockout.passed_today("15:00", later, none, now) == ""
    late = to_ns(dt.datetime(2026, 12, 6, 23, 50, tzinfo=chicago))   # 00:30: meant tomorrow
    soon, _ = until_of("00:30", none, late)
    assert lockout.passed_today("00:30", soon, none, late) == ""

    asked, sent = [], []
    monkeypatch.setattr(lockout.time, "time_ns", lambda: now)
    monkeypatch.setattr(lockout.session_cache, "interactive", lambda: True)
    monkeypatch.setattr(lockout, "confirm", lambda q: asked.append(q) or False)
    ctx = SimpleNamespace(config_path=none, request=lambda *a, **k: sent.append(a))
    args = SimpleNamespace(account="1001", until="14:00", session=False, reason="", admin=False)
    assert lockout.run(args, ctx) == 1
    assert sent == [] and len(asked) == 1 and asked[0].startswith(said), asked
    said_no = capsys.readouterr().out
    assert "nothing was done" in said_no
    # trial16g: "the account is not locked" to a trader whose account two lockouts held
    assert "not locked" not in said_no and "any lockout already in force stays" in said_no, \
        said_no


def test_an_admin_lockout_may_last_longer_than_a_self_lockout(tmp_path):
    """The 7 days bound a self-lockout (only an admin ends it early); the admin's own lockout is
    ended by the admin at will, so only a typo bound (a year) applies: two weeks is allowed, in
    riskctl and in risk itself (it was refused as "a self-lockout lasts at most 7 days")."""
    from tests.unit.risk.desk import Desk
    config = str(tmp_path / "none.toml")
    until, _how = until_of("14d", config, NOW, admin=True)
    assert until == NOW + 14 * 86400 * NS_PER_S
    with pytest.raises(CliError) as err:
        until_of("14d", config, NOW)
    assert "self-lockout lasts at most 7 days" in str(err.value)
    with pytest.raises(CliError) as err:
        until_of("99999h", config, NOW, admin=True)
    assert "admin lockout lasts at most 366 days" in str(err.value) and "4,167 days" in str(err.value)
    desk = Desk()
    two_weeks = desk.now + 14 * 86400 * NS_PER_S
    out, refusal = desk.engine.self_lock(1001, desk.now, until_ns=two_weeks, admin="admin:root")
    assert refusal == "" and [d.rule for d in out.decisions] == ["admin_lockout"]
    assert [lk.lockout.until_ns for lk in out.lockouts] == [two_weeks]
    out, refusal = desk.engine.self_lock(1001, desk.now, until_ns=two_weeks)
    assert "at most 7 days" in refusal and not out.decisions
