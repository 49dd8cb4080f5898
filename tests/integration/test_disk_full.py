"""A full disk under the risk worker: state writes fail, it says so loudly, keeps enforcing."""
from __future__ import annotations

import json
import os
import signal

import pytest

from shared.config import load_config
from tests.e2e.harness import MNQ, SimDesk
from tests.support.env import make_config, wait_for

pytestmark = pytest.mark.slow

WORKERS = ["simbroker", "logging", "market", "risk", "enforcement"]


def test_risk_keeps_enforcing_from_memory_when_its_state_cannot_be_written(procs, tmp_path):
    config = make_config(tmp_path, workers=WORKERS,
                         broker={"sim": {"tick_interval": 0}},
                         supervisor={"workers": WORKERS,
                                     "modules": {"risk": "tests.support.diskfull_risk"}})
    procs.riskd(config)
    workers = procs.wait_running(config, WORKERS, timeout=30)
    desk = SimDesk(config)
    desk.sim("/sim/quote", {"contractId": MNQ, "lastPrice": 21000})
    desk.buy(1001, MNQ, 1)                       # risk is guarding and saving normally
    wait_for(lambda: desk.positions(1001) == {MNQ: 1}, 10, what="the first buy")

    os.kill(workers["risk"].pid, signal.SIGUSR1)     # the disk is full from now on
    desk.buy(1001, MNQ, 6)                       # 7 open: over max_contracts (5)
    wait_for(lambda: desk.positions(1001) == {MNQ: 5}, 15,
             what="the over-limit position reduced although risk cannot save")
    log_dir = load_config(config).log_dir

    def critical_logged():
        with open(os.path.join(log_dir, "system.log"), encoding="utf-8") as fh:
            records = [json.loads(line) for line in fh if line.strip()]
        return [r for r in records if r.get("process") == "risk"
                and r.get("level") == "CRITICAL" and "could not save" in r.get("message", "")]
    assert wait_for(critical_logged, 10, what="risk saying loudly that it cannot save")
    again = procs.workers(config)["risk"]
    assert again.pid == workers["risk"].pid and again.restarts == 0      # no crash
