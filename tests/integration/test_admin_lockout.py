"""`riskctl lockout ACCOUNT --admin`: an admin's lockout of a trader's account, through a real
riskd (sim broker, market, risk). Before it, an admin's `riskctl lockout` ran as the same OS
user as the trader and was recorded as the trader's own self-lockout: status, lockouts,
history and the audit trail all said "self-lockout". Now it needs the admin session (refused
without one, exit 3) and every screen says it is the admin's: an `admin_lockout` row owned by
`admin`, "locked by the admin"; `riskctl unlock --rule admin_lockout` ends it, as docs say."""
from __future__ import annotations

import json

import pytest

from shared.config import load_config
from shared.config.access import hash_password
from tests.integration.test_risk_commands import (ADMIN_PW, risk_synced,  # noqa: F401
                                                  riskctl)                # riskctl: the fixture
from tests.support.env import make_config, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed


def test_an_admins_lockout_is_the_admins_on_every_screen(procs, tmp_path, riskctl):  # noqa: F811
    # etc/riskd.toml's rules as shipped; an admin password (the admin form needs a session);
    # the logging worker keeps the audit trail
    config = make_config(tmp_path, workers=["simbroker", "market", "risk", "logging"],
                         admin={"password_hash": hash_password(ADMIN_PW, cost=4)},
                         accounts=[{"id": 1001, "name": "SIM-DEMO-1"}])
    procs.riskd(config)
    procs.wait_running(config, ["simbroker", "market", "risk", "logging"], timeout=30)
    loaded = load_config(config).config
    wait_for(lambda: risk_synced(loaded), 20, what="risk to know the account")

    # no session: refused (no terminal here, so riskctl cannot ask for the password)
    refused = riskctl(config, "lockout", "1001", "--admin", "--until", "30m",
                      "--reason", "end of desk")
    assert refused.returncode == 3, (refused.stdout, refused.stderr)
    assert "admin" in refused.stderr
    assert json.loads(riskctl(config, "lockouts", "--json").stdout)["lockouts"] == []
    no_reason = riskctl(config, "lockout", "1001", "--admin", "--until", "30m")
    assert no_reason.returncode == 2 and "needs a reason" in no_reason.stderr

    login = riskctl(config, "login", "--role", "admin", "--password-stdin", password=ADMIN_PW)
    assert login.returncode == 0, login.stderr
    locked = riskctl(config, "lockout", "1001", "--admin", "--until", "30m",
                     "--reason", "end of desk")
    assert locked.returncode == 0, (locked.stdout, locked.stderr)
    assert locked.stdout.startswith("locked by the admin until "), locked.stdout
    assert "self-lockout" not in locked.stdout and "admin lockout" in locked.stdout

    [lock] = json.loads(riskctl(config, "lockouts", "--json").stdout)["lockouts"]
    assert (lock["rule"], lock["by"], lock["kind"], lock["reason"]) == \
        ("admin_lockout", "admin", "timer", "end of desk")
    listed = riskctl(config, "lockouts").stdout
    assert "admin lockout" in listed and "self-lockout" not in listed, listed

    # the screen wraps its lines to the terminal's width: read its words, not its lines
    status = " ".join(riskctl(config, "status").stdout.split())
    assert "locked by the admin: end of desk" in status and "self" not in status, status

    history = riskctl(config, "history", "--account", "1001")
    assert history.returncode == 0, history.stderr
    assert "admin lockout" in history.stdout and "added by the admin" in history.stdout
    assert "self-lockout" not in history.stdout, history.stdout
    [d] = json.loads(riskctl(config, "history", "--account", "1001", "--json").stdout)[
        "decisions"]
    assert (d["rule"], d["by"]) == ("admin_lockout", d["by"]) and d["by"].startswith("admin:")

    audit = wait_for(lambda: (lambda out: out if "lockout --admin" in out else None)(
        riskctl(config, "audit", "show").stdout), 10, what="the admin lockout's audit line")
    assert "locked by the admin" in audit and "self-lockout" not in audit, audit

    # the trader's own lockout beside it is a row of its own, never merged into the admin's
    mine = riskctl(config, "lockout", "1001", "--until", "10m", "--reason", "tilt")
    assert mine.returncode == 0, mine.stderr
    assert "by the admin" in mine.stdout and "Recorded in history: a self-lockout" in mine.stdout
    rules = sorted((lk["rule"], lk["by"]) for lk in
                   json.loads(riskctl(config, "lockouts", "--json").stdout)["lockouts"])
    assert rules == [("admin_lockout", "admin"), ("self_lockout", "trader")]

    # only an admin ends it early: --rule admin_lockout ends that one, the trader's stays
    ended = riskctl(config, "unlock", "1001", "--rule", "admin_lockout", "--reason", "desk open")
    assert ended.returncode == 0, ended.stderr
    assert [lk["rule"] for lk in json.loads(
        riskctl(config, "lockouts", "--json").stdout)["lockouts"]] == ["self_lockout"]
