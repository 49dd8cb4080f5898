"""Run every benchmark and print one table: python -m tests.bench [--only NAME] [--json FILE]
[--check].

Each row shows its figure, the floor measured in the same run, the ratio, and the goal written
in the issues; --check (make bench CHECK=1) exits 1 when a row misses its goal.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback

from tests.bench.report import Report
from tests.support.harness import run_guarded

# Explicit list: (name, module). Each module has run(report).
BENCHES = (
    ("control", "tests.bench.bench_control"),
    ("market", "tests.bench.bench_market"),
    ("simbroker", "tests.bench.bench_simbroker"),
    ("rules", "tests.bench.bench_rules"),
    ("logging", "tests.bench.bench_logging"),
    ("enforcement", "tests.bench.bench_enforcement"),
    ("wide", "tests.bench.bench_wide"),
    ("storm", "tests.bench.bench_storm"),
    ("scale", "tests.bench.bench_scale"),
    ("shards", "tests.bench.bench_shards"),
    ("system", "tests.bench.bench_system"),
    ("watch", "tests.bench.bench_watch"),
    ("notify", "tests.bench.bench_notify"),
    ("replay", "tests.bench.bench_replay"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--only", action="append", help="run only this benchmark (repeatable)")
    parser.add_argument("--json", default=os.path.join("var", "bench-results.json"),
                        help="where to write the table as JSON")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when a row misses the goal written beside it")
    args = parser.parse_args(argv)
    report = Report()
    failed = []
    with run_guarded():           # Ctrl-C, SIGTERM, a timeout: nothing it started outlives it
        for name, module in BENCHES:
            if args.only and name not in args.only:
                continue
            print(f"== {name}", flush=True)
            try:
                importlib.import_module(module).run(report)
            except Exception:
                traceback.print_exc()
                failed.append(name)
    report.print_table()
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    report.save(args.json)
    print(f"\nwritten to {args.json}")
    if failed:
        print(f"benchmarks that failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    missed = report.missed()
    met = [r for r in report.rows if r.met]
    print(f"goals: {len(met)} met, {len(missed)} missed"
          + "".join(f"\n  MISSED {r.name}: {r.value:.1f} {r.unit}, goal {r.goal.text(r.unit)}"
                    for r in missed))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
