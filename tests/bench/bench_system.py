"""System figures of the whole riskd (supervisor + the six default workers on the sim broker).

One riskd run, four phases:
1. idle: no market movement (sim random walk off, no orders) for IDLE_SECONDS after
   SETTLE_SECONDS: CPU of every riskd process (utime+stime from /proc, so a busy machine
   does not inflate it) in % of one core, and resident memory (VmRSS), in total (targets:
   2 % of one core, 250 MB; they are in the floor column, so ratio < 1 meets the target)
   and per process.
2. status freshness: one account holds 1 MNQ; the bench moves MNQ up one tick at a random
   point of every 1/QUOTES_PER_SECOND s slot through the sim's /sim/quote and listens to
   risk's 'status.' topic: the age of each status document at receipt (envelope ts_ns ->
   receive), the interval between consecutive documents of the moving account, and the time
   from a price move to the first status document showing that price (moves superseded
   before risk's next status are never shown and not counted). CPU over this phase too.
3. kill -9 of market, risk and enforcement, KILL_ROUNDS times each: time until the
   supervisor reports the worker running with a new pid, and until it has re-synced (see
   RESYNC for what that means per worker: for enforcement, a close it was retrying when
   killed is finished by the new process); median and max.

supervisor.stable_after is set to STABLE_AFTER so each kill is an isolated first crash
(restarted at once); with the default 60 s a second crash within a minute waits out a
1 s, 2 s, ... backoff by design, which is policy, not recovery time.
"""
from __future__ import annotations

import os
import pathlib
import random
import signal
import tempfile
import time
from decimal import Decimal
from typing import Callable, Optional

import requests
import zmq

from services.risk.app import STATUS_EVERY
from shared import codec
from shared.bus.rpc import RpcClient, RpcTimeout
from shared.bus.sockets import make_socket
from shared.config import load_config
from shared.config.sections import WORKER_NAMES
from shared.messages.market import MarketSnapshot, SnapshotRequest
from shared.messages.enforce import EnforcementStatusRequest
from shared.messages.risk import (AccountStatus, RiskStatusReply, RiskStatusRequest,
                                  SelfLockRequest)
from shared.messages.system import Ping, Pong
from shared.projectx.rest import ProjectXRest
from tests.bench.client import bench_client
from tests.bench import procstat
from tests.bench.report import below, median, percentile
from tests.support.controlkey import keyed
from tests.support.sim import wait_sim_up
from tests.support.env import make_config, wait_for
from tests.support.procs import Procs

IDLE_SECONDS = 60.0
SETTLE_SECONDS = 5.0
FRESHNESS_SECONDS = 15.0
QUOTES_PER_SECOND = 10
SEED = 11
KILL_ROUNDS = 3
KILLED = ("market", "risk", "enforcement")
RECOVERY_TIMEOUT = 30.0
STABLE_AFTER = 3.0
POLL = 0.02                      # s between recovery checks
CPU_TARGET = 2.0                 # % of one core
RSS_TARGET_MB = 250.0
ACCOUNT = 1001
CONTRACT = "CON.F.US.MNQ.Z26"
TICK = Decimal("0.25")
MARKET_ORDER, BUY = 2, 0

RESYNC = {
    "market": "its SnapshotRequest reply shows every broker hub 'connected' and the held position",
    "risk": "its RiskStatusRequest reply shows every account's balance and the held position "
            "priced (state rebuilt from market's snapshot; risk does not persist positions)",
    "enforcement": "its journal reconciled with the broker: the close it was retrying when "
                   "killed (the broker answering 500) finished by the new process, the account "
                   "flat, nothing unfinished left",
}
RESYNC_ACCOUNT = 1002            # self-locked: each buy is a close enforcement must finish
CLOSE = "/api/Position/closeContract"


class System:
    """The running riskd: its config, processes and the requests the bench makes."""

    def __init__(self, procs: Procs, config_path: str):
        self.procs, self.path = procs, config_path
        self.config = load_config(config_path).config
        self.risk_via = ""          # "riskd" (forwarded) or "risk's control socket"

    def workers(self) -> dict:
        return self.procs.workers(self.path)

    def ask(self, address: str, peer: str, msg, timeout: float = 0.5):
        with RpcClient(address, peer, timeout=timeout, retries=0, name="bench") as client:
            return client.call(msg)

    def market_snapshot(self) -> Optional[MarketSnapshot]:
        reply = self.ask(self.config.bus.market_control, "market", SnapshotRequest())
        return reply.body if reply.ok and isinstance(reply.body, MarketSnapshot) else None

    def risk_status(self) -> Optional[RiskStatusReply]:
        if self.risk_via == "riskd":
            reply = self.procs.control_call(self.path, RiskStatusRequest(), timeout=0.5)
        else:
            reply = self.ask(self.config.bus.risk_control, "risk", RiskStatusRequest())
        return reply.body if reply.ok and isinstance(reply.body, RiskStatusReply) else None

    def choose_risk_path(self) -> None:
        """Prefer riskd's control socket (what riskctl uses); risk's own when riskd has no
        forward for RiskStatusRequest."""
        try:
            reply = self.procs.control_call(self.path, RiskStatusRequest(), timeout=2.0)
            self.risk_via = "riskd" if reply.ok else "risk's control socket"
        except RpcTimeout:
            self.risk_via = "risk's control socket"


def positions_of_market(snap: MarketSnapshot) -> set:
    return {(p.account_id, p.contract_id, p.size) for p in snap.positions if p.size}


def positions_of_risk(status: RiskStatusReply) -> set:
    return {(a.account_id, p.contract_id, p.size) for a in status.accounts for p in a.positions
            if p.size}


def market_synced(system: System, held: set) -> bool:
    snap = system.market_snapshot()
    return (snap is not None and len(snap.connections) >= 2
            and all(c.state == "connected" for c in snap.connections)
            and positions_of_market(snap) == held)


def risk_synced(system: System, held: set) -> bool:
    status = system.risk_status()
    return (status is not None and bool(status.accounts)
            and all(a.balance is not None and a.unrealized_complete for a in status.accounts)
            and positions_of_risk(status) == held)


def unfinished(system: System, account: int) -> list:
    reply = system.ask(system.config.bus.enforcement_control, "enforcement",
                       EnforcementStatusRequest())
    if not reply.ok:
        raise RpcTimeout("enforcement status")
    return [c for c in reply.body.commands if c.account_id == account and c.state != "final"]


def enforcement_busy(system: System, client: ProjectXRest, rest_url: str) -> None:
    """Before its kill: enforcement is retrying a close the broker keeps failing (500)."""
    requests.post(rest_url + "/sim/fail", timeout=5,
                  json={"endpoint": CLOSE, "status": 500, "count": 100_000}).raise_for_status()
    client.place_order(RESYNC_ACCOUNT, CONTRACT, MARKET_ORDER, BUY, 1)
    wait_for(lambda: unfinished(system, RESYNC_ACCOUNT), 15,
             what="enforcement retrying the close of the locked account's buy")


def broker_recovers(rest_url: str) -> None:
    requests.post(rest_url + "/sim/fail", timeout=5,
                  json={"endpoint": CLOSE, "status": 500, "count": 0}).raise_for_status()


def enforcement_synced(system: System, client: ProjectXRest, pid: int) -> bool:
    reply = system.ask(system.config.bus.enforcement_control, "enforcement", Ping())
    if not (reply.ok and isinstance(reply.body, Pong) and reply.body.pid == pid):
        return False
    return not unfinished(system, RESYNC_ACCOUNT) and \
        not [p for p in client.open_positions(RESYNC_ACCOUNT) if p.size]


# -- phase 1 and the CPU of phase 2: /proc ------------------------------------------------------

def process_names(system: System, sup_pid: int) -> dict[int, str]:
    names = {sup_pid: "supervisor"}
    names.update({w.pid: w.name for w in system.workers().values() if w.pid})
    return names


def measure_cpu(sup_pid: int, names: dict[int, str], seconds: float,
                during: Callable[[float], None]) -> list[tuple[str, float, float, float]]:
    """(name, cpu % of one core, RSS MB, PSS MB) per riskd process over `seconds` of `during`
    (memory: the larger of the two samples)."""
    pids = procstat.descendants(sup_pid)
    before = {pid: procstat.sample(pid) for pid in pids}
    t0 = time.monotonic()
    during(seconds)
    elapsed = time.monotonic() - t0
    rows = []
    for pid in pids:
        first, last = before[pid], procstat.sample(pid)
        if first is None or last is None or first.stat.starttime != last.stat.starttime:
            raise RuntimeError(f"process {pid} ({names.get(pid, '?')}) ended during the "
                               f"measurement: the figure would be wrong")
        rows.append((names.get(pid, last.stat.comm),
                     procstat.cpu_percent(last.stat.cpu_ticks - first.stat.cpu_ticks, elapsed),
                     max(first.rss_kb, last.rss_kb) / 1024,
                     max(first.pss_kb, last.pss_kb) / 1024))
    return rows


def report_idle(report, rows) -> None:
    total_cpu = sum(r[1] for r in rows)
    total_rss = sum(r[2] for r in rows)
    no_sim = [r for r in rows if r[0] != "simbroker"]
    report.add(f"system: idle CPU, all {len(rows)} riskd processes", total_cpu, "% core",
               goal=below(CPU_TARGET), note=f"{IDLE_SECONDS:g} s, market still; "
               f"without simbroker {sum(r[1] for r in no_sim):.2f} %")
    report.add(f"system: RSS, all {len(rows)} riskd processes", total_rss, "MB",
               goal=below(RSS_TARGET_MB), note=f"without simbroker "
               f"{sum(r[2] for r in no_sim):.0f} MB; PSS (shared pages split) "
               f"{sum(r[3] for r in rows):.0f} MB")
    for name, cpu, rss, pss in sorted(rows, key=lambda r: -r[1]):
        report.add(f"system:   idle CPU {name}", cpu, "% core",
                   note=f"RSS {rss:.0f} MB, PSS {pss:.0f} MB")


# -- phase 2: status freshness --------------------------------------------------------------------

class StatusTap:
    """SUB on risk's PUB, topic 'status.': ages, intervals, and price-move -> status latency."""

    def __init__(self, address: str):
        self.sock = make_socket(zmq.Context.instance(), zmq.SUB, connect=address)
        self.sock.setsockopt(zmq.SUBSCRIBE, b"status.")
        self.ages_ms: list[float] = []
        self.intervals_ms: list[float] = []
        self.move_ms: list[float] = []
        self.moved_at: dict[Decimal, int] = {}     # price -> when the bench posted it (ns)
        self.last_seen: dict[int, int] = {}        # account -> receive ns of its last doc
        self.last_price: Optional[Decimal] = None
        self.recording = False

    def pump(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not self.sock.poll(max(1, int(left * 1000))):
                if left <= 0:
                    return
                continue
            while True:
                try:
                    _topic, body = self.sock.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                self._on(time.time_ns(), codec.decode(body))

    def _on(self, now: int, env) -> None:
        doc = env.msg
        if not isinstance(doc, AccountStatus):
            return
        price = next((p.last for p in doc.positions if p.contract_id == CONTRACT), None)
        if doc.account_id == ACCOUNT and price is not None:
            self.last_price = price
        if not self.recording:
            return
        self.ages_ms.append((now - env.ts_ns) / 1e6)
        if doc.account_id == ACCOUNT:
            if ACCOUNT in self.last_seen:
                self.intervals_ms.append((now - self.last_seen[ACCOUNT]) / 1e6)
            self.last_seen[ACCOUNT] = now
            posted = self.moved_at.pop(price, None) if price is not None else None
            if posted is not None:
                self.move_ms.append((now - posted) / 1e6)

    def close(self) -> None:
        self.sock.close(0)


def move_market(tap: StatusTap, rest_url: str, seconds: float) -> None:
    """One tick up in each 1/QUOTES_PER_SECOND s slot, at a random point of it (each price new,
    so each is recognisable; random, so the moves do not lock to risk's status timer)."""
    session = requests.Session()
    rng = random.Random(SEED)
    price = tap.last_price
    tap.recording = True
    period = 1.0 / QUOTES_PER_SECOND
    start = time.monotonic()
    for i in range(int(seconds * QUOTES_PER_SECOND)):
        tap.pump(max(0.0, start + (i + rng.random()) * period - time.monotonic()))
        price += TICK
        tap.moved_at[price] = time.time_ns()
        reply = session.post(rest_url + "/sim/quote", json={"contractId": CONTRACT,
                                                             "lastPrice": str(price)}, timeout=5)
        reply.raise_for_status()
        tap.pump(max(0.0, start + (i + 1) * period - time.monotonic()))
    tap.pump(0.5)          # the last moves' documents
    tap.recording = False


def report_freshness(report, tap: StatusTap, cpu_rows) -> None:
    if not tap.ages_ms:
        raise RuntimeError("no status document from risk on 'status.' during the market moves")
    report.add("system: status doc age at subscriber p50", percentile(tap.ages_ms, 50), "ms",
               note=f"{len(tap.ages_ms)} docs; envelope ts_ns -> receive")
    report.add("system: status doc age at subscriber p99", percentile(tap.ages_ms, 99), "ms")
    report.add("system: status interval, moving account p50", percentile(tap.intervals_ms, 50),
               "ms", note=f"{QUOTES_PER_SECOND} ticks/s on a held contract")
    report.add("system: status interval, moving account p99", percentile(tap.intervals_ms, 99),
               "ms")
    missed = FRESHNESS_SECONDS * QUOTES_PER_SECOND - len(tap.move_ms)
    report.add("system: price move -> status shows it p50", percentile(tap.move_ms, 50), "ms",
               note=f"/sim/quote posted -> first status doc with that price; {len(tap.move_ms)} "
               f"seen, {missed:.0f} superseded before a doc (risk publishes changed accounts "
               f"every {STATUS_EVERY * 1000:.0f} ms)")
    report.add("system: price move -> status shows it p99", percentile(tap.move_ms, 99), "ms")
    report.add(f"system: CPU, quotes at {QUOTES_PER_SECOND}/s on a held contract, all",
               sum(r[1] for r in cpu_rows), "% core",
               note=", ".join(f"{r[0]} {r[1]:.1f}"
                              for r in sorted(cpu_rows, key=lambda r: -r[1])))


# -- phase 3: kill -9 and recovery -------------------------------------------------------------

def kill_and_recover(system: System, name: str, check: Callable[[int], bool],
                     before: Callable[[], None] = lambda: None,
                     after: Callable[[], None] = lambda: None) -> tuple[float, float]:
    """(s until running with a new pid, s until re-synced) after kill -9 of the worker;
    `before` sets up what it must re-sync, `after` runs right after the kill."""
    wait_for(lambda: (system.workers()[name].uptime_s or 0) >= STABLE_AFTER + 0.3, 20,
             what=f"{name} to have been up {STABLE_AFTER:g} s")
    before()
    old = system.workers()[name].pid
    t0 = time.monotonic()
    os.kill(old, signal.SIGKILL)
    after()
    back: Optional[float] = None
    new_pid = None
    deadline = t0 + RECOVERY_TIMEOUT
    while time.monotonic() < deadline:
        try:
            if back is None:
                info = system.workers()[name]
                if info.state == "running" and info.pid not in (None, old):
                    back, new_pid = time.monotonic() - t0, info.pid
            if back is not None and check(new_pid):
                return back, time.monotonic() - t0
        except RpcTimeout:
            pass
        time.sleep(POLL)
    raise RuntimeError(f"{name} was not back and re-synced within {RECOVERY_TIMEOUT:g} s of "
                       f"kill -9 (back: {back})")


def report_recovery(report, system: System, times: dict[str, list[tuple[float, float]]]) -> None:
    for name, samples in times.items():
        synced = [s for _, s in samples]
        back = [b for b, _ in samples]
        rounds = ", ".join(f"{x * 1000:.0f}" for x in synced)
        report.add(f"system: kill -9 {name} -> re-synced, median", median(synced) * 1000, "ms",
                   note=f"{len(samples)} kills ({rounds} ms); "
                   f"running again after median {median(back) * 1000:.0f} ms; "
                   f"re-synced = {RESYNC[name]}"
                   + (f" (asked via {system.risk_via})" if name == "risk" else ""))
        report.add(f"system: kill -9 {name} -> re-synced, max", max(synced) * 1000, "ms")
        report.add(f"system: kill -9 {name} -> running again, max", max(back) * 1000, "ms",
                   goal=below(2000), note="issue 2: a killed worker runs again within 2 s")


# -- the run --------------------------------------------------------------------------------------

def run(report) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = pathlib.Path(tmp)
        path = make_config(tmp_path, workers=list(WORKER_NAMES),
                           broker={"sim": {"tick_interval": 0}},
                           supervisor={"stable_after": STABLE_AFTER})
        procs = Procs(tmp_path)
        tap = None
        try:
            sup = procs.riskd(path, timeout=30)
            procs.wait_running(path, WORKER_NAMES, timeout=40)
            system = System(procs, path)
            broker = system.config.broker
            rest_url = broker.endpoints()[0]
            wait_sim_up(rest_url)
            wait_for(lambda: market_synced(system, set()), 30,
                     what="market connected to the sim")
            bench_client(rest_url, broker).place_order(
                ACCOUNT, CONTRACT, MARKET_ORDER, BUY, 1)
            held = {(ACCOUNT, CONTRACT, 1)}
            wait_for(lambda: market_synced(system, held), 15, what="market to see the position")
            system.choose_risk_path()
            wait_for(lambda: risk_synced(system, held), 15, what="risk to price the position")
            tap = StatusTap(system.config.bus.risk_pub)
            wait_for(lambda: tap.pump(0.1) or tap.last_price is not None, 15,
                     what="risk's status document of the held position")

            # 1. idle
            time.sleep(SETTLE_SECONDS)             # let start-up work finish; not a sync
            names = process_names(system, sup.pid)
            tap.pump(0.01)
            idle = measure_cpu(sup.pid, names, IDLE_SECONDS, tap.pump)
            report_idle(report, idle)

            # 2. status freshness while the market moves
            moving = measure_cpu(sup.pid, names, FRESHNESS_SECONDS,
                                 lambda s: move_market(tap, rest_url, s))
            report_freshness(report, tap, moving)

            # 3. kill -9, back and re-synced
            client = bench_client(rest_url, broker)
            lock = system.ask(system.config.bus.risk_control, "risk", keyed(path, SelfLockRequest(
                account=str(RESYNC_ACCOUNT), session=True, reason="bench: re-sync")), timeout=5)
            assert lock.ok, lock.reason
            checks = {"market": lambda _pid: market_synced(system, held),
                      "risk": lambda _pid: risk_synced(system, held),
                      "enforcement": lambda pid: enforcement_synced(system, client, pid)}
            around = {"enforcement": (lambda: enforcement_busy(system, client, rest_url),
                                      lambda: broker_recovers(rest_url))}
            times: dict[str, list[tuple[float, float]]] = {n: [] for n in KILLED}
            for _ in range(KILL_ROUNDS):
                for name in KILLED:
                    times[name].append(kill_and_recover(system, name, checks[name],
                                                        *around.get(name, ())))
            report_recovery(report, system, times)
        finally:
            if tap is not None:
                tap.close()
            procs.cleanup()
