"""`riskctl history` while riskd is stopped (fresh-user trial 13b): after a shutdown it answered
"riskd is not running ..." (exit 1) while `riskctl audit` and `riskctl logs` read riskd's
files. Now it reads the history risk stored in its data folder and says that riskd is stopped.

A real riskd from etc/riskd.toml's rules and accounts (sim broker, market, risk; the sim's tick
off so nothing moves): the trader locks Demo 1 for the session (a lockout in history), riskd is
stopped as Ctrl-C stops `make run` (SIGTERM to the supervisor), then history is read."""
from __future__ import annotations

import signal

import pytest

from tests.support.env import make_config, shipped_accounts, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.riskctl_in_process]   # riskctl: incli.completed

WORKERS = ["simbroker", "market", "risk"]


def test_history_reads_risks_stored_history_when_riskd_is_stopped(procs, tmp_path):
    config = make_config(tmp_path, workers=WORKERS, broker={"sim": {"tick_interval": 0}},
                         accounts=shipped_accounts())
    riskd = procs.riskd(config)
    procs.wait_running(config, WORKERS, timeout=30)
    wait_for(lambda: procs.riskctl(config, "lockout", "1001", "--session", "--reason",
                                   "done for today").returncode == 0, 30, interval=0.5,
             what="the trader's own lockout of 1001")
    live = procs.riskctl_ok(config, "history", "--account", "1001")
    assert "self-lockout" in live and "done for today" in live, live

    riskd.signal(signal.SIGTERM)
    assert riskd.wait(20) is not None, "riskd did not stop"

    stored = procs.riskctl(config, "history")
    assert stored.returncode == 0, stored.stdout + stored.stderr
    said = " ".join(stored.stderr.split())
    assert said.startswith("riskd is stopped (nothing listens on its control socket "), said
    assert "the history as risk stored it (" in said and "risk.sqlite" in said, said
    out = " ".join(stored.stdout.split())
    assert "done for today" in out and "Demo 1 (id 1001) trader (self-lockout)" in out, out
    # --account by display name, from the config file; a name no account has is refused,
    # naming the accounts with their ids
    assert "done for today" in procs.riskctl_ok(config, "history", "--account", "Demo 1")
    other = procs.riskctl_ok(config, "history", "--account", "1002")
    assert "Demo 2 (strict, id 1002)" in other and "done for today" not in other, other
    wrong = procs.riskctl(config, "history", "--account", "nosuch")
    assert wrong.returncode == 1
    assert "Demo 1 (id 1001), Demo 2 (strict, id 1002)" in wrong.stderr, wrong.stderr
