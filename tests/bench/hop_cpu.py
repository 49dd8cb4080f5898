"""CPU time per hop of the headline path, before the closeContract leaves, in-process:
python -m tests.bench.hop_cpu [--only risk|enforcement|market] [--hops 2000] [--runs 5]

Each hop of the locked-account breach (tests/bench/bench_enforcement.py) runs in this one
process through the code that ships, thousands of times, and this process's CPU time
(`time.process_time`: every thread, ZeroMQ's I/O threads included) is read at the hop's start
and at the moment its last step leaves; the rest of the breach (what comes after, to keep the
state as the bench's: riskd's close filling, the results) runs outside the measured spans.

- market: a user-hub websocket frame of the sim's 5 records (the trader's Order, its Trade,
  the Position, the Order filled, the Account: services/simbroker makes them so) through the
  hub protocol's parse, the handlers, the Inbox, the loop's drain -> the Fill published
  (tests/support/quotepath.py's wiring, user hub).
- risk: the 5 events market publishes for that frame, waiting on risk's SUB -> the
  close_position command published (the real RiskWorker, its SQLite store; a locked account,
  as the bench's self-lockout).
- enforcement: the command waiting on enforcement's SUB -> its loop (journal, 'accepted',
  lanes) -> the pool's turn (journal 'running', the action, the ProjectX client) -> the
  closeContract request's first bytes written to the socket (a sim broker process answers).

CPU time is what other load does not add to (it only delays it): compare two versions by it,
alternating runs (docs/performance.md, round 18). Each run prints the median and p90 of its
hops' CPU in us; --runs N runs each selected hop N times and prints the median of the runs'
medians. --growth N also prints the median of every N hops in turn: what grows with the day's
breaches on the one account (round 20: riskd's exits scanned on every fill). --profile also
prints the Python function calls per hop, which no other load changes (round 20: on a machine
at load 20+, the one figure two versions compare by). Not part of make bench.
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import logging
import os
import pathlib
import statistics
import sys
import tempfile
import time
from decimal import Decimal

import zmq

from shared import topics
from shared.messages.enforce import Command, CommandResult
from shared.messages.market import (AccountUpdate, ContractInfo, Fill, MarketSnapshot,
                                    OrderUpdate, PositionUpdate, Quote)
from tests.bench.bench_enforcement import RULES   # the headline bench's rules: why, there
from tests.bench.report import percentile

ACCOUNT = 1001
MNQ = "CON.F.US.MNQ.Z26"
BUY, SELL = 0, 1
MARKET_ORDER = 2
OPEN, FILLED = 1, 2
LONG = 1


def quiet_logging() -> None:
    """Records formatted and written as a worker's handler would, to nowhere (the bench's
    WARNING level): the log lines on the path cost what they cost."""
    handler = logging.StreamHandler(open(os.devnull, "w", encoding="utf-8"))
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)


PROFILE: list = []      # --profile: a cProfile.Profile on during the measured spans only
SPANS = [0]             # spans started (warm-up included): what --profile's calls divide by


def start() -> float:
    """A measured span starts: the process's CPU time (a profile taken from here, if asked)."""
    SPANS[0] += 1
    if PROFILE:
        PROFILE[0].enable()
    return time.process_time()


def marked() -> float:
    """A measured span ends here (its last step leaves): the process's CPU time."""
    t = time.process_time()
    if PROFILE:
        PROFILE[0].disable()
    return t


def summary(spans: list[float]) -> dict:
    us = sorted(s * 1e6 for s in spans)
    return {"p50": percentile(us, 50), "p90": percentile(us, 90), "n": len(us)}


# -- risk ------------------------------------------------------------------------------------
def _buy_events(k: int, now: int, price: Decimal) -> list:
    """What market publishes for the trader's k-th buy (the sim's frame, in its order)."""
    oid, tid = 10 * k + 1, 10 * k + 1
    return [
        OrderUpdate(account_id=ACCOUNT, order_id=oid, contract_id=MNQ, created_ns=now,
                    updated_ns=now, status=OPEN, type=MARKET_ORDER, side=BUY, size=1),
        Fill(account_id=ACCOUNT, trade_id=tid, contract_id=MNQ, ts_ns=now, price=price,
             pnl=None, fees=Decimal("0.37"), side=BUY, size=1, order_id=oid),
        PositionUpdate(account_id=ACCOUNT, position_id=k, contract_id=MNQ, ts_ns=now,
                       type=LONG, size=1, average_price=price),
        OrderUpdate(account_id=ACCOUNT, order_id=oid, contract_id=MNQ, created_ns=now,
                    updated_ns=now, status=FILLED, type=MARKET_ORDER, side=BUY, size=1,
                    fill_volume=1, filled_price=price),
        AccountUpdate(account_id=ACCOUNT, name="SIM-1001", balance=Decimal(50_000),
                      can_trade=True)]


def _close_events(k: int, now: int, price: Decimal) -> list:
    """riskd's close of it filling: market's events of the sim's close order."""
    oid, tid = 10 * k + 2, 10 * k + 2
    return [
        OrderUpdate(account_id=ACCOUNT, order_id=oid, contract_id=MNQ, created_ns=now,
                    updated_ns=now, status=OPEN, type=MARKET_ORDER, side=SELL, size=1),
        Fill(account_id=ACCOUNT, trade_id=tid, contract_id=MNQ, ts_ns=now, price=price,
             pnl=Decimal(0), fees=Decimal("0.37"), side=SELL, size=1, order_id=oid),
        PositionUpdate(account_id=ACCOUNT, position_id=0, contract_id=MNQ, ts_ns=now,
                       type=0, size=0, average_price=Decimal(0)),
        OrderUpdate(account_id=ACCOUNT, order_id=oid, contract_id=MNQ, created_ns=now,
                    updated_ns=now, status=FILLED, type=MARKET_ORDER, side=SELL, size=1,
                    fill_volume=1, filled_price=price),
        AccountUpdate(account_id=ACCOUNT, name="SIM-1001", balance=Decimal(50_000),
                      can_trade=True)]


def _arrived(sock: zmq.Socket, n: int) -> None:
    """Until n messages published just now wait on sock (a short sleep after the first: the
    I/O thread delivers them together; process_time does not count the wait)."""
    sock.poll(1000)
    time.sleep(0.002)


def risk_hops(hops: int, warmup: int = 200) -> list[float]:
    from tests.support.riskinprocess import risk_in_process
    from tests.bench.risk_quote_cpu import joined
    spans: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, \
            risk_in_process(tmp, profiles={"default": {"rules": RULES}},
                            logging={"level": "WARNING"}) as (w, pub):
        now = joined(w, pub)
        price = Decimal(21000)
        w.on_snapshot(MarketSnapshot(
            seq=pub.seq, epoch=pub.epoch, complete=True,
            accounts=[AccountUpdate(account_id=ACCOUNT, name="SIM-1001",
                                    balance=Decimal(50_000), can_trade=True)],
            contracts=[ContractInfo(contract_id=MNQ, name="MNQ", tick_size=Decimal("0.25"),
                                    tick_value=Decimal("0.50"), symbol="F.US.MNQ")],
            quotes=[Quote(contract_id=MNQ, ts_ns=now, last=price)]))
        w.ask._close()                   # no market to answer it: synced by hand
        w.ask.waiting = False
        out, refusal = w.engine.self_lock(ACCOUNT, w.clock.now_ns(), session=True,
                                          reason="bench: every buy is a breach")
        assert not refusal, refusal
        w.apply(out)
        for entry in list(w.engine.outbox.entries.values()):    # the lockout's flatten: done
            _result(w, entry.command, "done")
        sent: list = []
        mark = [0.0]
        publish = w.pub.publish

        def recorded(topic, msg):
            if topic == topics.COMMAND and isinstance(msg, Command) and not mark[0] \
                    and msg.action == "close_position":
                mark[0] = marked()
                sent.append(msg)
            return publish(topic, msg)
        w.pub.publish = recorded
        for k in range(1, hops + warmup + 1):
            now = w.clock.now_ns()
            for msg in _buy_events(k, now, price):
                pub.publish(topics.FILL if isinstance(msg, Fill) else
                            topics.ORDER if isinstance(msg, OrderUpdate) else
                            topics.POSITION if isinstance(msg, PositionUpdate) else
                            topics.ACCOUNT, msg)
            _arrived(w.market.sock, 5)
            mark[0] = 0.0
            t0 = start()
            w._on_market()
            late = not mark[0]
            for _ in range(100):        # not all 5 in yet: taken, not measured
                if mark[0]:
                    break
                w.market.sock.poll(10)
                w._on_market()
            if not mark[0]:
                raise RuntimeError(f"breach {k}: no command published")
            if k > warmup and not late:
                spans.append(mark[0] - t0)
            cmd = sent[-1]
            assert cmd.action == "close_position", cmd
            # the rest of the breach, not measured: enforcement's 'accepted', riskd's close
            # filling, its 'done'
            _result(w, cmd, "accepted")
            now = w.clock.now_ns()
            for msg in _close_events(k, now, price):
                pub.publish(topics.FILL if isinstance(msg, Fill) else
                            topics.ORDER if isinstance(msg, OrderUpdate) else
                            topics.POSITION if isinstance(msg, PositionUpdate) else
                            topics.ACCOUNT, msg)
            _arrived(w.market.sock, 5)
            w._on_market()
            _result(w, cmd, "done")
            for entry in list(w.engine.outbox.entries.values()):   # none expected
                _result(w, entry.command, "done")
            w._run_timers()
    return spans


def _result(w, cmd: Command, status: str) -> None:
    now = w.clock.now_ns()
    out = w.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=cmd.account_id, status=status, started_ns=now,
        finished_ns=now if status != "accepted" else 0, event_ns=cmd.event_ns,
        action=cmd.action, rule=cmd.rule, attempts=1 if status != "accepted" else 0,
        first_answer_ns=now if status != "accepted" else 0,
        broker_calls=3 if status != "accepted" else 0), now)
    if out.durable:
        w.apply(out)


# -- enforcement -----------------------------------------------------------------------------
@contextlib.contextmanager
def _sends_marked(mark: list):
    """The process's CPU time when a closeContract request's first bytes are written."""
    real = http.client.HTTPConnection.send

    def send(self, data):
        if not mark[0] and isinstance(data, (bytes, bytearray)) \
                and data.startswith(b"POST /api/Position/closeContract"):
            mark[0] = marked()
        return real(self, data)
    http.client.HTTPConnection.send = send
    try:
        yield
    finally:
        http.client.HTTPConnection.send = real


def enforcement_hops(hops: int, warmup: int = 200) -> list[float]:
    from services.enforcement.app import EnforcementWorker
    from services.enforcement.budget import BudgetView
    from services.enforcement.executor import SETTLE, Executor
    from shared.bus.publisher import Publisher
    from shared import shards
    from shared.config import load_config
    from tests.support.env import make_config, wait_for
    from tests.support.procs import Procs
    from tests.support.sim import wait_sim_up
    spans: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp)
        config = make_config(folder, broker={"rate_limit": 100_000, "sim": {"tick_interval": 0}},
                             profiles={"default": {"rules": RULES}}, logging={"level": "WARNING"})
        procs = Procs(folder)
        ctx = zmq.Context()
        w = None
        risk = None
        real_start = Executor.start
        try:
            loaded = load_config(config)
            rest_url = loaded.config.broker.endpoints()[0]
            procs.worker("services.simbroker", config)
            wait_sim_up(rest_url, 20)
            risk = ctx.socket(zmq.PUB)
            risk.bind(shards.all_pubs(loaded.config)[0])
            Executor.start = lambda self: None        # the pool's turns run in this thread
            w = EnforcementWorker(loaded, ctx=ctx)
            w.bind()
            w.setup()
            view = BudgetView(w.budget, w.executor.closing)
            client = w._make_client(view)
            client.ensure_token()
            pub = Publisher(risk, "risk")
            probe = Command(id="probe", decision_id="probe", account_id=ACCOUNT,
                            action="close_position", contract_id=MNQ)
            wait_for(lambda: pub.publish(topics.COMMAND, probe) is not None
                     and w.commands.sock.poll(50), 10, what="enforcement's SUB to join")
            time.sleep(0.1)
            while w.commands.recv() is not None or w.commands.sock.poll(0):
                pass
            mark = [0.0]
            with _sends_marked(mark):
                for k in range(1, hops + warmup + 1):
                    now = w.clock.now_ns()
                    cmd = Command(id=f"d{k}.1", decision_id=f"d{k}", account_id=ACCOUNT,
                                  action="close_position", contract_id=MNQ,
                                  rule="self_lockout",
                                  reason="MNQ position opened on account 1001 while locked",
                                  issued_ns=now, event_ns=now, account_name="SIM-1001")
                    pub.publish(topics.COMMAND, cmd)
                    _arrived(w.commands.sock, 1)
                    mark[0] = 0.0
                    t0 = start()
                    w._on_commands()
                    _prio, _seq, job = w.executor._jobs.get_nowait()
                    outcome = w.executor.turn(job, client, view)
                    if not mark[0]:
                        raise RuntimeError(f"command {k}: no closeContract sent")
                    if k > warmup:
                        spans.append(mark[0] - t0)
                    while outcome.kind == SETTLE:          # the rest, not measured
                        outcome = w.executor.turn(outcome.again, client, view)
                    w._on_outcome(outcome)
                    w._run_timers()
            client.close()
        finally:
            Executor.start = real_start
            if w is not None:
                w.teardown()
                for s in w._sockets:
                    s.close(0)
            if risk is not None:
                risk.close(0)
            ctx.term()
            procs.cleanup()
    return spans


# -- market ----------------------------------------------------------------------------------
def market_hops(hops: int, warmup: int = 200) -> list[float]:
    from tests.support.quotepath import UserPath
    from services.simbroker import signalr
    spans: list[float] = []
    ctx = zmq.Context()
    path = UserPath(ctx)
    path.worker.contracts_asked.add(MNQ)         # known since the first trade in it
    mark = [0.0]
    publish = path.worker.pub.publish

    def recorded(topic, msg):
        if isinstance(msg, Fill) and not mark[0]:
            mark[0] = marked()
        return publish(topic, msg)
    path.worker.pub.publish = recorded
    try:
        for k in range(1, hops + warmup + 1):
            frame = "".join(signalr.invocation(name, [payload])
                            for name, payload in _sim_records(k)).encode()
            mark[0] = 0.0
            t0 = start()
            path.feed(frame)
            path.drain()
            if not mark[0]:
                raise RuntimeError(f"frame {k}: no Fill published")
            if k > warmup:
                spans.append(mark[0] - t0)
            for name, payload in _sim_close_records(k):       # not measured
                path.feed(signalr.invocation(name, [payload]).encode())
            path.drain()
    finally:
        path.close()
        ctx.term()
    return spans


def _iso(ns: int) -> str:
    from services.simbroker.wire import iso
    return iso(ns)


def _sim_records(k: int) -> list[tuple[str, dict]]:
    """The sim's user-hub records of the trader's k-th market buy, in the sim's order."""
    now = _iso(time.time_ns())
    oid = 10 * k + 1
    order = {"id": oid, "accountId": ACCOUNT, "contractId": MNQ, "symbolId": "F.US.MNQ",
             "creationTimestamp": now, "updateTimestamp": now, "status": OPEN,
             "type": MARKET_ORDER, "side": BUY, "size": 1, "fillVolume": 0}
    return [("GatewayUserOrder", order),
            ("GatewayUserTrade", {"id": oid, "accountId": ACCOUNT, "contractId": MNQ,
                                  "creationTimestamp": now, "price": 21000.25,
                                  "profitAndLoss": None, "fees": 0.37, "side": BUY, "size": 1,
                                  "voided": False, "orderId": oid}),
            ("GatewayUserPosition", {"id": k, "accountId": ACCOUNT, "contractId": MNQ,
                                     "creationTimestamp": now, "type": LONG, "size": 1,
                                     "averagePrice": 21000.25}),
            ("GatewayUserOrder", {**order, "status": FILLED, "fillVolume": 1,
                                  "filledPrice": 21000.25}),
            ("GatewayUserAccount", {"id": ACCOUNT, "name": "SIM-1001", "balance": 50000.0,
                                    "canTrade": True, "isVisible": True, "simulated": True})]


def _sim_close_records(k: int) -> list[tuple[str, dict]]:
    now = _iso(time.time_ns())
    oid = 10 * k + 2
    order = {"id": oid, "accountId": ACCOUNT, "contractId": MNQ, "symbolId": "F.US.MNQ",
             "creationTimestamp": now, "updateTimestamp": now, "status": FILLED,
             "type": MARKET_ORDER, "side": SELL, "size": 1, "fillVolume": 1,
             "filledPrice": 21000.25}
    return [("GatewayUserTrade", {"id": oid, "accountId": ACCOUNT, "contractId": MNQ,
                                  "creationTimestamp": now, "price": 21000.25,
                                  "profitAndLoss": 0.0, "fees": 0.37, "side": SELL, "size": 1,
                                  "voided": False, "orderId": oid}),
            ("GatewayUserPosition", {"id": k, "accountId": ACCOUNT, "contractId": MNQ,
                                     "creationTimestamp": now, "type": LONG, "size": 0,
                                     "averagePrice": 0}),
            ("GatewayUserOrder", order)]


HOPS = {"market": market_hops, "risk": risk_hops, "enforcement": enforcement_hops}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.hop_cpu")
    parser.add_argument("--only", choices=sorted(HOPS), action="append")
    parser.add_argument("--hops", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--growth", type=int, metavar="N", default=0,
                        help="also print the median of every N hops in turn")
    parser.add_argument("--profile", metavar="FILE",
                        help="cProfile the measured spans (one hop kind: --only) into FILE "
                             "and print the top functions")
    args = parser.parse_args(argv)
    quiet_logging()
    if args.profile:
        import cProfile
        PROFILE.append(cProfile.Profile())
    results: dict[str, list[float]] = {}
    for _ in range(args.runs):
        for name in args.only or list(HOPS):
            spans = HOPS[name](args.hops)
            s = summary(spans)
            results.setdefault(name, []).append(s["p50"])
            print(f"{name:12s} CPU us per hop: p50 {s['p50']:7.1f}  p90 {s['p90']:7.1f}  "
                  f"({s['n']} hops)", flush=True)
            if args.growth:
                print(f"{name:12s} p50 of every {args.growth} hops: " + " ".join(
                    f"{percentile(sorted(x * 1e6 for x in spans[i:i + args.growth]), 50):.0f}"
                    for i in range(0, len(spans), args.growth)), flush=True)
    if args.profile:
        import pstats
        PROFILE[0].dump_stats(args.profile)
        calls = pstats.Stats(args.profile).total_calls
        print(f"Python function calls per hop: {calls / max(1, SPANS[0]):.0f} "
              f"({calls} in {SPANS[0]} spans, warm-up included)", flush=True)
        pstats.Stats(args.profile).sort_stats("tottime").print_stats(30)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(45)
    if args.runs > 1:
        for name, p50s in results.items():
            print(f"{name:12s} median of {len(p50s)} runs' p50: {statistics.median(p50s):7.1f} us",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
