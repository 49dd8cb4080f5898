"""broker.kind is riskd-wide: a worker restarted after an edit of it talks to the broker riskd
runs, not to the file's new one (round 15's note: the edit was advised as needing riskd's
restart, yet a market worker that crashed and came back read the file's new kind, while the
enforcement worker still running and the sim broker the supervisor runs stayed on the old).

Real riskd (tests/support/env.make_config: etc/riskd.toml's rules, the sim broker), the sim
and market workers, an admin password; market killed by a signal after the edit.
"""
from __future__ import annotations

import json
import os
import signal

import pytest

from tests.support.auth import config_with_passwords, login
from tests.support.env import wait_for

pytestmark = pytest.mark.slow

WORKERS = ["simbroker", "market"]


def connected(procs, config: str):
    out = procs.riskctl(config, "status", "--json")
    hubs = json.loads(out.stdout).get("connections") or []
    return hubs if hubs and all(h["state"] == "connected" for h in hubs) else None


def test_a_market_restarted_after_a_broker_kind_edit_stays_on_the_running_broker(
        procs, tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = config_with_passwords(tmp_path, workers=WORKERS,
                                   broker={"sim": {"tick_interval": 0}})
    procs.riskd(config)
    before = procs.wait_running(config, WORKERS, timeout=30)["market"]
    wait_for(lambda: connected(procs, config), 20, what="market connected to the sim")
    login(procs, config)
    edited = procs.riskctl(config, "config", "set", "broker.kind", "projectx",
                           "--reason", "switch broker")
    assert edited.returncode == 0, edited.stdout + edited.stderr
    assert "broker.kind takes effect only when riskd itself restarts" in edited.stdout, \
        edited.stdout
    os.kill(before.pid, signal.SIGKILL)
    wait_for(lambda: (lambda t: t if t["market"].state == "running"
                      and t["market"].pid != before.pid else None)(procs.workers(config)),
             20, what="market running again")
    # connected to the sim again: the restarted market runs riskd's broker.kind ("sim"), not
    # the file's "projectx" (whose gateway it could not even reach from here)
    hubs = wait_for(lambda: connected(procs, config), 20,
                    what="the restarted market connected to the running (sim) broker")
    assert {h["hub"] for h in hubs} >= {"user", "market"}, hubs
