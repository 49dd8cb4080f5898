"""Only riskd's supervisor may tell a worker to switch protection off or stop (the control key).

riskctl checks the admin session at the supervisor; each worker's own control socket answers
anyone on the machine. Before the control key, any local process could send risk an
UnlockRequest or RulesOverrideRequest, enforcement a FlattenRequest, or any worker Stop
directly, and each was done. Here, against a real riskd on etc/riskd.toml's rules (an admin
password added, the one account the sim holds named): each of those sent straight to the
worker, without the key or with a wrong one, is refused and changes nothing (the lockout stays,
no flatten starts, every worker keeps its pid); the same through riskctl with an admin session
works; the key file is owner-only and the key is in no log.
"""
from __future__ import annotations

import json
import os
import stat
import sys
import time

import pytest

from shared import controlkey
from shared.bus.rpc import RpcClient
from shared.config import load_config
from shared.messages.enforce import EnforcementStatusRequest, FlattenRequest
from shared.messages.risk import (LockoutsRequest, RulesOverrideRequest, SelfLockRequest,
                                  UnlockRequest)
from shared.messages.system import Keyed, Stop
from tests.support.auth import config_with_passwords, login
from tests.support.controlkey import give_key, key_of, keyed, run_dir
from tests.support.env import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

WORKERS = ["logging", "simbroker", "market", "risk", "enforcement"]


@pytest.fixture(autouse=True)
def session_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))


def direct(config: str, worker: str, request):
    """One request straight to a worker's own control socket, as any local process can."""
    address = load_config(config).config.bus.control_of(worker)
    with RpcClient(address, worker, timeout=3, retries=0, name="outsider") as client:
        return client.call(request)


def lockouts(config: str) -> list:
    return direct(config, "risk", LockoutsRequest(account="1001")).body.lockouts


def test_a_gated_request_straight_to_a_worker_is_refused_and_through_riskctl_works(procs,
                                                                                   tmp_path):
    config = config_with_passwords(tmp_path, workers=WORKERS,
                                   accounts=[{"id": 1001, "name": "SIM-DEMO-1"}])
    procs.riskd(config)
    procs.wait_running(config, WORKERS, timeout=30)
    pids = {n: w.pid for n, w in procs.workers(config).items()}
    key = key_of(config)
    assert len(key) == 64
    if sys.platform != "win32":
        mode = os.stat(controlkey.path_of(run_dir(config))).st_mode
        assert stat.S_IMODE(mode) == 0o600
    # a trader's own lockout, through riskctl (trader role: no password)
    wait_for(lambda: procs.riskctl(config, "lockout", "SIM-DEMO-1", "--session", "--reason",
                                   "done for today").returncode == 0, 20,
             what="risk to know the account and lock it")
    assert [lk.rule for lk in lockouts(config)] == ["self_lockout"]

    outsider = {"risk": [UnlockRequest(account="1001", reason="let me trade", by="admin:x"),
                         RulesOverrideRequest(reason="rules off", by="admin:x"),
                         SelfLockRequest(account="1001", session=True, reason="lock them out"),
                         Stop()],
                "enforcement": [FlattenRequest(all=True, reason="close it all"), Stop()],
                "market": [Stop()], "logging": [Stop()]}
    for worker, requests in outsider.items():
        for request in requests:
            said = controlkey.GATED[type(request).__name__][0]
            for sent in (request, Keyed(request=request, key="0" * 64),
                         Keyed(request=request, key=key[:-1])):
                reply = direct(config, worker, sent)
                assert (reply.ok, reply.code) == (False, controlkey.REFUSED), (worker, sent,
                                                                                reply)
                assert reply.reason.startswith(
                    f"{said} refused: riskd takes {said} only through riskctl"), reply.reason
    time.sleep(1.5)                      # a Stop that was taken would have ended its worker
    assert [(lk.rule, lk.kind) for lk in lockouts(config)] == [("self_lockout", "until_reset")]
    assert direct(config, "enforcement", EnforcementStatusRequest()).body.commands == []
    assert {n: (w.pid, w.state) for n, w in procs.workers(config).items()} == {
        n: (pid, "running") for n, pid in pids.items()}

    # the supervisor, with an admin session, is let through (it adds the key)
    refused = procs.riskctl(config, "unlock", "1001", "--reason", "no session")
    assert refused.returncode != 0 and "admin" in refused.stderr
    login(procs, config, "admin")
    unlocked = procs.riskctl(config, "unlock", "1001", "--reason", "trader asked, checked")
    assert unlocked.returncode == 0, unlocked.stderr
    assert lockouts(config) == []
    flattened = procs.riskctl(config, "flatten", "1001", "--reason", "checked", "--wait", "10")
    assert flattened.returncode == 0, flattened.stdout + flattened.stderr
    override = procs.riskctl(config, "rules", "override", "--reason", "checked")
    assert override.returncode == 0, override.stdout + override.stderr
    # and so is a tool that reads the key file (tests, benches)
    assert direct(config, "risk", keyed(config, SelfLockRequest(
        account="1001", session=True, reason="with the key"))).ok

    # the key is in no log, reply or audit line: only in its own file
    leaks = [os.path.join(d, f) for d, _dirs, files in os.walk(tmp_path) for f in files
             if f != controlkey.FILE and key.encode() in open(os.path.join(d, f), "rb").read()]
    assert leaks == []
    assert "control key" not in json.dumps([unlocked.stdout, flattened.stdout])


def test_a_new_riskd_makes_a_new_key_and_takes_over_from_the_last_ones_workers(procs,
                                                                                tmp_path):
    """A supervisor killed hard leaves its workers guarding on the old key; the next riskd
    ends them by pid (not by a request the new key could not open), starts its own on a new
    key, and the old key no longer opens anything."""
    workers = ["simbroker", "market", "risk"]
    config = config_with_passwords(tmp_path, workers=workers,
                                   accounts=[{"id": 1001, "name": "SIM-DEMO-1"}])
    first = procs.riskd(config)
    old = procs.wait_running(config, workers, timeout=30)
    old_key = key_of(config)
    first.signal(9)
    first.wait(5)
    assert direct(config, "risk", Stop()).code == controlkey.REFUSED   # orphans still refuse
    procs.riskd(config)
    new = procs.wait_running(config, workers, timeout=30)
    assert {w.pid for w in new.values()}.isdisjoint({w.pid for w in old.values()})
    new_key = key_of(config)
    assert len(new_key) == 64 and new_key != old_key
    with_old = direct(config, "risk", Keyed(request=SelfLockRequest(
        account="1001", session=True, reason="old key"), key=old_key))
    assert with_old.code == controlkey.REFUSED
    wait_for(lambda: procs.riskctl(config, "lockout", "1001", "--session", "--reason",
                                   "done").returncode == 0, 20,
             what="risk to know the account and lock it")
    login(procs, config, "admin")
    unlocked = procs.riskctl(config, "unlock", "1001", "--reason", "checked")
    assert unlocked.returncode == 0, unlocked.stderr
    assert lockouts(config) == []


def test_a_worker_started_by_hand_takes_the_key_from_the_file_and_none_without_one(procs,
                                                                                   tmp_path):
    """What the benches do (tests/support/controlkey.py give_key): a worker started without a
    supervisor reads the key file at its start; with no file it refuses every gated request."""
    config = config_with_passwords(tmp_path, workers=[])
    alone = procs.worker("services.logsink", config)
    wait_for(lambda: direct(config, "logging", LockoutsRequest()).code == "unknown_request", 10,
             what="the logging worker answering")
    assert direct(config, "logging", Keyed(request=Stop(), key="")).code == controlkey.REFUSED
    alone.signal(15)
    assert alone.wait(10) is not None
    key = give_key(config)
    alone = procs.worker("services.logsink", config)
    wait_for(lambda: direct(config, "logging", LockoutsRequest()).code == "unknown_request", 10,
             what="the logging worker answering")
    assert direct(config, "logging", Stop()).code == controlkey.REFUSED
    assert direct(config, "logging", keyed(config, Stop(reason="bench done"))).ok
    assert alone.wait(10) == 0
    assert key not in alone.output()
