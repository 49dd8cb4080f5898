"""A config restore that removes the admin password asks first, says what it leaves, alerts;
a session it ended is said as ended then, not as expired at its nominal end.

Fresh-user trial 14b: `riskctl config restore STAMP` of the backup `passwd admin --offline`
made (the shipped copy: no admin password) was applied on a running riskd with no question:
"admin.password_hash: secret removed ... log in again with the restored file's password"
(there was none), leaving no admin login at all (no unlock, flatten, shutdown through riskctl),
with only a WARNING log line. Then `riskctl shutdown` said "your admin session expired at
09:22:41 CST": it had been ended at 09:21:40, when the password was removed.

riskd starts from etc/riskd.toml's rules (tests/support/env.make_config) with the logging
worker only (the audit trail; no rule is touched, so risk is not asked); the admin session
lasts 0.2 minute (12 s) so that it runs out within the test, after the restore ended it (6 s
was too short for the three riskctl calls before the first check under make test's load).
The events PUB is tapped for the alert notify would send.
"""
from __future__ import annotations

import json
import time

import pytest

from shared.config import load_config
from shared.messages.notify import NotifyEvent
from tests.support.auth import audited
from tests.support.bustap import Bus
from tests.support.env import make_config

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

PW = "a fine admin pw"
SESSION_S = 12                   # the admin session's length here (session_minutes 0.2)


@pytest.fixture(autouse=True)
def session_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))


def login(procs, config):
    done = procs.riskctl(config, "login", "--role", "admin", "--password-stdin", input=PW + "\n")
    assert done.returncode == 0, done.stdout + done.stderr
    return time.monotonic()


def test_a_restore_removing_the_admin_password_asks_says_so_and_alerts(procs, tmp_path):
    config = make_config(tmp_path, workers=["logging"], admin={"session_minutes": 0.2})
    # the trial's steps: the first admin password offline (its backup: no password in it)
    first = procs.riskctl(config, "passwd", "admin", "--offline", "--password-stdin",
                          input=PW + "\n")
    assert first.returncode == 0, first.stdout + first.stderr
    procs.riskd(config)
    login(procs, config)
    stamp = json.loads(procs.riskctl(config, "config", "backups", "--json").stdout)[
        "backups"][0]["stamp"]
    before = open(config).read()

    # no terminal, no --yes: refused, nothing changed, the admin still logged in
    asked = procs.riskctl(config, "config", "restore", stamp, "--reason", "trial")
    assert asked.returncode == 1, asked.stdout + asked.stderr
    said = asked.stderr
    assert "not saved" in said and "WARNING: it would remove the admin password" in said, said
    assert "no one can log in as admin" in said and "riskctl passwd admin --offline" in said
    assert "Re-run with --yes" in said, said
    assert open(config).read() == before
    assert procs.riskctl(config, "config", "show").returncode == 0

    events = Bus(load_config(config).config.bus.events, prefixes=("notify",))
    try:
        events.pump(0.3)
        logged_in = login(procs, config)                 # a fresh 12 s session
        done = procs.riskctl(config, "config", "restore", stamp, "--reason", "trial", "--yes")
        assert done.returncode == 0, done.stdout + done.stderr
        alert = events.wait(lambda: [e for e in events.of(NotifyEvent)
                                     if e.kind == "password_changed"], 10,
                            what="the password alert")[0]
    finally:
        events.close()
    out = done.stdout
    assert "admin.password_hash: secret removed" in out, out
    assert "restored file's password" not in out, out          # there is none
    assert "the restored file has no admin password: no one can log in as admin" in out, out
    assert "confirmed by the admin: the admin password removed" in out, out
    assert "$2" not in out + done.stderr
    assert alert.severity == "critical"
    assert alert.title.startswith("🔐 admin password removed by admin:"), alert.title
    text = "\n".join(alert.lines)
    assert "restore " + stamp in text and "it ended 1 admin session" in text, text
    assert "no one can log in as admin" in text and "$2" not in text
    assert audited(config, "restore " + stamp, "confirmed by the admin")

    # the session runs out on riskctl's clock; riskd had ended it at the restore
    time.sleep(max(0.0, logged_in + SESSION_S + 0.5 - time.monotonic()))
    stop = procs.riskctl(config, "shutdown", "--reason", "trial end")
    assert stop.returncode == 3, stop.stdout + stop.stderr
    assert "expired at" not in stop.stderr, stop.stderr
    assert "your admin session ended when the admin password was removed at " in stop.stderr
    assert "riskctl passwd admin --offline" in stop.stderr, stop.stderr
