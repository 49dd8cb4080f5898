"""Sessions and the failed-login limiter, on a fake clock: what an ops person and an admin see."""
from __future__ import annotations

import pytest

from services.supervisor.auth import authorize
from services.supervisor.commands.base import Command
from services.supervisor.sessions import LoginLimiter, Sessions
from shared.clock import FakeClock
from shared.messages.control import StartWorker, StopWorker, WorkersRequest


def noop(_sup, _req, _respond):
    pass


TRADER = Command(WorkersRequest, "trader", noop)
OPS = Command(StartWorker, "ops", noop)
ADMIN = Command(StopWorker, "admin", noop)


@pytest.fixture
def clock():
    return FakeClock()


def test_a_session_is_valid_until_its_minutes_are_up_then_expired(clock):
    sessions = Sessions(clock)
    s = sessions.issue("admin", 15, user="ann")
    assert len(s.token) >= 40 and s.token not in repr(s)
    clock.advance(15 * 60 - 1)
    assert sessions.check(s.token).session == s
    clock.advance(1)
    expired = sessions.check(s.token)
    assert expired.code == "session_expired" and expired.expired_ns == s.expires_ns
    assert sessions.active() == []
    # asked again, it still says when it ran out (riskctl shows "your session expired at 18:56")
    assert sessions.check(s.token).expired_ns == s.expires_ns


def test_tokens_are_unique_and_revoking_one_leaves_the_others(clock):
    sessions = Sessions(clock)
    a, b = sessions.issue("ops", 5), sessions.issue("ops", 5)
    assert a.token != b.token
    assert sessions.revoke(a.token) and not sessions.revoke(a.token)
    gone = sessions.check(a.token)                 # the refusal can say why and when
    assert gone.code == "session_expired" and gone.ended.why == "it was logged out"
    assert sessions.check(b.token).session == b
    assert sessions.revoke_role("ops") == [b] and sessions.active() == []


def test_missing_and_unknown_tokens_and_bad_roles(clock):
    sessions = Sessions(clock)
    assert sessions.check(None).code == "auth_required"
    assert sessions.check("nope").code == "auth_refused"
    with pytest.raises(ValueError):
        sessions.issue("trader", 5)
    with pytest.raises(ValueError):
        sessions.issue("admin", 0)


def test_who_names_the_user_and_role_for_the_audit_trail(clock):
    sessions = Sessions(clock)
    s = sessions.issue("ops", 5, user="olga")
    assert sessions.who(s.token) == "ops:olga"
    assert sessions.who("bogus") == "" and sessions.who(None) == ""


def test_trader_commands_need_nothing_ops_needs_ops_or_admin_admin_needs_admin(clock):
    sessions = Sessions(clock)
    ops, admin = sessions.issue("ops", 5), sessions.issue("admin", 5)
    assert authorize(TRADER, None, sessions) is None
    assert authorize(OPS, ops.token, sessions) is None
    assert authorize(OPS, admin.token, sessions) is None
    assert authorize(ADMIN, admin.token, sessions) is None
    refused = authorize(ADMIN, ops.token, sessions)
    assert refused.code == "auth_refused" and "admin session" in refused.reason
    assert refused.body.role == "admin"


def test_refusals_say_which_role_and_how_to_log_in(clock):
    sessions = Sessions(clock)
    missing = authorize(OPS, None, sessions)
    assert missing.code == "auth_required"
    assert "needs an ops session: run riskctl login --role ops" in missing.reason
    assert authorize(ADMIN, "forged", sessions).code == "session_expired"
    s = sessions.issue("admin", 1)
    clock.advance(61)
    expired = authorize(ADMIN, s.token, sessions)
    assert expired.code == "session_expired" and "expired" in expired.reason
    assert s.token not in missing.reason + expired.reason


def test_five_failures_within_a_minute_lock_logins_for_five_minutes(clock):
    limiter = LoginLimiter(clock)
    for _ in range(4):
        assert not limiter.failed("admin")
        clock.advance(10)
    assert limiter.locked("admin") is None
    assert limiter.failed("admin")                               # the 5th within 60 s locks
    assert limiter.locked("admin") == clock.now_ns() + 300 * 10**9
    clock.advance(299)
    assert limiter.locked("admin") is not None and 0 < limiter.seconds_left("admin") <= 1
    clock.advance(1)
    assert limiter.locked("admin") is None and limiter.seconds_left("admin") == 0


def test_failures_spread_over_more_than_a_minute_do_not_lock(clock):
    limiter = LoginLimiter(clock)
    for _ in range(10):
        assert not limiter.failed("admin")
        clock.advance(16)                                 # 4 failures per 64 s at most
    assert limiter.locked("admin") is None


def test_a_good_login_clears_the_failure_count(clock):
    limiter = LoginLimiter(clock)
    for _ in range(4):
        limiter.failed("admin")
    limiter.succeeded("admin")
    for _ in range(4):
        assert not limiter.failed("admin")
    assert limiter.locked("admin") is None


def test_wrong_admin_passwords_lock_only_the_admin_login_of_that_client(clock):
    """Issue 17 item 2: five wrong admin passwords locked ops out too, so anyone could keep
    the admin (and everyone else) locked out forever."""
    limiter = LoginLimiter(clock)
    for _ in range(5):
        limiter.failed("admin", "mallory")
    assert limiter.locked("admin", "mallory") is not None
    assert limiter.locked("ops", "mallory") is None              # another role: open
    assert limiter.locked("admin", "ann") is None                # another client: open
    assert not limiter.failed("ops", "mallory")


def test_an_expired_session_refusal_says_when_it_ran_out(clock):
    from services.supervisor.auth import authorize
    from services.supervisor.commands import REGISTRY
    from shared.messages.control import StopWorker
    sessions = Sessions(clock)
    s = sessions.issue("admin", 15, user="ann")
    clock.advance(15 * 60 + 5)
    refused = authorize(REGISTRY.get(StopWorker), s.token, sessions)
    assert refused.code == "session_expired"
    assert refused.reason.startswith("your session expired at ")
    assert refused.body.expired_ns == s.expires_ns


def passwords(ops: bool, admin: bool, notify_zone: str = ""):
    """The parts of a config authorize reads: which roles have a password, the display zone."""
    from types import SimpleNamespace
    digest = "$2b$04$" + "a" * 53
    return SimpleNamespace(ops=SimpleNamespace(password_hash=digest if ops else ""),
                           admin=SimpleNamespace(password_hash=digest if admin else ""),
                           notify=SimpleNamespace(timezone=notify_zone),
                           trading_day=SimpleNamespace(timezone="America/Chicago"))


def test_with_no_ops_password_the_hint_is_the_admin_login_that_works(clock):
    """Second trial, finding 4: 'session expired ... run riskctl login --role ops' although no
    ops password was set, so that login could only fail."""
    import datetime as dt
    from zoneinfo import ZoneInfo
    from shared.clock import to_ns
    clock.set(to_ns(dt.datetime(2026, 12, 4, 21, 0, tzinfo=ZoneInfo("America/Chicago"))))
    sessions = Sessions(clock)
    s = sessions.issue("admin", 15)
    clock.advance(16 * 60)
    config = passwords(ops=False, admin=True)
    for refused in (authorize(OPS, s.token, sessions, config), authorize(OPS, None, sessions,
                                                                         config)):
        assert "run riskctl login --role admin (no ops password is set" in refused.reason
        assert "--role ops" not in refused.reason and refused.body.login_as == "admin"
    expired = authorize(OPS, s.token, sessions, config)
    assert expired.reason.startswith("your session expired at Fri 21:15 CST;"), expired.reason
    with_ops = authorize(OPS, None, sessions, passwords(ops=True, admin=True))
    assert "run riskctl login --role ops" in with_ops.reason and with_ops.body.login_as == "ops"
    nobody = authorize(OPS, None, sessions, passwords(ops=False, admin=False))
    assert "no ops password is set and no admin can set it yet" in nobody.reason
    assert "riskctl login" not in nobody.reason and nobody.body.login_as == ""
    admin_only = authorize(ADMIN, None, sessions, passwords(ops=True, admin=False))
    assert "no admin password is set" in admin_only.reason and admin_only.body.login_as == ""


def test_riskctl_says_the_same_hint_for_a_cached_session_that_ran_out():
    """riskctl drops a cached session it knows has expired and words the refusal itself: with
    riskd's login_as it gives the same hint, in the display zone."""
    import datetime as dt
    from zoneinfo import ZoneInfo
    from cli.context import refusal_text
    from cli.session import CachedSession
    from shared.clock import to_ns
    from shared.messages.auth import AuthNeeded
    from shared.messages.system import error
    chi = ZoneInfo("America/Chicago")
    now = to_ns(dt.datetime(2026, 12, 4, 21, 0, tzinfo=chi))
    expired = CachedSession(role="admin", token="t", expires_ns=now - 60 * 10**9)
    reply = error("auth_required", "x", AuthNeeded(role="ops", login_as="admin"))
    text = refusal_text(reply, expired, chi, now)
    assert text.startswith("your admin session expired at Fri 20:59 CST; this command needs an ops "
                           "session: run riskctl login --role admin (no ops password is set")
    old_riskd = error("auth_required", "x", AuthNeeded(role="ops"))        # did not say
    assert refusal_text(old_riskd).endswith("run riskctl login --role ops")
    # trial 2026-12-05: the code is for scripts (--json), not the person reading the text
    assert refusal_text(old_riskd, codes=True).endswith("--role ops [auth_required]")
    assert "[" not in refusal_text(reply, expired, chi, now)
    assert refusal_text(reply, expired, chi, now, codes=True).endswith("[session_expired]")
