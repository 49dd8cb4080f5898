"""Sim broker: REST round trip, order-to-event latency on the user hub, quote rate delivered.

Runs the real simbroker process (no random walk) and talks to it like a
client: requests for REST, a raw SignalR websocket for the hubs.
- REST round trip of /api/Order/place (a market order that fills), p50/p99 in us.
- From sending that order to its GatewayUserTrade arriving on the user hub, p50/p99 in us.
- A /sim/burst at 20,000 quotes/s over 8 contracts for 3 s, the subscriber taking quotes,
  trades and depth of all 8: quotes per second that reach it (floor: the requested 20,000),
  and the trades and depth messages that came with them.
- History/retrieveBars of 20,000 one-minute bars (after `riskctl sim history` wrote 60
  days): the round trip, median of 10 (budget 300 ms; the machine is shared, so read it as
  rough).
"""
from __future__ import annotations

import json
import pathlib
import tempfile
import time

import requests
from websockets.sync.client import connect

from shared.config import load_config
from tests.bench import procstat
from tests.bench.report import percentile
from tests.support.sim import wait_sim_up
from tests.support.env import make_config
from tests.support.procs import Procs

RS = "\x1e"
ORDERS = 400
RATE, SECONDS = 20_000, 3
HISTORY_DAYS, BAR_RUNS, BARS_BUDGET_MS = 60, 10, 300.0


def _hub(url: str, token: str):
    ws = connect(f"{url.replace('http', 'ws', 1)}?access_token={token}", open_timeout=5,
                 max_size=None)
    ws.send('{"protocol":"json","version":1}' + RS)
    ws.recv(timeout=5)
    return ws


def _invoke(ws, target: str, *args) -> None:
    ws.send(json.dumps({"type": 1, "target": target, "arguments": list(args)}) + RS)


def _orders(rest: str, user_hub: str, token: str) -> tuple[list[float], list[float]]:
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    with _hub(user_hub, token) as ws:
        _invoke(ws, "SubscribeTrades", 1001)
        time.sleep(0.2)            # the subscription is fire-and-forget; let it land
        rest_us, event_us = [], []
        for i in range(ORDERS):
            body = {"accountId": 1001, "contractId": "CON.F.US.MNQ.Z26", "type": 2,
                    "side": i % 2, "size": 1}
            t0 = time.perf_counter_ns()
            reply = session.post(rest + "/api/Order/place", json=body, headers=headers, timeout=5)
            rest_us.append((time.perf_counter_ns() - t0) / 1000)
            assert reply.json()["success"], reply.text
            while "GatewayUserTrade" not in ws.recv(timeout=5):
                pass
            event_us.append((time.perf_counter_ns() - t0) / 1000)
    return rest_us, event_us


def _burst(rest: str, market_hub: str, token: str, pid: int) -> tuple[float, int, int, float]:
    """(quotes per second delivered, GatewayTrade and GatewayDepth messages alongside, quotes
    per second of the sim's own CPU time: what one core would carry, whatever the load)."""
    contracts = [c["id"] for c in requests.post(
        rest + "/api/Contract/available", json={"live": False},
        headers={"Authorization": f"Bearer {token}"}, timeout=5).json()["contracts"]][:8]
    with _hub(market_hub, token) as ws:
        for cid in contracts:
            for target in ("SubscribeContractQuotes", "SubscribeContractTrades",
                           "SubscribeContractMarketDepth"):
                _invoke(ws, target, cid)
        seen = 0
        while seen < len(contracts):                       # the full quotes on subscribing
            seen += ws.recv(timeout=5).count("GatewayQuote")
        cpu0 = procstat.sample(pid).stat.cpu_ticks
        requests.post(rest + "/sim/burst", json={"contracts": contracts, "quotes_per_second": RATE,
                                                "seconds": SECONDS}, timeout=5)
        t0, quotes, trades, depth = time.perf_counter(), 0, 0, 0
        while quotes < RATE * SECONDS:
            frame = ws.recv(timeout=10)
            quotes += frame.count("GatewayQuote")
            trades += frame.count("GatewayTrade")
            depth += frame.count("GatewayDepth")
        rate = quotes / (time.perf_counter() - t0)
        cpu = (procstat.sample(pid).stat.cpu_ticks - cpu0) / procstat.CLK_TCK
        return rate, trades, depth, quotes / cpu if cpu else 0.0


def _bars(rest: str, token: str) -> tuple[float, int]:
    """(median ms of retrieveBars for 20,000 one-minute bars, bars answered)."""
    requests.post(rest + "/sim/history", json={"days": HISTORY_DAYS}, timeout=300).raise_for_status()
    body = {"contractId": "CON.F.US.EP.Z26", "live": False, "startTime": "2026-01-01T00:00:00Z",
            "endTime": "2027-01-01T00:00:00Z", "unit": 2, "unitNumber": 1, "limit": 20_000,
            "includePartialBar": False}
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    times, count = [], 0
    for _ in range(BAR_RUNS):
        t0 = time.perf_counter()
        reply = session.post(rest + "/api/History/retrieveBars", json=body, headers=headers,
                             timeout=30)
        times.append((time.perf_counter() - t0) * 1000)
        count = len(reply.json()["bars"])
    return percentile(times, 50), count


def run(report) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = make_config(pathlib.Path(tmp), broker={"sim": {"tick_interval": 0,
                                                                "calendar_date": "2026-12-04"}})
        rest, user_hub, market_hub = load_config(config).config.broker.endpoints()
        procs = Procs(pathlib.Path(tmp))
        try:
            sim_pid = procs.worker("services.simbroker", config).pid
            wait_sim_up(rest)
            token = requests.post(rest + "/api/Auth/loginKey", json={
                "userName": "sim-user", "apiKey": "sim-api-key"}, timeout=5).json()["token"]
            rest_us, event_us = _orders(rest, user_hub, token)
            rate, trades, depth, per_cpu = _burst(rest, market_hub, token, sim_pid)
            bars_ms, bars = _bars(rest, token)
        finally:
            procs.cleanup()
    report.add("simbroker: Order/place round trip p50", percentile(rest_us, 50), "us")
    report.add("simbroker: Order/place round trip p99", percentile(rest_us, 99), "us")
    report.add("simbroker: place -> GatewayUserTrade p50", percentile(event_us, 50), "us")
    report.add("simbroker: place -> GatewayUserTrade p99", percentile(event_us, 99), "us")
    report.add("simbroker: burst quotes delivered per second", rate, "quotes/s", floor=RATE,
               note=f"{len(rest_us)} orders; 8 contracts for {SECONDS} s with trades and depth "
                    f"subscribed ({trades} GatewayTrade, {depth} GatewayDepth); shared machine")
    report.add("simbroker: burst quotes per second of sim CPU time", per_cpu, "quotes/s",
               note="the same burst over the sim process's own CPU seconds (load-independent)")
    report.add("simbroker: retrieveBars 20,000 1-min bars p50", bars_ms, "ms",
               note=f"{bars} bars; budget {BARS_BUDGET_MS:g} ms: "
                    f"{'within' if bars_ms < BARS_BUDGET_MS else 'OVER'}; shared machine")
