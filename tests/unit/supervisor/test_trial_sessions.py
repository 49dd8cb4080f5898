"""User trial findings 1 and 2: what a session's end and a login say, and what the audit keeps.

1. A session ended by a password change was refused with a guess ("riskd restarted or it was
   ended"); the refusal says why and when, the password change says which sessions it ended,
   and a token this riskd never issued is refused with when this riskd started.
2. Every audited login read "root login - - refused: wrong password", admin and ops alike:
   the role asked for is recorded (login_as) and shown.
"""
from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from cli.commands.audit import what_of
from cli.commands.login import replaced_note
from cli.session import CachedSession
from services.supervisor.auth import authorize
from services.supervisor.commands.base import Command
from services.supervisor.commands.login import execute_login
from services.supervisor.sessions import LoginLimiter, Sessions
from services.supervisor.sessionwords import ended_note
from shared.clock import FakeClock
from shared.config.access import hash_password
from shared.messages.auth import LoginRequest
from shared.messages.control import StopWorker

CHICAGO = ZoneInfo("America/Chicago")
STOP = Command(StopWorker, "admin", lambda *_: None)


def config():
    role = SimpleNamespace(password_hash=hash_password("right", cost=4), session_minutes=15)
    return SimpleNamespace(admin=role, ops=role, notify=SimpleNamespace(timezone=""),
                           trading_day=SimpleNamespace(timezone="America/Chicago"))


def at(h, m, s, ms=0):
    return FakeClock(dt.datetime(2026, 12, 5, h, m, s, ms * 1000, tzinfo=CHICAGO))


def test_a_session_ended_by_a_password_change_says_so_and_when():
    clock = at(3, 0, 0)
    sessions = Sessions(clock)
    mine = sessions.issue("admin", 15, user="root")
    clock.advance(312.6)                                         # 03:05:12.6
    ended = sessions.revoke_role("admin", why="the admin password was changed")
    assert ended == [mine]
    assert ended_note(sessions.ended_since(clock.now_ns())) == \
        "it ended 1 admin session (root): log in again with the new password"
    clock.advance(20)
    refusal = authorize(STOP, mine.token, sessions, config())
    assert refusal.code == "session_expired"
    assert refusal.reason.startswith("your admin session ended when the admin password was "
                                     "changed at Sat 03:05:12 CST: log in again; "), refusal.reason
    assert "restarted" not in refusal.reason


def test_an_unknown_session_is_one_this_riskd_never_issued_and_says_when_it_started():
    sessions = Sessions(at(3, 4, 7))
    refusal = authorize(STOP, "a-token-of-the-riskd-before", sessions, config())
    assert refusal.code == "session_expired"
    assert refusal.reason.startswith("your session is not one this riskd issued (it runs since "
                                     "Sat 03:04:07 CST; sessions live in its memory, so a restart "
                                     "ends them)"), refusal.reason


def test_ended_note_names_each_role_and_its_users():
    sessions = Sessions(at(3, 0, 0))
    for role, user in (("ops", "ana"), ("ops", "bo"), ("ops", "ana"), ("admin", "root")):
        sessions.issue(role, 15, user=user)
    sessions.revoke_role("ops", "the ops password was changed")
    assert ended_note(sessions.ended_since(0)) == \
        "it ended 3 ops sessions (ana, bo): log in again with the new password"
    assert ended_note([]) == ""


def test_every_login_line_of_the_audit_names_the_role_asked_for(caplog):
    clock = at(3, 0, 0)
    sup = SimpleNamespace(config=config(), sessions=Sessions(clock, LoginLimiter(clock)))
    caplog.set_level(logging.INFO, logger="riskd.audit")
    for role, password in (("admin", "no"), ("ops", "no"), ("ops", "right")):
        execute_login(sup, LoginRequest(role=role, password=password, user="root"),
                      lambda _reply: None)
    records = [r for r in caplog.records if getattr(r, "action", "") == "login"]
    assert [(r.login_as, r.outcome) for r in records] == [
        ("admin", "refused: wrong admin password"), ("ops", "refused: wrong ops password"),
        ("ops", "ok: ops session for 15 min")]
    assert what_of({"action": "login", "who": "root", "login_as": "admin"}) == "login_as=admin"


def test_a_login_of_another_role_says_which_session_it_replaces():
    admin = CachedSession(role="admin", token="t", expires_ns=1)
    assert replaced_note(admin, "ops") == (
        "your admin session is replaced by this ops session and ended (riskctl keeps one per "
        "riskd): log in as admin again for admin commands")
    assert replaced_note(admin, "admin") == "" and replaced_note(None, "ops") == ""


def test_an_admin_login_over_an_ops_session_does_not_send_you_back_to_ops():
    """Fresh-user trial: `riskctl login --role admin` over an ops session said "... log in as
    ops again for ops commands", but an admin session serves ops commands too."""
    ops = CachedSession(role="ops", token="t", expires_ns=1)
    note = replaced_note(ops, "admin")
    assert note == ("your ops session is replaced by this admin session and ended (riskctl "
                    "keeps one per riskd); this admin session serves ops commands too"), note
    assert "log in as ops" not in note


def test_logout_says_logged_out_once(capsys, tmp_path, monkeypatch):
    """Fresh-user trial: `riskctl logout` said "logged out (admin): logged out: the session is
    ended". The supervisor's real answer, printed by riskctl's logout."""
    from cli import session as session_cache
    from cli.commands import logout
    from services.supervisor.commands.login import execute_logout
    from shared.messages.auth import LoginReply, LogoutRequest
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    clock = at(3, 0, 0)
    sup = SimpleNamespace(config=config(), sessions=Sessions(clock, LoginLimiter(clock)))
    issued = sup.sessions.issue("admin", 15, user="root")
    control = "tcp://127.0.0.1:5570"
    session_cache.save(control, LoginReply(role="admin", token=issued.token, user="root",
                                           expires_ns=2 ** 62))

    class Ctx:
        control_address = control

        def call(self, request, retries=1):
            assert isinstance(request, LogoutRequest)
            got = []
            execute_logout(sup, request, got.append)
            return got[0]
    assert logout.run(None, Ctx()) == 0
    out = capsys.readouterr().out
    assert out == "logged out (admin): the session is ended\n", out
