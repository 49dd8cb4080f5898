"""`riskctl history` while risk runs but does not answer in time (busy or hung): the history
risk stored, read from its file, and the screen says so and that it may lag (ops15: riskctl
gave up before riskd's supervisor could say which worker was silent, and the line read "riskd
does not answer", though riskd had answered; with a longer wait riskd's "risk did not answer
within 3 s" refused the command, exit 1). A real riskd from etc/riskd.toml's rules (sim
broker, market, risk; the sim's tick off so nothing moves); risk is made silent by SIGSTOP, as
a risk stuck in a long step is. [supervisor] heartbeat_timeout is raised to 30 s so that the
supervisor does not kill the silent risk as hung (5 s) while the test reads its history:
the scenario is a risk that runs but is slow, not one that is restarted."""
from __future__ import annotations

import os
import signal

import pytest

from tests.support.env import make_config, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

WORKERS = ["simbroker", "market", "risk"]


def test_history_while_risk_runs_but_does_not_answer_reads_the_stored_file(procs, tmp_path):
    config = make_config(tmp_path, workers=WORKERS, broker={"sim": {"tick_interval": 0}},
                         supervisor={"heartbeat_timeout": 30.0})
    procs.riskd(config)
    workers = procs.wait_running(config, WORKERS, timeout=30)
    wait_for(lambda: procs.riskctl(config, "lockout", "1001", "--session", "--reason",
                                   "done for today").returncode == 0, 30, interval=0.5,
             what="the trader's own lockout of 1001")
    wait_for(lambda: "done for today" in procs.riskctl(config, "history").stdout, 10,
             what="risk's history with the lockout")
    risk = workers["risk"].pid
    os.kill(risk, signal.SIGSTOP)
    try:
        history = procs.riskctl(config, "history")
    finally:
        os.kill(risk, signal.SIGCONT)
    assert history.returncode == 0, history.stdout + history.stderr
    said = " ".join(history.stderr.split())
    assert said.startswith("risk did not answer within 3 s"), said
    assert "riskd does not answer" not in said, said
    assert ("read from risk's stored file instead: the history as risk stored it (" in said
            and "risk.sqlite); it may lag what risk decided in the moment it did not answer"
            in said), said
    # riskd answers: an outcome comes from enforcement, never "riskd is stopped"
    assert "an outcome riskd had not recorded is not known" not in said, said
    out = " ".join(history.stdout.split())
    assert "trader (self-lockout)" in out and "done for today" in out, out
    assert procs.workers(config)["risk"].state == "running"        # not restarted meanwhile
