"""User trial (riskctl times): end times cut to the minute looked earlier than the real end
(finding 1); Friday-evening times next to Monday's trading day read as Monday (finding 2); a
sub-second outage read "0s" (finding 5). All through the one formatter, shared/showtime.py."""
from __future__ import annotations

import datetime as dt

from cli.commands import login
from cli.commands._risk_view import lockout_rows
from cli.watch.model import build_screen
from shared import showtime, when
from shared.clock import NS_PER_S, to_ns
from shared.messages.auth import LoginReply
from shared.messages.risk import Decision, LockoutState
from tests.unit.cli.screens import CALENDAR, CHICAGO, account, state

FRIDAY = to_ns(dt.datetime(2026, 12, 4, 21, 51, 34, tzinfo=CHICAGO))  # after the 17:00 roll
END = to_ns(dt.datetime(2026, 12, 4, 22, 21, 44, tzinfo=CHICAGO)) + 600_000_000   # :44.6


def test_an_end_time_shows_its_seconds_and_never_looks_earlier_than_the_end():
    assert showtime.at(END, CHICAGO, FRIDAY) == "Fri 22:21:45 CST"         # was '22:21' (cut)
    whole = to_ns(dt.datetime(2026, 12, 4, 22, 21, 44, tzinfo=CHICAGO))
    assert showtime.at(whole, CHICAGO, FRIDAY) == "Fri 22:21:44 CST"
    on_the_minute = to_ns(dt.datetime(2026, 12, 4, 22, 0, tzinfo=CHICAGO))
    assert showtime.at(on_the_minute, CHICAGO, FRIDAY) == "Fri 22:00 CST"   # :00 stays short
    # columns of past events keep their seconds, cut (an event is not later than it was)
    assert showtime.at(END, CHICAGO, FRIDAY, seconds=True) == "Fri 22:21:44 CST"


def test_login_and_the_lockouts_table_show_the_real_end():
    reply = LoginReply(role="admin", token="t" * 20, expires_ns=FRIDAY + 59_500_000_000)
    assert login.login_line(reply, CHICAGO, FRIDAY) == ("logged in as admin until "
                                                        "Fri 21:52:34 CST (in 59s)")
    lock = LockoutState(id="L1", account_id=1001, kind="timer", rule="self_lockout",
                        since_ns=FRIDAY, until_ns=END)
    # read that evening (from 2026-12-11 on, read now, the end is dated)
    assert "Fri 22:21:45 CST" in lockout_rows([lock], tz=CHICAGO, now_ns=FRIDAY)


def test_the_watch_banner_shows_the_real_end():
    lock = LockoutState(id="L1", account_id=1001, kind="timer", rule="self_lockout",
                        since_ns=FRIDAY, until_ns=END)
    s = state(account(lockouts=[lock]))
    banner = build_screen(s, FRIDAY, CHICAGO, CALENDAR).accounts[0].banners[0]
    assert "(until Fri 22:21:45 CST)" in banner.countdown, banner.countdown


def test_after_the_roll_friday_times_name_their_day_next_to_monday_s_trading_day():
    s = state(account())
    s.apply(Decision(id="d1", ts_ns=FRIDAY, rule="max_contracts", account_id=1001,
                     action="flatten", event_ns=FRIDAY))
    screen = build_screen(s, FRIDAY + 5 * NS_PER_S, CHICAGO, CALENDAR)
    assert screen.header.trading_day == "2026-12-07"                       # Monday's
    assert screen.header.clock == "Fri 21:51:39 CST"
    assert [a.time for a in screen.accounts[0].actions] == ["Fri 21:51:34 CST"]
    # on a day whose trading day is the calendar day, no day name
    monday = to_ns(dt.datetime(2026, 12, 7, 10, 0, tzinfo=CHICAGO))
    assert build_screen(state(account()), monday, CHICAGO, CALENDAR).header.clock == \
        "Mon 10:00:00 CST"


def test_a_sub_second_outage_does_not_read_as_zero():
    assert when.duration(0.5) == "0.5s"
    assert when.duration(0.04) == "<0.1s"
    assert when.duration(0) == "0s" and when.duration(45) == "45s"
    assert when.duration(185) == "3m05s"


def test_a_lockout_past_its_end_that_risk_still_lists_says_it_ended_and_is_clearing(
        capsys, monkeypatch):
    """Trial 2026-12-06: `riskctl lockouts` rows whose end had passed lost their countdown and
    stayed listed for a moment, as if in force (risk clears them on its next tick). The command
    itself, with risk's answer holding one such lockout and one still running."""
    import time
    from types import SimpleNamespace
    from cli.commands import lockouts
    from shared.messages.risk import LockoutList
    now = time.time_ns()
    gone = LockoutState(id="L1", account_id=1001, kind="timer", rule="trade_frequency_limit",
                        since_ns=now - 70 * NS_PER_S, until_ns=now - 2 * NS_PER_S)
    running = LockoutState(id="L2", account_id=1002, kind="timer", rule="cooldown_after_loss",
                           since_ns=now - 10 * NS_PER_S, until_ns=now + 300 * NS_PER_S)
    reply = SimpleNamespace(ok=True, body=LockoutList(lockouts=[gone, running]), reason="")
    ctx = SimpleNamespace(json=False, config_path="no-such-riskd.toml",
                          request=lambda *_a, **_k: reply)
    monkeypatch.setattr(lockouts, "namer", lambda *_a, **_k: lambda aid, _b="": f"acct {aid}")
    monkeypatch.setenv("COLUMNS", "100")        # the rows' words, wide (80: below)
    assert lockouts.run(SimpleNamespace(account=""), ctx) == 0
    out = capsys.readouterr().out
    [row1] = [ln for ln in out.splitlines() if ln.startswith("acct 1001")]
    [row2] = [ln for ln in out.splitlines() if ln.startswith("acct 1002")]
    assert "(ended, clearing)" in row1, out
    assert "(in " in row2 and "ended" not in row2, out
    # at 80 columns the time left is under each row (BY stays on the row's line)
    monkeypatch.setenv("COLUMNS", "80")
    assert lockouts.run(SimpleNamespace(account=""), ctx) == 0
    out = capsys.readouterr().out
    [gone_block] = [b for b in out.split("\n\n") if "acct 1001" in b]
    [running_block] = [b for b in out.split("\n\n") if "acct 1002" in b]
    assert "time left: none (ended, clearing)" in gone_block, out
    assert "time left: 4m5" in running_block and "ended" not in running_block, out
