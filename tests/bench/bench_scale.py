"""How many accounts one box guards: the storm chain of bench_storm with more and more accounts.

For each N in SIZES: the sim lists N more accounts (broker.sim.accounts in the config, no sim
change), each with 2 open positions and 2 working orders on the sim's contracts (up to
CONTRACTS of them; account 1002 rests an order in each, so market subscribes all of their
quotes whatever N). Then, in that order:
- idle: CPU (utime+stime from /proc, in % of one core) of market, risk and enforcement over
  IDLE_SECONDS with nothing moving, and their resident memory (VmRSS);
- storm: /sim/burst at 20,000 quotes/s over the contracts while account 1001 (locked by its
  trader: every buy is a breach) breaches one buy after the other: breach trade ->
  closeContract at the sim p50/p99, and risk's lag: the breach's fill published by market ->
  risk's decision published (both envelope stamps, this machine's clock), which holds risk's
  queue behind the quotes, its engine and its SQLite commit.

Run alone: python -m tests.bench --only scale (minutes); RISKD_BENCH_SCALE=1,10,100 picks sizes.
"""
from __future__ import annotations

import os
import pathlib
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from shared.projectx.rest import ProjectXRest
from tests.bench.client import bench_client
from tests.bench import procstat
from tests.bench.bench_storm import (BUY, LIMIT, MARKET, SCALE_FIRST, STORM_BREACHES, STORM_RATE,
                                     Chain)
from tests.bench.report import percentile
from tests.support.env import wait_for

SIZES = tuple(int(x) for x in
              os.environ.get("RISKD_BENCH_SCALE", "1,10,100,500,1000").split(","))
CONTRACTS = 20
IDLE_SECONDS = 10.0
SETUP_THREADS = 8
# The line: the README states how many accounts keep breach -> closeContract p99 under
# it (the figure row below). A size over it is a measurement, not a missed goal: on 2 cores one
# box is expected to hit a limit somewhere (issue 21 item 3: "how many accounts one box guards").
BREACH_P99_TARGET_MS = 20.0
PROCESSES = ("market", "risk", "enforcement")


def populate(chain: Chain, n: int) -> None:
    """2 positions and 2 working orders in each of the n accounts, from SETUP_THREADS clients."""
    broker = chain.config.broker
    contracts = chain.contracts
    specs = {cid: chain.client.contract_by_id(cid) for cid in contracts}

    def one(k: int, client: ProjectXRest) -> None:
        acct = SCALE_FIRST + k
        for j in range(2):
            client.place_order(acct, contracts[(2 * k + j) % len(contracts)], MARKET, BUY, 1)
        for j in range(2, 4):
            cid = contracts[(2 * k + j) % len(contracts)]
            client.place_order(acct, cid, LIMIT, BUY, 1, limit_price=specs[cid].tick_size)

    def worker(i: int) -> None:
        client = bench_client(chain.rest_url, broker, timeout=10)
        try:
            for k in range(i, n, SETUP_THREADS):
                one(k, client)
        finally:
            client.close()
    with ThreadPoolExecutor(SETUP_THREADS) as pool:
        list(pool.map(worker, range(SETUP_THREADS)))

    def risk_sees_all() -> bool:
        held = sum(1 for status in chain.risk_status() for a in status.accounts
                   if a.account_id >= SCALE_FIRST for p in a.positions if p.size)
        return held >= 2 * n
    wait_for(risk_sees_all, 60 + n / 5, interval=1.0, what=f"risk to hold {2 * n} positions")


def processes(chain: Chain) -> list[str]:
    """market, risk (or each of its shards), enforcement."""
    return [n for p in PROCESSES for n in (chain.risk_names if p == "risk" else [p])]


def cpu_during(chain: Chain, work) -> tuple[dict[str, tuple[float, float]], object]:
    """(name -> (cpu % of one core, RSS MB) while work() ran, what work() returned)."""
    names = processes(chain)
    before = {name: procstat.sample(chain.pids[name]) for name in names}
    t0 = time.monotonic()
    result = work()
    elapsed = time.monotonic() - t0
    out = {}
    for name in names:
        first, last = before[name], procstat.sample(chain.pids[name])
        out[name] = (procstat.cpu_percent(last.stat.cpu_ticks - first.stat.cpu_ticks, elapsed),
                     max(first.rss_kb, last.rss_kb) / 1024)
    return out, result


def idle_figures(chain: Chain) -> dict[str, tuple[float, float]]:
    """name -> (cpu % of one core, RSS MB) over IDLE_SECONDS."""
    return cpu_during(chain, lambda: time.sleep(IDLE_SECONDS))[0]


def one_size(n: int, risk_shards: int = 1) -> dict:
    """One chain with n more accounts: idle figures, then the storm, with each process's CPU
    during the storm (storm_cpu). Every caller (this bench, bench_shards) runs the same steps
    before the storm: the shards bench once skipped the idle phase, and its one-shard run of
    the same accounts started its storm 2 s after set-up instead of 12 s: in round 13's
    interleaved runs (100 accounts, machine loaded) breach p99 427 and 520 ms without the idle
    phase against 50 and 210 ms with it, risk using less CPU meanwhile (the chain had not
    settled: its lag was not its own work)."""
    with tempfile.TemporaryDirectory() as tmp:
        chain = Chain(pathlib.Path(tmp), accounts=n, contracts=CONTRACTS,
                      risk_shards=risk_shards)
        try:
            t0 = time.monotonic()
            chain.start()
            populate(chain, n)
            setup_s = time.monotonic() - t0
            time.sleep(2.0)                    # start-up work settles; not a sync
            idle = idle_figures(chain)
            storm_cpu, storm = cpu_during(chain, lambda: chain.phase(STORM_BREACHES, storm=True))
        finally:
            chain.close()
    return {"n": n, "idle": idle, "storm": storm, "storm_cpu": storm_cpu, "setup_s": setup_s,
            "contracts": len(chain.contracts), "risk_names": chain.risk_names}


def line_side(breach_ms: list[float]) -> str:
    """Which side of the 20 ms line a size's breach p99 falls (the figure row counts them)."""
    over = percentile(breach_ms, 99) >= BREACH_P99_TARGET_MS
    return f"{'over' if over else 'under'} the {BREACH_P99_TARGET_MS:.0f} ms line"


def run(report) -> None:
    results = []
    for n in SIZES:
        r = one_size(n)
        results.append(r)
        breach_ms = [us / 1000 for us in r["storm"]["breach"]]
        lag = r["storm"]["lag"]
        idle = r["idle"]
        label = f"scale: {n:>4} accounts"
        report.add(f"{label}, breach -> closeContract in storm p99", percentile(breach_ms, 99),
                   "ms", note=f"{line_side(breach_ms)}; p50 {percentile(breach_ms, 50):.1f} ms; "
                              f"{len(breach_ms)} breaches; "
                        f"{STORM_RATE:,} q/s over {r['contracts']} contracts; "
                        f"{r['storm']['others_closed']} positions of the other accounts "
                        f"closed meanwhile (their daily_unrealized_loss)")
        report.add(f"{label}, risk's lag (fill -> decision) in storm p99", percentile(lag, 99),
                   "ms", note=f"p50 {percentile(lag, 50):.1f} ms")
        report.add(f"{label}, RSS market+risk+enforcement", sum(v[1] for v in idle.values()), "MB",
                   note=", ".join(f"{k} {v[1]:.0f}" for k, v in idle.items()))
        report.add(f"{label}, idle CPU market+risk+enforcement",
                   sum(v[0] for v in idle.values()), "% core",
                   note=", ".join(f"{k} {v[0]:.2f}" for k, v in idle.items())
                        + f"; set-up {r['setup_s']:.0f} s")
    under = [r["n"] for r in results
             if percentile([us / 1000 for us in r["storm"]["breach"]], 99) < BREACH_P99_TARGET_MS]
    over = [r["n"] for r in results if r["n"] not in under]
    report.add("scale: most accounts with storm breach p99 under 20 ms", max(under or [0]),
               "accounts", note=f"under at {', '.join(map(str, under)) or 'none'}; over at "
                                f"{', '.join(map(str, over)) or 'none'}; this machine, this run")
