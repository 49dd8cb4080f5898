"""What 2 risk shards change on this machine: bench_scale's storm chain with risk as 1 and as 2
shards ([supervisor] risk_shards, docs/scaling.md) at a few account counts.

For each N in SIZES and each shard count in SHARDS: breach -> closeContract at the sim p50/p99
during the 20,000 quotes/s storm, risk's lag (the breach's fill published by market -> risk's
decision published), and risk's CPU during the storm (% of one core, all shards together and
each), with market's beside it: on 2 cores the shards compete with market and the sim.

Run alone: python -m tests.bench --only shards (minutes); RISKD_BENCH_SHARD_SIZES=100,500 and
RISKD_BENCH_SHARDS=1,2 pick the sizes and shard counts.
"""
from __future__ import annotations

import os

from tests.bench.bench_scale import line_side, one_size
from tests.bench.bench_storm import STORM_RATE
from tests.bench.report import percentile

SIZES = tuple(int(x) for x in os.environ.get("RISKD_BENCH_SHARD_SIZES", "100,500").split(","))
SHARDS = tuple(int(x) for x in os.environ.get("RISKD_BENCH_SHARDS", "1,2").split(","))


def run(report) -> None:
    for n in SIZES:
        for k in SHARDS:
            r = one_size(n, risk_shards=k)     # the scale bench's steps: the same storm
            breach_ms = [us / 1000 for us in r["storm"]["breach"]]
            lag = r["storm"]["lag"]
            cpu = r["storm_cpu"]
            risk_cpu = {name: cpu[name][0] for name in r["risk_names"]}
            label = f"shards: {n:>4} accounts, {k} risk shard{'s' if k > 1 else ''}"
            report.add(f"{label}, breach -> closeContract in storm p99",
                       percentile(breach_ms, 99), "ms",
                       note=f"{line_side(breach_ms)}; p50 {percentile(breach_ms, 50):.1f} ms; "
                            f"{len(breach_ms)} breaches; "
                            f"{STORM_RATE:,} q/s over {r['contracts']} contracts")
            report.add(f"{label}, risk's lag (fill -> decision) in storm p99",
                       percentile(lag, 99), "ms", note=f"p50 {percentile(lag, 50):.1f} ms")
            report.add(f"{label}, risk CPU in storm", sum(risk_cpu.values()), "% core",
                       note=", ".join(f"{name} {v:.0f}" for name, v in risk_cpu.items())
                            + f"; market {cpu['market'][0]:.0f}, enforcement "
                              f"{cpu['enforcement'][0]:.0f}")
