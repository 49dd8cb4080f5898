"""Each thread's CPU and its wait for a core, idle and during a quote storm: a dev tool beside
the storm bench (docs/performance.md, round 23).

    python -m tests.bench.thread_waits

One chain of bench_storm (sim, market, risk, enforcement; account 1001 locked, every buy a
breach), its idle phase and then its storm. For every thread of those processes and of this
one, from Linux's /proc/<pid>/task/<tid>/schedstat over each phase: CPU (% of a core), the
time it spent runnable but waiting for a core (the run queue), how many times it ran, the
wait per run, and how many times it blocked of itself (voluntary switches: a wake each). A
breach crosses about ten such wakes (the sim's HTTP and hub threads, market's user-hub
thread and loop, each process's ZeroMQ I/O thread, risk's loop, enforcement's loop and lane,
the sim's HTTP thread again): on a busy box each waits for a core.

The threads are sampled every 0.2 s, so one that ends during a phase (the sim's burst thread
at the storm's end) is counted up to its last sample. Linux only.
"""
from __future__ import annotations

import os
import pathlib
import tempfile
import threading
import time

from tests.bench.bench_storm import IDLE_BREACHES, STORM_BREACHES, Chain
from tests.bench.report import percentile

SAMPLE_EVERY = 0.2     # s


def read(pids: dict[str, int]) -> dict[tuple[str, int], tuple[int, int, int, int]]:
    """(process, tid) -> (ns on a core, ns waiting for one, runs, voluntary switches)."""
    out = {}
    for name, pid in pids.items():
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            base = f"/proc/{pid}/task/{tid}"
            try:
                with open(f"{base}/schedstat") as fh:
                    run, wait, runs = map(int, fh.read().split())
                with open(f"{base}/status") as fh:
                    vol = next(int(line.split()[1]) for line in fh
                               if line.startswith("voluntary_ctxt_switches"))
            except (OSError, StopIteration, ValueError):
                continue            # the thread ended meanwhile
            out[(name, int(tid))] = (run, wait, runs, vol)
    return out


class Sampler:
    """The latest figures of every thread seen, read every SAMPLE_EVERY s."""

    def __init__(self, pids: dict[str, int]):
        self.pids, self.last = pids, read(pids)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="thread-waits")
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY):
            self.last = {**self.last, **read(self.pids)}

    def now(self) -> dict:
        self.last = {**self.last, **read(self.pids)}
        return dict(self.last)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)


def table(label: str, before: dict, after: dict, seconds: float, mains: dict) -> str:
    lines = [f"== {label} ({seconds:.1f} s)",
             f"  {'process':12s} {'thread':>12s} {'cpu %':>6s} {'wait ms':>8s} {'runs':>7s} "
             f"{'wait/run us':>11s} {'wakes/s':>8s}"]
    totals: dict[str, list[float]] = {}
    for key in sorted(after):
        r0, w0, n0, v0 = before.get(key, (0, 0, 0, 0))
        r1, w1, n1, v1 = after[key]
        cpu, wait, runs, wakes = (r1 - r0) / 1e6, (w1 - w0) / 1e6, n1 - n0, v1 - v0
        total = totals.setdefault(key[0], [0.0, 0.0, 0])
        total[0] += cpu
        total[1] += wait
        total[2] += runs
        if cpu < 0.01 * seconds * 1000 and runs < 5 * seconds:
            continue            # idle all along
        thread = "main" if key[1] == mains.get(key[0]) else str(key[1])
        lines.append(f"  {key[0]:12s} {thread:>12s} {cpu / seconds / 10:6.1f} {wait:8.1f} "
                     f"{runs:7d} {1000 * wait / max(runs, 1):11.0f} {wakes / seconds:8.1f}")
    for name, (cpu, wait, runs) in totals.items():
        lines.append(f"  {name:12s} {'all':>12s} {cpu / seconds / 10:6.1f} {wait:8.1f} "
                     f"{runs:7d} {1000 * wait / max(runs, 1):11.0f}")
    return "\n".join(lines)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        chain = Chain(pathlib.Path(tmp))
        sampler = None
        try:
            chain.start()
            pids = {**chain.pids, "bench": os.getpid()}
            sampler = Sampler(pids)
            load = os.getloadavg()[0]
            a, t0 = sampler.now(), time.monotonic()
            idle = chain.phase(IDLE_BREACHES, storm=False)
            b, t1 = sampler.now(), time.monotonic()
            storm = chain.phase(STORM_BREACHES, storm=True)
            c, t2 = sampler.now(), time.monotonic()
        finally:
            if sampler is not None:
                sampler.close()
            chain.close()
    print(f"load average (1 min) at the start: {load:.1f}")
    print(table("idle", a, b, t1 - t0, pids))
    print(table("storm", b, c, t2 - t1, pids))
    for label, got in (("idle", idle), ("storm", storm)):
        print(f"{label}: {len(got['breach'])} breaches, breach p50 / p99 "
              f"{percentile(got['breach'], 50) / 1000:.1f} / "
              f"{percentile(got['breach'], 99) / 1000:.1f} ms, fill p50 / p99 "
              f"{percentile(got['fills'], 50):.1f} / {percentile(got['fills'], 99):.1f} ms")


if __name__ == "__main__":
    main()
