"""Fresh-user trial: five wrong admin passwords locked admin logins for five minutes ("admin
logins locked for 5 minutes ... until ..."), riskd restarted, and `riskctl login` succeeded
at once: the lock and the count of failures lived only in the supervisor's memory, so a
restart reset a wrong-password storm. They are in the supervisor's state now
(<data_dir>/supervisor.db): a restart is a new limiter on the same store, on the same clock."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from services.supervisor.commands.login import execute_login
from services.supervisor.loginstore import LoginStore
from services.supervisor.sessions import LoginLimiter, Sessions
from shared.clock import FakeClock
from shared.config.access import hash_password
from shared.messages.auth import LoginRequest

CHICAGO = ZoneInfo("America/Chicago")


def riskd(clock, data_dir):
    """A supervisor's login bookkeeping as riskd builds it (services/supervisor/app.py)."""
    role = SimpleNamespace(password_hash=hash_password("right", cost=4), session_minutes=15)
    config = SimpleNamespace(admin=role, ops=SimpleNamespace(password_hash=""),
                             notify=SimpleNamespace(timezone=""),
                             trading_day=SimpleNamespace(timezone="America/Chicago"))
    store = LoginStore(str(data_dir))
    return SimpleNamespace(config=config, store=store,
                           sessions=Sessions(clock, LoginLimiter(clock, store=store)))


def login(sup, password, user="ann"):
    replies = []
    execute_login(sup, LoginRequest(role="admin", password=password, user=user), replies.append)
    return replies[0]


def test_a_login_lock_outlives_a_restart_of_riskd_until_it_ends(tmp_path):
    clock = FakeClock(dt.datetime(2026, 12, 6, 3, 0, 10, tzinfo=CHICAGO))
    first = riskd(clock, tmp_path)
    for n in range(5):
        reply = login(first, f"no{n}")
    assert reply.code == "auth_locked" and "until Sun 03:05:10 CST" in reply.reason, reply.reason
    first.store.close()                              # riskd stops
    clock.advance(30)
    again = riskd(clock, tmp_path)                   # ... and starts again
    refused = login(again, "right")
    assert refused.code == "auth_locked", refused.reason
    assert refused.reason.endswith("logins are locked for 270 s more (until Sun 03:05:10 "
                                   "CST)"), refused.reason
    assert login(again, "right", user="bob").ok      # another client was never locked
    clock.advance(271)                               # the lock ends at its time
    assert login(again, "right").ok
    again.store.close()
    assert riskd(clock, tmp_path).store.load() == {}     # nothing left of the storm


def test_a_restart_does_not_reset_the_count_of_failures(tmp_path):
    clock = FakeClock(dt.datetime(2026, 12, 6, 3, 0, 10, tzinfo=CHICAGO))
    first = riskd(clock, tmp_path)
    for n in range(3):
        assert login(first, f"no{n}").code == "auth_refused"
    first.store.close()
    clock.advance(5)
    again = riskd(clock, tmp_path)
    assert login(again, "no3").code == "auth_refused"
    assert login(again, "no4").code == "auth_locked"     # the fifth within the minute


def test_failures_older_than_the_window_are_not_taken_back(tmp_path):
    clock = FakeClock(dt.datetime(2026, 12, 6, 3, 0, 10, tzinfo=CHICAGO))
    first = riskd(clock, tmp_path)
    for n in range(4):
        login(first, f"no{n}")
    first.store.close()
    clock.advance(61)
    again = riskd(clock, tmp_path)
    assert again.store.load() == {}                  # forgotten on disk too
    assert login(again, "no4").code == "auth_refused"


def test_a_store_that_cannot_be_opened_keeps_the_limiter_in_memory(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    clock = FakeClock(dt.datetime(2026, 12, 6, 3, 0, 10, tzinfo=CHICAGO))
    sup = riskd(clock, blocked)
    for n in range(5):
        reply = login(sup, f"no{n}")
    assert reply.code == "auth_locked"
