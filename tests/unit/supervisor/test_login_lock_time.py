"""User trial finding 5: a locked login said "locked for 300 s more" and no clock time; it
says when the lock ends too, in the display zone, as every other end time is shown."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from services.supervisor.commands.login import execute_login
from services.supervisor.sessions import LoginLimiter, Sessions
from shared.clock import FakeClock
from shared.config.access import hash_password
from shared.messages.auth import LoginRequest

CHICAGO = ZoneInfo("America/Chicago")


def test_a_locked_login_says_when_the_lock_ends():
    clock = FakeClock(dt.datetime(2026, 12, 4, 21, 0, 10, tzinfo=CHICAGO))
    role = SimpleNamespace(password_hash=hash_password("right", cost=4), session_minutes=15)
    config = SimpleNamespace(admin=role, ops=SimpleNamespace(password_hash=""),
                             notify=SimpleNamespace(timezone=""),
                             trading_day=SimpleNamespace(timezone="America/Chicago"))
    sup = SimpleNamespace(config=config, sessions=Sessions(clock, LoginLimiter(clock)))
    replies = []
    for n in range(5):
        execute_login(sup, LoginRequest(role="admin", password=f"no{n}", user="ann"),
                      replies.append)
    fifth = replies[-1]
    assert fifth.code == "auth_locked"
    assert "admin logins locked for 5 minutes for ann, until Fri 21:05:10 CST (other" in \
        fifth.reason, fifth.reason
    clock.advance(100)
    execute_login(sup, LoginRequest(role="admin", password="right", user="ann"), replies.append)
    assert replies[-1].reason.endswith("logins are locked for 200 s more (until "
                                       "Fri 21:05:10 CST)"), replies[-1].reason
