"""Every riskctl screen shows a time of day in the display zone, with the zone, and with its
day when it is not today (second trial, finding 1: lockouts and history in the machine's UTC,
alerts in CST, `status`/`watch` "LOCKED OUT 2d22h (until 23:00:00)" with neither day nor
zone). The display zone here is America/New_York from the config, so a screen that still
used the machine's zone (UTC on the trial machine and in CI) or a fixed one shows."""
from __future__ import annotations

import datetime as dt
import re
import time
from types import SimpleNamespace

from cli.commands import audit, history, lockouts, login
from cli.watch.model import build_screen
from shared.clock import NS_PER_S, to_ns
from shared.messages.auth import LoginReply
from shared.messages.risk import HistoryReply, LockoutList, LockoutState, LockSpec, Decision
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, lockout, state

# an end time shows its seconds only when they are not :00 (shared/showtime.py): a lock that
# ends an hour after a now of hh:mm:59.x rounds up to the next whole minute
TIME = r"(\w{3} )?(\d{4}-\d\d-\d\d )?\d\d:\d\d(:\d\d)?"


def new_york(tmp_path) -> str:
    config = tmp_path / "riskd.toml"
    config.write_text('[trading_day]\ntimezone = "America/New_York"\n')
    return str(config)


class Ctx:
    json = False

    def __init__(self, config_path, body):
        self.config_path, self.body = config_path, body

    def request(self, _msg, **_kw):
        return SimpleNamespace(ok=True, body=self.body)

    def call(self, _msg, **_kw):
        return SimpleNamespace(ok=False, body=None)


def test_the_watch_banner_of_a_lockout_days_away_names_its_day_and_zone():
    """The trial's banner: '2d22h (until 23:00:00)' -- which day? which zone?"""
    until = to_ns(dt.datetime(2026, 11, 28, 12, 0, tzinfo=CHICAGO))      # Saturday noon
    s = state(account(lockouts=[lockout(kind="timer", rule_name="self_lockout",
                                        until_ns=until)]))
    banner = build_screen(s, NOW, CHICAGO, CALENDAR).accounts[0].banners[0]
    assert banner.countdown.endswith("(until Sat 12:00:00 CST)"), banner.countdown
    header = build_screen(s, NOW, CHICAGO, CALENDAR).header
    assert header.clock == "Wed 14:03:27 CST"


def test_lockouts_are_listed_in_the_display_zone(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")      # the time left on the row's line
    now = time.time_ns()
    lock = LockoutState(id="L1", account_id=1001, kind="timer", rule="self_lockout",
                        since_ns=now, until_ns=now + 3600 * NS_PER_S)
    lockouts.run(SimpleNamespace(account=""),
                 Ctx(new_york(tmp_path), LockoutList(lockouts=[lock])))
    out = capsys.readouterr().out
    assert re.search(TIME + r" E[SD]T \(in \d", out), out


def test_history_is_shown_in_the_display_zone(tmp_path, capsys):
    now = time.time_ns()
    d = Decision(id="d1", ts_ns=now, rule="self_lockout", account_id=1001, action="flatten",
                 lock=LockSpec(kind="timer", until_ns=now + 7200 * NS_PER_S),
                 by="trader (self-lockout)", what="flatten: close 0 positions")
    history.run(SimpleNamespace(account="", since=None, limit=10),
                Ctx(new_york(tmp_path), HistoryReply(decisions=[d])))
    out = capsys.readouterr().out
    assert len(re.findall(TIME + r" E[SD]T", out)) == 2, out     # the row's time and the lock's
    assert "UTC" not in out


def test_the_audit_trail_shows_its_utc_stamps_in_the_display_zone():
    shown = audit.when_of({"time": "2026-12-05T00:43:49.961852Z"}, CHICAGO)
    assert re.fullmatch(r"(\w{3} )?(\d{4}-\d\d-\d\d )?18:43:49 CST", shown), shown


def test_login_says_the_role_and_the_end_in_the_display_zone():
    now = to_ns(dt.datetime(2026, 12, 4, 21, 0, tzinfo=CHICAGO))
    reply = LoginReply(role="admin", token="tok-0123456789abcdef", expires_ns=now + 900 * NS_PER_S)
    assert login.login_line(reply, CHICAGO, now) == ("logged in as admin until Fri 21:15 CST "
                                                     "(in 15m00s)")
