"""Fills first: the fill and breach paths on an idle market and during a quote storm.

One chain of real processes (sim broker, market, risk, enforcement; nothing mocked), account
1001 locked by its trader so every buy is a breach that risk answers with close_position, and
account 1002 holding a resting order in each of STORM_CONTRACTS contracts (so market subscribes
their quotes). Per phase, breaches one after the other (the next buy when the previous close
has its final result):
- sim trade -> fill on the bus: the Fill's trade time (the sim's clock) to its arrival at a
  subscriber of market's 'fill' topic (every fill: the buys and riskd's closes);
- breach trade -> closeContract at the sim: the buy's trade creationTimestamp to the
  creationTimestamp of the order the sim creates for riskd's close (both the sim's clock).
Phase idle: no quote moves. Phase storm: /sim/burst at STORM_RATE quotes/s over the contracts;
only breaches placed while it runs count.

RUNS runs, each a fresh chain; each figure is the median over the runs of its per-run
percentile, so one noisy run neither hides nor invents a regression. The storm rows have the
idle figure of the same run as their floor, with the goals of issue 21.

`python -m tests.bench.bench_storm --profile DIR` runs one chain and records each process
with py-spy (a dev tool: pip install py-spy) during the storm: DIR/<process>.txt (collapsed
stacks) and a summary of the hottest functions on stdout; see docs/performance.md.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime

import requests
import zmq
from websockets.sync.client import connect as ws_connect

from shared import codec, shards, topics
from shared.bus.rpc import RpcClient
from shared.bus.sockets import make_socket
from shared.config import load_config
from shared.messages.enforce import FINAL_STATUSES, CommandResult
from shared.messages.market import Fill
from shared.messages.risk import LockoutsRequest, RiskStatusRequest, SelfLockRequest
from shared.projectx.realtime import user_payloads
from tests.bench.client import bench_client
from tests.bench.bench_enforcement import RULES, _results_tap, breach_latencies
from tests.bench.report import median, percentile, within
from tests.support.env import make_config, wait_for
from tests.support.procs import Procs
from tests.support.controlkey import give_key, keyed
from tests.support.sim import wait_sim_up

RUNS = int(os.environ.get("RISKD_BENCH_RUNS", "3"))   # fewer for a quick look
ACCOUNT, OTHER = 1001, 1002
MNQ = "CON.F.US.MNQ.Z26"
LIMIT, MARKET, BUY = 1, 2, 0
IDLE_BREACHES = 100
STORM_BREACHES = 300          # at most; the storm's length bounds them
STORM_RATE = 20_000
STORM_CONTRACTS = 10
STORM_SECONDS = 12.0          # long enough for a p99 of more than a dozen breaches
WARMUP = 10
SCALE_FIRST = 3001             # bench_scale's accounts: 3001, 3002, ...
WORKERS = ("services.market", "services.risk", "services.enforcement")


def _trade_ns(stamp: str) -> int:
    """'2026-11-25T10:57:26.1234567+00:00' -> UTC ns (the sim's 100 ns ticks)."""
    base, _, rest = stamp.partition(".")
    frac = rest[:rest.index("+")] if "+" in rest else rest.rstrip("Z")
    seconds = int(datetime.fromisoformat(base + "+00:00").timestamp())
    return seconds * 1_000_000_000 + int(frac.ljust(9, "0")[:9])


def trade_stamps(frame: str) -> list[int]:
    """The creation time (UTC ns) of every GatewayUserTrade in a user-hub frame, in every shape
    the sim sends as the gateway does (wrapped or bare, one or a list, a null beside it). Until
    round 23 only the wrapped single trade was read: one trade in three, so the sim's share rows
    had a third of their samples."""
    stamps = []
    for record in frame.split("\x1e"):
        doc = json.loads(record) if record else {}
        if doc.get("target") == "GatewayUserTrade":
            stamps += [_trade_ns(trade["creationTimestamp"])
                       for trade in user_payloads(doc.get("arguments", []))
                       if "creationTimestamp" in trade]
    return stamps


class SimShare:
    """A bare websocket client on the sim's user hub (no signalrcore, no riskd): sim trade ->
    its frame here is the sim's own share of the fill path, the reference for what riskd adds.
    It pings the hub every `ping_every` s, as a SignalR client does: the sim closes a client
    silent for 30 s (services/simbroker/hubs.py), and until round 23 this one went deaf ~30 s
    after it connected (a chain that ran longer lost the sim's share of its last trades)."""

    ping_every = 10.0       # s

    def __init__(self, hub_url: str, token: str):
        self.ms: list[tuple[int, float]] = []
        self._stop = threading.Event()
        self._ws = ws_connect(hub_url.replace("http", "ws", 1) + "?access_token=" + token)
        self._ws.send('{"protocol":"json","version":1}\x1e')
        self._ws.recv(timeout=10)
        self._ws.send('{"type":1,"target":"SubscribeTrades","arguments":[%d]}\x1e' % ACCOUNT)
        self._thread = threading.Thread(target=self._read, daemon=True, name="bench-simshare")
        self._thread.start()

    def _read(self) -> None:
        next_ping = time.monotonic() + self.ping_every
        while not self._stop.is_set():
            if time.monotonic() >= next_ping:
                next_ping = time.monotonic() + self.ping_every
                try:
                    self._ws.send('{"type":6}\x1e')
                except Exception:
                    return
            try:
                frame = self._ws.recv(timeout=0.2)
            except TimeoutError:
                continue
            except Exception:
                return
            now = time.time_ns()
            for t0 in trade_stamps(frame):
                self.ms.append((t0, (now - t0) / 1e6))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._ws.close()


def waiting(sock: zmq.Socket):
    """(receive ns, envelope) of every message waiting on a SUB tap, without blocking."""
    while True:
        try:
            _topic, body = sock.recv_multipart(zmq.NOBLOCK)
        except zmq.Again:
            return
        yield time.time_ns(), codec.decode(body)


class Chain:
    """The running chain of one run: processes, REST client, taps on fills and results."""

    def __init__(self, tmp: pathlib.Path, accounts: int = 0, contracts: int = STORM_CONTRACTS,
                 risk_shards: int = 1):
        """accounts: how many more sim accounts beside 1001 and 1002 (bench_scale);
        risk_shards: risk as that many shards (bench_shards, docs/scaling.md)."""
        sim: dict = {"tick_interval": 0}
        if accounts:
            sim["accounts"] = [{"id": ACCOUNT, "name": "SIM-BREACH"},
                               {"id": OTHER, "name": "SIM-QUOTES"}] + \
                [{"id": SCALE_FIRST + k, "name": f"SIM-{k}"} for k in range(accounts)]
        self.n_contracts = contracts
        self.n_accounts = 2 + accounts
        # the real 200 calls/min would pace the breaches over minutes: the bench lifts it
        self.path = make_config(tmp, broker={"rate_limit": 100_000, "sim": sim},
                                profiles={"default": {"rules": RULES}},
                                supervisor={"risk_shards": risk_shards},
                                logging={"level": os.environ.get("RISKD_BENCH_LOG", "WARNING")})
        self.config = load_config(self.path).config
        self.rest_url = self.config.broker.endpoints()[0]
        self.procs = Procs(tmp)
        self.pids: dict[str, int] = {}
        self.fills = make_socket(zmq.Context.instance(), zmq.SUB,
                                 connect=self.config.bus.market_pub)
        self.fills.setsockopt(zmq.SUBSCRIBE, topics.FILL.encode())
        self.fill_ms: list[tuple[int, float]] = []        # (trade ns, ms to the bus)
        self.risk_shards = risk_shards
        self.risk_names = shards.names(risk_shards)
        self.decisions = make_socket(zmq.Context.instance(), zmq.SUB,
                                     connect=shards.all_pubs(self.config))
        self.decisions.setsockopt(zmq.SUBSCRIBE, topics.DECISION.encode())
        self.lag_ms: list[float] = []      # a breach's fill published -> risk's decision published
        self._buy_fill_ns = 0
        self._decisions_ns: list[int] = []      # of account 1001, since the last buy
        self.results = None
        self.seen: dict[str, CommandResult] = {}
        self.others_closed = 0          # closes of other accounts' breaches (bench_scale's)
        self.client = None
        self.share = None

    def start(self) -> None:
        broker = self.config.broker
        give_key(self.path)     # as the supervisor would: the workers take a lockout only with it
        self.pids["simbroker"] = self.procs.worker("services.simbroker", self.path).pid
        wait_sim_up(self.rest_url, 20)
        for module in WORKERS:
            if module != "services.risk":
                self.pids[module.split(".")[1]] = self.procs.worker(module, self.path).pid
                continue
            for k, name in enumerate(self.risk_names):
                env = {shards.SHARD_ENV: str(k)} if self.risk_shards > 1 else None
                self.pids[name] = self.procs.worker(module, self.path, env, name).pid
        self.results = _results_tap(self.config.bus.enforcement_pub)
        self.poller = zmq.Poller()
        self.poller.register(self.fills, zmq.POLLIN)
        self.poller.register(self.results, zmq.POLLIN)
        self.poller.register(self.decisions, zmq.POLLIN)
        time.sleep(0.5)                 # the taps' subscriptions reach the publishers
        def synced():
            bodies = self.risk_status(timeout=2)
            return all(b.market_synced for b in bodies) and \
                sum(len(b.accounts) for b in bodies) >= self.n_accounts
        wait_for(synced, 30 + self.n_accounts / 10,
                 what="risk to know the accounts, synced with market's complete snapshot")
        owner = self.risk_names[shards.shard_of(ACCOUNT, self.risk_shards)]
        with RpcClient(self.config.bus.control_of(owner), owner, timeout=2, retries=5) as risk:
            reply = risk.call(keyed(self.path, SelfLockRequest(
                account=str(ACCOUNT), session=True, reason="bench: every buy is a breach")))
            assert reply.ok, reply.reason
            # the account is flat: the lockout needs no flatten, only to be in force
            wait_for(lambda: risk.call(LockoutsRequest(account=str(ACCOUNT))).body.lockouts,
                     20, what="the self-lockout in force")
        self.client = bench_client(self.rest_url, broker, timeout=5)
        self.contracts = [c.id for c in self.client.search_contracts("")][:self.n_contracts]
        for cid in self.contracts:      # resting buys far below the market: quotes flow
            self.client.place_order(OTHER, cid, LIMIT, BUY, 1,
                                    limit_price=self.client.contract_by_id(cid).tick_size)
        self.share = SimShare(broker.endpoints()[1], self.client.ensure_token())
        self.breaches(WARMUP)
        time.sleep(1.0)                 # the quote subscriptions settle

    def risk_status(self, timeout: float = 10) -> list:
        """Every risk shard's RiskStatusReply (one with a single risk)."""
        out = []
        for name in self.risk_names:
            with RpcClient(self.config.bus.control_of(name), name, timeout=timeout,
                           retries=5) as risk:
                out.append(risk.call(RiskStatusRequest()).body)
        return out

    def pump_fills(self) -> None:
        for now, env in waiting(self.fills):
            msg = env.msg
            if isinstance(msg, Fill):
                self.fill_ms.append((msg.ts_ns, (now - msg.ts_ns) / 1e6))
                if msg.account_id == ACCOUNT and msg.side == BUY and not self._buy_fill_ns:
                    self._buy_fill_ns = env.ts_ns

    def pump_decisions(self) -> None:
        for _now, env in waiting(self.decisions):
            if getattr(env.msg, "account_id", None) == ACCOUNT:
                self._decisions_ns.append(env.ts_ns)

    def pump_results(self) -> None:
        for _now, env in waiting(self.results):
            msg = env.msg
            # only the breaching account's: bench_scale's accounts have rules too (a storm can
            # breach their daily_unrealized_loss), and counting their closes would place the
            # next buy while this one's close still settles (~50 ms in its lane per breach)
            if not isinstance(msg, CommandResult) or msg.status not in FINAL_STATUSES:
                continue
            if msg.account_id != ACCOUNT:
                self.others_closed += msg.action == "close_position"
            elif msg.action == "close_position":
                self.seen[msg.command_id] = msg

    def breaches(self, n: int, until: float = float("inf")) -> int:
        """Up to n breaches one after the other, none started after monotonic `until`."""
        done = 0
        while done < n and time.monotonic() < until:
            self._buy_fill_ns = 0
            self._decisions_ns.clear()
            self.client.place_order(ACCOUNT, MNQ, MARKET, BUY, 1)
            want = len(self.seen) + 1
            deadline = time.monotonic() + 10
            while len(self.seen) < want:     # one poll on both taps: a fill is read on arrival
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the close of breach {want} did not come within 10 s")
                ready = dict(self.poller.poll(100))
                if self.fills in ready:
                    self.pump_fills()
                if self.results in ready:
                    self.pump_results()
                if self.decisions in ready:
                    self.pump_decisions()
            self.pump_decisions()
            after = [ns for ns in self._decisions_ns if ns >= self._buy_fill_ns]
            if self._buy_fill_ns and after:
                self.lag_ms.append((min(after) - self._buy_fill_ns) / 1e6)
            done += 1
        self.pump_fills()
        return done

    def phase(self, n: int, storm: bool, during=None) -> dict[str, list[float]]:
        """fills (ms), breach (us), share (the sim's, ms), lag (fill -> decision, ms),
        others_closed (how many closes of other accounts' breaches ended meanwhile)."""
        start_ns = time.time_ns()
        fills_from, share_from, lag_from = len(self.fill_ms), len(self.share.ms), len(self.lag_ms)
        others_from = self.others_closed
        until = float("inf")
        if storm:
            requests.post(self.rest_url + "/sim/burst", timeout=5, json={
                "contracts": self.contracts, "quotes_per_second": STORM_RATE,
                "seconds": STORM_SECONDS}).raise_for_status()
            until = time.monotonic() + STORM_SECONDS - 0.3
            time.sleep(0.3)             # the storm is under way before the first breach
            if during is not None:
                during()
        self.breaches(n, until)
        if storm:
            wait_for(lambda: not requests.get(self.rest_url + "/sim/burst", timeout=5)
                     .json()["burst"]["running"], STORM_SECONDS * 5, what="the storm's end")
            self.pump_fills()
        fills = [ms for ts, ms in self.fill_ms[fills_from:] if ts >= start_ns]
        share = [ms for ts, ms in self.share.ms[share_from:] if ts >= start_ns]
        trades = {t.order_id: t.created_ns for t in self.client.search_trades(ACCOUNT, start_ns)
                  if t.side == BUY}
        orders = sorted(self.client.search_orders(ACCOUNT, start_ns), key=lambda o: o.id)
        return {"fills": fills, "breach": [us for _t0, us in breach_latencies(trades, orders)],
                "share": share, "lag": self.lag_ms[lag_from:],
                "others_closed": self.others_closed - others_from}

    def close(self) -> None:
        if self.share is not None:
            self.share.close()
        for sock in (self.fills, self.results, self.decisions):
            if sock is not None:
                sock.close(0)
        if self.client is not None:
            self.client.close()
        self.procs.cleanup()


def one_run() -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        chain = Chain(pathlib.Path(tmp))
        try:
            chain.start()
            idle = chain.phase(IDLE_BREACHES, storm=False)
            storm = chain.phase(STORM_BREACHES, storm=True)
        finally:
            chain.close()
    out = {f"idle_{k}": v for k, v in idle.items()}
    out.update({f"storm_{k}": v for k, v in storm.items()})
    return out


def run(report) -> None:
    runs = [one_run() for _ in range(RUNS)]

    def med(key: str, p: float, scale: float = 1.0) -> float:
        return median([percentile(r[key], p) for r in runs]) * scale

    counts = ", ".join(f"{len(r['storm_breach'])}" for r in runs)

    per_run = "; ".join(f"{percentile(r['storm_fills'], 50):.1f}/{percentile(r['storm_fills'], 99):.1f}"
                        for r in runs)
    note = f"median of {RUNS} runs"
    report.add("storm: sim trade -> fill on bus, idle p50", med("idle_fills", 50), "ms",
               note=note)
    report.add("storm: sim trade -> fill on bus, idle p99", med("idle_fills", 99), "ms")
    report.add(f"storm: sim trade -> fill on bus, {STORM_RATE:,} q/s p50", med("storm_fills", 50),
               "ms", floor=med("idle_fills", 50), goal=within(1.5),
               note=f"floor: idle p50 of the same runs; p50/p99 per run {per_run} ms")
    report.add(f"storm: sim trade -> fill on bus, {STORM_RATE:,} q/s p99", med("storm_fills", 99),
               "ms", floor=med("idle_fills", 99), goal=within(2),
               note="floor: idle p99 of the same runs")
    for phase, label in (("idle", "idle"), ("storm", f"{STORM_RATE:,} q/s")):
        report.add(f"storm:   the sim's share (trade -> bare ws client), {label} p50",
                   med(f"{phase}_share", 50), "ms",
                   note=f"p99 {med(f'{phase}_share', 99):.1f} ms; the sim on the same 2 cores")
    for phase, label in (("idle", "idle"), ("storm", f"{STORM_RATE:,} q/s")):
        report.add(f"storm:   risk's share (fill published -> decision published), {label} p50",
                   med(f"{phase}_lag", 50), "ms",
                   note=f"p99 {med(f'{phase}_lag', 99):.1f} ms; queue behind quotes + engine + "
                        f"SQLite commit")
    report.add("storm: breach -> closeContract, idle p50", med("idle_breach", 50, 1e-3), "ms",
               note=f"{IDLE_BREACHES} breaches per run")
    report.add("storm: breach -> closeContract, idle p99", med("idle_breach", 99, 1e-3), "ms",
               floor=med("idle_breach", 50, 1e-3), goal=within(3),
               note="floor: idle p50 (a tail within 3x of the middle)")
    report.add(f"storm: breach -> closeContract, {STORM_RATE:,} q/s p50",
               med("storm_breach", 50, 1e-3), "ms", floor=med("idle_breach", 50, 1e-3),
               note=f"floor: idle p50; breaches per run {counts}")
    report.add(f"storm: breach -> closeContract, {STORM_RATE:,} q/s p99",
               med("storm_breach", 99, 1e-3), "ms", floor=med("idle_breach", 99, 1e-3),
               goal=within(1.5), note="floor: idle p99 of the same runs")


# -- profiling (a dev tool, not part of make bench) ----------------------------------------------

def summarize(path: str, top: int = 12) -> str:
    """The hottest functions of a py-spy raw (collapsed stacks) file: self and inclusive %."""
    own, incl = collections.Counter(), collections.Counter()
    total = 0
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not count.isdigit():
                continue
            n = int(count)
            total += n
            frames = [f.split(" (")[0] + " (" + f.split(" (")[-1].rsplit(":", 1)[0].split("/")[-1]
                      + ")" if " (" in f else f for f in stack.split(";")]
            own[frames[-1]] += n
            for f in set(frames):
                incl[f] += n
    if not total:
        return "  (no samples)"
    lines = [f"  {total} samples; self:"]
    lines += [f"    {100 * n / total:5.1f} %  {f}" for f, n in own.most_common(top)]
    lines.append("  inclusive:")
    lines += [f"    {100 * n / total:5.1f} %  {f}" for f, n in incl.most_common(top)]
    return "\n".join(lines)


def profile(out_dir: str, idle: bool = False, accounts: int = 0) -> None:
    """accounts: that many more accounts with 2 positions and 2 orders each (bench_scale's)."""
    from tests.bench.bench_scale import CONTRACTS, populate
    spy = shutil.which("py-spy") or os.path.join(os.path.dirname(sys.executable), "py-spy")
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        chain = Chain(pathlib.Path(tmp), accounts=accounts,
                      contracts=CONTRACTS if accounts else STORM_CONTRACTS)
        recorders = []

        def record():
            seconds = str(int(STORM_SECONDS - 1))
            for name, pid in chain.pids.items():
                recorders.append((name, subprocess.Popen(
                    [spy, "record", "--nonblocking", "--threads", "-r", "200", "-d", seconds,
                     "-f", "raw", "-o", os.path.join(out_dir, f"{name}.txt"), "-p", str(pid)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
        try:
            chain.start()
            if accounts:
                populate(chain, accounts)
            if idle:
                record()
                time.sleep(STORM_SECONDS)
            else:
                got = chain.phase(STORM_BREACHES, storm=True, during=record)
                print(f"storm: {len(got['breach'])} breaches, fill p50 "
                      f"{percentile(got['fills'], 50):.1f} ms, breach p50 "
                      f"{percentile(got['breach'], 50) / 1000:.1f} ms")
            for _name, proc in recorders:
                proc.wait(60)
        finally:
            for _name, proc in recorders:
                if proc.poll() is None:
                    proc.kill()
            chain.close()
    for name, _proc in recorders:
        print(f"== {name}\n{summarize(os.path.join(out_dir, f'{name}.txt'))}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_storm")
    parser.add_argument("--profile", required=True, metavar="DIR",
                        help="record each process with py-spy into DIR")
    parser.add_argument("--idle", action="store_true", help="profile the idle chain instead")
    parser.add_argument("--accounts", type=int, default=0,
                        help="add this many accounts with 2 positions and 2 orders each")
    args = parser.parse_args()
    profile(args.profile, args.idle, args.accounts)
