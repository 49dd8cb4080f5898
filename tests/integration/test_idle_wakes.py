"""An idle riskd wakes only for what it has to do (issue 21: idle CPU).

riskd with every worker on the sim broker, nothing happening (the sim's random walk off: no
quote moves, no orders): how often each process's main thread (its loop) wakes, counted by
Linux as the thread's voluntary context switches (/proc/<pid>/task/<pid>/status), over
WINDOW_S. Each budget below is what the process has to do in a quiet second, with room; the
loops used to wake 10 times a second to find nothing due (a 100 ms cap on every poll, the
supervisor's 0.1 s pass over its workers, enforcement's 0.25 s look at pending commands, a
0.25 s look at the config watcher). Round 16: a process's repeating timers and every process's
heartbeat run on their interval's grid of the machine's monotonic clock (shared/worker.py
on_grid), so the supervisor and notify wake about once a second for all the heartbeats they
watch (13 and 5 times a second before: once per heartbeat and once per timer a few ms apart),
and riskd's alive record no longer waits for an fsync every second.
"""
from __future__ import annotations

import os
import sys
import time

import pytest

from shared.config.sections import WORKER_NAMES
from tests.support.env import make_config

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"),
                                 reason="counts wakes in Linux's /proc")]

SETTLE_S = 3.0        # after every worker runs: start-up work (market's first read) done
WINDOW_S = 4.0

# wakes a second of each process's loop while nothing happens, at most
BUDGET = {
    # its heartbeat (1 s), a timer or two; nothing else
    "logging": 3, "enforcement": 3, "simbroker": 3,
    # + heartbeats of risk, enforcement, market and the supervisor (it alerts when they stop):
    # sent in the same few ms (on the second's grid), mostly one wake for all (5.2 before)
    "notify": 5,
    # + its 0.2 s connection check (deadlines, due reconnects, the stale-feed watch)
    "market": 8,
    # + its 0.1 s tick (lockout expiry, the roll, clock rules) and 0.2 s status round
    "risk": 18,
    # + the heartbeats of its 6 workers, the record that it is alive (1 s), its pass over
    # the workers (1 s while all run; a child's exit wakes it at once): all on the second's
    # grid, a few wakes for all of them (13 before: one per heartbeat and per timer)
    "supervisor": 8,
}


def main_thread_wakes(pid: int) -> int:
    with open(f"/proc/{pid}/task/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("voluntary_ctxt_switches:"):
                return int(line.split()[1])
    raise AssertionError(f"no voluntary_ctxt_switches in /proc/{pid}/task/{pid}/status")


def test_an_idle_riskd_wakes_only_for_what_it_has_to_do(procs, tmp_path):
    # the sim's random walk off (tick_interval 0): no quote moves, so nothing happens
    config = make_config(tmp_path, workers=list(WORKER_NAMES),
                         broker={"sim": {"tick_interval": 0}})
    riskd = procs.riskd(config, timeout=30)
    table = procs.wait_running(config, WORKER_NAMES, timeout=40)
    time.sleep(SETTLE_S)
    pids = {"supervisor": riskd.pid, **{name: table[name].pid for name in WORKER_NAMES}}
    before = {name: main_thread_wakes(pid) for name, pid in pids.items()}
    t0 = time.monotonic()
    time.sleep(WINDOW_S)
    elapsed = time.monotonic() - t0
    rates = {name: (main_thread_wakes(pid) - before[name]) / elapsed
             for name, pid in pids.items()}
    print("wakes a second:", ", ".join(f"{n} {r:.1f}" for n, r in rates.items()))
    over = {n: round(r, 1) for n, r in rates.items() if r > BUDGET[n]}
    assert not over, f"woke more often than it has reason to (a second): {over}; budget {BUDGET}"
