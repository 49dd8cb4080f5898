"""A market-wide move: N accounts long the same contract, one price drop breaches all of them.

A desk's accounts all hold MNQ; one /sim/quote drops MNQ far enough that each account's open
loss passes daily_unrealized_loss (shipped: 200, scope position -> close that position), so
risk sends N close_position commands at once and enforcement has N closes to run together.
Measured: the move (the bench's clock just before POST /sim/quote; the sim runs on this
machine's clock) -> the market order the sim creates for each account's closeContract (its
creationTimestamp, the sim's clock): p50 and the last one. Before docs/performance.md
"A market-wide move", a close held its pool thread through its 50 ms settle, so with 4
threads the closes went out in waves of 4, one wave per ~55 ms. Also enforcement's resident
memory (VmRSS) and CPU over IDLE_SECONDS idle before the move and again after it (a command
waiting out its settle must leave nothing behind).

Run alone: python -m tests.bench --only wide; RISKD_BENCH_WIDE=20,100 picks the sizes;
RISKD_BENCH_WIDE_TRACE=1 prints each close's result times (ms from the move: risk's event,
enforcement's start, the closeContract's answer, final) to see where the time goes.
"""
from __future__ import annotations

import os
import pathlib
import tempfile
import time

import requests

from shared.bus.rpc import RpcClient
from shared.messages.enforce import CommandResult
from shared.messages.risk import RiskStatusRequest
from tests.bench import procstat
from tests.bench.bench_enforcement import _finished, _results_tap, start_chain
from tests.bench.client import bench_client
from tests.bench.report import percentile
from tests.support.env import make_config, wait_for
from tests.support.procs import Procs

SIZES = tuple(int(x) for x in os.environ.get("RISKD_BENCH_WIDE", "20,100").split(","))
FIRST = 6101
MNQ = "CON.F.US.MNQ.Z26"
MARKET, BUY, SELL = 2, 0, 1
OPEN_PRICE = 21000
# MNQ is $2 a point: 140 points on 1 contract is a $280 open loss, past the shipped
# daily_unrealized_loss (200, scope position: close_position) and short of daily_net_loss
# (600: flatten), so each account gets exactly one command, a close
MOVED_PRICE = OPEN_PRICE - 140
IDLE_SECONDS = 5.0


def one_move(tmp: pathlib.Path, n: int) -> dict:
    """The chain with n accounts each long 1 MNQ; one drop; ms from the drop to each close."""
    accounts = list(range(FIRST, FIRST + n))
    listed = [{"id": a, "name": f"W-{a}"} for a in accounts]
    # every rule as shipped. Changed: the real 200 calls/min budget is lifted (as in every
    # bench: this row measures enforcement's pool, not the gateway's rate limit, which would
    # pace a 100-account close-out over the minute); the sim lists and riskd guards the desk's
    # n accounts; no random walk (tick_interval 0), so only the bench moves MNQ
    config = make_config(tmp, broker={"rate_limit": 100_000, "sim": {
        "tick_interval": 0, "accounts": listed}}, accounts=listed, logging={"level": "WARNING"})
    procs = Procs(tmp)
    pids: dict[str, int] = {}
    try:
        loaded, rest_url = start_chain(procs, config, pids)
        tap = _results_tap(loaded.bus.enforcement_pub)
        session = requests.Session()

        def quote(price: int) -> None:
            session.post(rest_url + "/sim/quote", timeout=5,
                         json={"contractId": MNQ, "lastPrice": price}).raise_for_status()
        with RpcClient(loaded.bus.risk_control, "risk", timeout=5, retries=5) as risk:
            wait_for(lambda: len(risk.call(RiskStatusRequest()).body.accounts) >= n, 30 + n / 5,
                     what="risk to know every account")
            client = bench_client(rest_url, loaded.broker, timeout=10)
            quote(OPEN_PRICE)
            for a in accounts:
                client.place_order(a, MNQ, MARKET, BUY, 1)

            def all_long() -> bool:
                held = {a.account_id for a in risk.call(RiskStatusRequest()).body.accounts
                        for p in a.positions if p.size}
                return held >= set(accounts)
            wait_for(all_long, 30 + n / 5, interval=0.2, what=f"risk to hold {n} positions")
        time.sleep(1.0)                   # the buys' own work (journals, logs) is over
        idle_before = idle(pids["enforcement"])
        seen: dict[str, CommandResult] = {}
        _finished(tap, seen, "close_position")           # nothing before the move counts
        seen.clear()
        moved_ns = time.time_ns()
        quote(MOVED_PRICE)
        wait_for(lambda: _finished(tap, seen, "close_position") >= n, 30 + n / 2, interval=0.0,
                 what=f"{n} closes")
        tap.close(0)
        ms = []
        for a in accounts:
            closes = [o.created_ns for o in client.search_orders(a, moved_ns)
                      if o.type == MARKET and o.side == SELL]
            if len(closes) != 1:
                raise RuntimeError(f"account {a}: {len(closes)} closeContract orders, expected 1")
            ms.append((closes[0] - moved_ns) / 1e6)
        client.close()
        time.sleep(1.0)                   # the closes' own work is over
        idle_after = idle(pids["enforcement"])
    finally:
        procs.cleanup()
    done_ms = sorted((r.finished_ns - moved_ns) / 1e6 for r in seen.values())
    if os.environ.get("RISKD_BENCH_WIDE_TRACE"):
        for r in sorted(seen.values(), key=lambda r: r.started_ns):
            print(f"{r.account_id} event {(r.event_ns - moved_ns) / 1e6:7.1f} started "
                  f"{(r.started_ns - moved_ns) / 1e6:7.1f} answered "
                  f"{(r.first_answer_ns - moved_ns) / 1e6:7.1f} final "
                  f"{(r.finished_ns - moved_ns) / 1e6:7.1f} calls {r.broker_calls}")
    return {"n": n, "ms": sorted(ms), "done_ms": done_ms, "idle": (idle_before, idle_after)}


def idle(pid: int) -> tuple[float, float]:
    """(% of one core, VmRSS MB) of the process over IDLE_SECONDS with nothing to do."""
    first = procstat.sample(pid)
    t0 = time.monotonic()
    time.sleep(IDLE_SECONDS)
    last = procstat.sample(pid)
    cpu = procstat.cpu_percent(last.stat.cpu_ticks - first.stat.cpu_ticks, time.monotonic() - t0)
    return cpu, last.rss_kb / 1024


def run(report) -> None:
    for n in SIZES:
        with tempfile.TemporaryDirectory() as tmp:
            r = one_move(pathlib.Path(tmp), n)
        ms, label = r["ms"], f"wide move: {n:>3} accounts, move -> closeContract"
        note = (f"{n} accounts long 1 MNQ, one drop: daily_unrealized_loss closes each; "
                f"first {ms[0]:.1f} ms, every close final after {r['done_ms'][-1]:.1f} ms")
        report.add(f"{label} p50", percentile(ms, 50), "ms", note=note)
        report.add(f"{label} last", ms[-1], "ms", note=note)
        (cpu0, rss0), (cpu1, rss1) = r["idle"]
        report.add(f"wide move: {n:>3} accounts, enforcement idle RSS after", rss1, "MB",
                   note=f"{rss0:.1f} MB idle before the move")
        report.add(f"wide move: {n:>3} accounts, enforcement idle CPU after", cpu1, "% core",
                   note=f"{cpu0:.2f} % idle before the move; {IDLE_SECONDS:.0f} s each")
