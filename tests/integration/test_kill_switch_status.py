"""The admin's kill switch as `riskctl status` shows it, through a real riskd (sim broker,
market, risk, enforcement): the fresh-user trial of 2026-12-05 saw 'admin flatten pending' for
good after `riskctl flatten` answered 'final done' (the screens looked the kill switch's
outcome up under '<decision>.1', not its own 'manual-<n>.<account>')."""
from __future__ import annotations

import json

import pytest

from cli.session import os_user
from shared.config.access import hash_password
from tests.e2e.harness import MNQ, SimDesk
from tests.support.env import make_config, wait_for

pytestmark = pytest.mark.slow

ADMIN_PW = "kill switch"
ONE = 3001


def test_status_shows_the_kill_switch_done(procs, tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))

    def riskctl(*args, password=None):
        return procs.riskctl(config, *args, input=(password + "\n") if password else None)

    workers = ["simbroker", "market", "risk", "enforcement"]
    # the admin section: the kill switch needs an admin session; one sim account
    config = make_config(tmp_path, workers=workers,
                         admin={"password_hash": hash_password(ADMIN_PW, cost=4)},
                         broker={"sim": {"tick_interval": 0, "accounts": [
                             {"id": ONE, "name": "SIM-ONE"}]}})
    procs.riskd(config)
    procs.wait_running(config, workers, timeout=30)
    desk = SimDesk(config)
    desk.buy(ONE, MNQ, 1)
    assert riskctl("login", "--role", "admin", "--password-stdin",
                   password=ADMIN_PW).returncode == 0

    def actions():
        shown = riskctl("status", "--json")
        assert shown.returncode == 0, shown.stderr
        screen = json.loads(shown.stdout)["screen"]
        return [(a["rule"], a["action"], a["status"], a["outcome"])
                for acct in screen["accounts"] if acct["account_id"] == ONE
                for a in acct["actions"]]

    wait_for(lambda: any(acct["account_id"] == ONE for acct in json.loads(
        riskctl("status", "--json").stdout)["accounts"]), 30, what="risk knows the account")
    for reason in ("end of test day", "second kill switch test"):     # the 2nd: already flat
        done = riskctl("flatten", "SIM-ONE", "--reason", reason, "--json")
        assert done.returncode == 0, done.stderr + done.stdout
        [state] = json.loads(done.stdout)["commands"]
        assert (state["state"], state["status"]) == ("final", "done")
    assert desk.flat(ONE)
    rows = wait_for(lambda: (lambda a: a if len(a) >= 2 and all(r[2] not in ("pending", "accepted") for r in a)
                             else None)(actions()), 30, what="the kill switch's rows final")
    # newest first: the second found the account flat (no trading call), the first closed MNQ
    # who acted as history says it (shared/outcomewords.py): riskctl's admin:<OS user>
    by = f"admin:{os_user()}"
    assert [r for r in rows if r[:2] == (by, "flatten")] == [
        (by, "flatten", "done", "nothing to do"), (by, "flatten", "done", "done")], rows
