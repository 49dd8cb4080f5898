"""CPU time per breach on the headline path, without the rest of the enforcement bench:
python -m tests.bench.breach_cpu [--runs N] [--breaches N] [--json FILE] [--profile DIR]
[--pause MS].

Runs the locked-account chain of tests/bench/bench_enforcement.py (sim broker, market, risk,
enforcement; every buy a breach closed by riskd) and prints, per run, each process's utime +
stime per breach (from /proc, the measured breaches only), their total, and the run's
latency p50 / p99. CPU time is what other load on the machine does not change (it only
delays it): compare two versions of the code by it, alternating runs (docs/performance.md,
round 15).

--pause MS waits MS after each breach's close is final before the next buy (round 21: is the
next breach slowed by the last one's tail? docs/performance.md).

--profile DIR records each process with py-spy (a dev tool: pip install py-spy) during the
measured breaches: DIR/<process>.txt, collapsed stacks, and each one's hottest functions.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile

from tests.bench.bench_enforcement import BREACHES, real_chain
from tests.bench.bench_storm import summarize
from tests.bench.report import percentile
from tests.support.harness import run_guarded

COLUMNS = ("simbroker", "market", "risk", "enforcement", "total", "bench", "wall")


def py_spy(out_dir: str):
    """real_chain's `around`: one py-spy recorder per process while the breaches run."""
    spy = shutil.which("py-spy") or os.path.join(os.path.dirname(sys.executable), "py-spy")
    os.makedirs(out_dir, exist_ok=True)

    def start(pids: dict[str, int]):
        recorders = [subprocess.Popen(
            [spy, "record", "--nonblocking", "--threads", "-r", "250", "-f", "raw",
             "-o", os.path.join(out_dir, f"{name}.txt"), "-p", str(pid)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for name, pid in pids.items()]

        def stop() -> None:
            for proc in recorders:
                proc.send_signal(signal.SIGINT)      # py-spy writes its file
            for proc in recorders:
                proc.wait(30)
        return stop
    return start


def one_run(breaches: int, profile: str | None = None, pause: float | None = None
            ) -> dict[str, float]:
    cpu: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        samples, _results = real_chain(pathlib.Path(tmp), breaches, cpu,
                                       around=py_spy(profile) if profile else None, pause=pause)
    cpu["p50"] = percentile(samples, 50)
    cpu["p99"] = percentile(samples, 99)
    return cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.breach_cpu")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--breaches", type=int, default=BREACHES)
    parser.add_argument("--json", help="append each run's figures to this file, one JSON a line")
    parser.add_argument("--profile", metavar="DIR",
                        help="record each process with py-spy into DIR (one run)")
    parser.add_argument("--pause", type=float, default=0.0, metavar="MS",
                        help="wait MS after a breach's close is final before the next buy")
    args = parser.parse_args(argv)
    heads = COLUMNS + ("p50", "p99")
    print("CPU us per breach (utime+stime); latency us\n" + " ".join(f"{h:>11}" for h in heads),
          flush=True)
    runs = []
    with run_guarded():
        for _ in range(args.runs):
            figures = one_run(args.breaches, args.profile, args.pause / 1000)
            runs.append(figures)
            print(" ".join(f"{figures[h]:>11.0f}" for h in heads), flush=True)
            if args.json:
                with open(args.json, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(figures) + "\n")
    if args.profile:
        for name in ("simbroker", "market", "risk", "enforcement"):
            print(f"== {name}\n{summarize(os.path.join(args.profile, f'{name}.txt'), 25)}")
    if len(runs) > 1:
        print(" ".join(f"{statistics.median(r[h] for r in runs):>11.0f}" for h in heads)
              + "  (median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
