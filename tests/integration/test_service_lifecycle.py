"""riskd under a service manager: one copy per data dir, and a clean SIGTERM stop every time.

The restart loop here stands in for systemd (Restart=always, TimeoutStopSec) or
NSSM: start riskd, wait for its workers, SIGTERM it, require exit 0 within the
stop timeout with no process of its tree left, start it again on the same data dir.
"""
from __future__ import annotations

import os
import signal
import time

import pytest

from shared.instancelock import EXIT_ALREADY_RUNNING
from tests.support.env import make_config, wait_for
from tests.support.procs import pid_alive, processes_using

pytestmark = pytest.mark.slow

WORKERS = ["logging", "risk"]
STOP_TIMEOUT = 20.0          # etc/riskd.service TimeoutStopSec; NSSM waits 15 s after Ctrl-C
REFUSAL_TIMEOUT = 15.0


def test_a_second_riskd_on_the_same_data_dir_refuses_to_start(tmp_path, procs):
    config = make_config(tmp_path, workers=[])
    first = procs.riskd(config)
    data = str(tmp_path / "data")
    expected = f"riskd is already running with data dir {data} (pid {first.pid})"

    # A hand-started copy with the service's own config...
    same = procs.riskd(config, wait_up=False)
    # ...and one on other ports: it is the lock that refuses it, not a busy port.
    (tmp_path / "other").mkdir()
    other_config = make_config(tmp_path / "other", workers=[], paths={"data_dir": data})
    other = procs.riskd(other_config, wait_up=False)

    for proc in (same, other):
        assert proc.wait(REFUSAL_TIMEOUT) == EXIT_ALREADY_RUNNING, proc.output()
        assert expected in proc.output()
    assert procs.workers(config) == {}          # the first copy still answers


def test_sigterm_under_a_restart_loop_stops_workers_and_keeps_the_state(tmp_path, procs):
    config = make_config(tmp_path, workers=WORKERS)
    data = tmp_path / "data"
    system_log = data / "logs" / "system.log"
    lock_file = data / "riskd.lock"
    seen_before = ""
    for round_ in range(2):                     # the service manager's loop
        riskd = procs.riskd(config)
        table = procs.wait_running(config, WORKERS)
        worker_pids = [table[n].pid for n in WORKERS]
        assert lock_file.read_text().strip() == str(riskd.pid)
        wait_for(lambda: system_log.exists() and system_log.read_text() != seen_before,
                 timeout=10, what=f"round {round_}'s records in {system_log}")

        riskd.signal(signal.SIGTERM)            # systemctl stop / NSSM's Ctrl-C
        code = riskd.wait(STOP_TIMEOUT)
        assert code == 0, f"round {round_}: riskd exit {code}\n{riskd.output()}"
        assert not any(pid_alive(p) for p in worker_pids), "a worker outlived riskd"
        assert processes_using(config) == [], "a process of riskd's tree was left behind"

        # State persisted: earlier rounds' records are still there, the new ones after them.
        text = system_log.read_text()
        assert text.startswith(seen_before) and len(text) > len(seen_before)
        seen_before = text
        assert os.path.isdir(data / "logs") and lock_file.exists()


def test_a_stop_with_slow_workers_ends_within_the_shutdown_deadline_and_leaves_no_pid_files(
        tmp_path, procs):
    # Three workers whose teardown takes 60 s, each allowed the default 5 s stop_timeout:
    # stopped one after another they would take 15 s and more, past a service manager's stop
    # window (NSSM kills riskd mid-stop, pid files stay). One deadline bounds the whole stop.
    slow = ["notify", "risk", "market"]
    shutdown = 4.0
    config = make_config(tmp_path, supervisor={
        "workers": slow, "modules": {n: "tests.support.slowstop" for n in slow},
        "stop_timeout": 5.0, "shutdown_timeout": shutdown})
    riskd = procs.riskd(config)
    table = procs.wait_running(config, slow)
    started = time.monotonic()
    riskd.signal(signal.SIGTERM)
    code = riskd.wait(30)
    elapsed = time.monotonic() - started
    assert code == 0, riskd.output()
    assert elapsed < shutdown + 3.0, f"the stop took {elapsed:.1f} s"
    assert not any(pid_alive(table[n].pid) for n in slow)
    assert processes_using(config) == []
    assert not [f for f in os.listdir(tmp_path / "data" / "run") if f.endswith(".pid")]
