"""The rule set's speed on recorded event streams (no sockets): the risk engine alone.

- mixed day: a deterministic recorded stream (seed 7) of fills, positions, orders and quotes
  over 5 accounts with all 15 rules enabled at etc/riskd.toml's shipped parameters (the five
  shipped off are switched on with their shipped values), so limits are reached, accounts lock
  and lockouts are enforced during the stream: events/s, rule evaluations/s, decisions.
- breaches: a stream where every trade breaches (daily loss, cooldown) on fresh accounts:
  decisions/s, each with its lockout and command.
- quotes: 10 open positions (each with its stop) over 5 accounts, quotes on their 10 contracts
  round robin, decoded from wire frames as the worker does, through the rules that run per
  quote with the shipped rules (daily_unrealized_loss, daily_net_loss, drawdown_guard; with
  all 15 on also max_unrealized_profit, trade_management, session_block_outside): quotes/s
  (the worker must keep up with 20,000/s).
"""
from __future__ import annotations

import itertools
import random
import time
from decimal import Decimal

from services.risk.engine import Engine
from services.risk.outcome import FixedRules
from services.risk.rules import RULES
from shared import codec
from shared.config.load import config_converter
from shared.config.rules import RULE_CLASSES, RulesConfig
from shared.messages.market import (ORDER_LIMIT, ORDER_STOP, POSITION_LONG, POSITION_SHORT,
                                    SIDE_BUY, SIDE_SELL, STATUS_CANCELLED, STATUS_OPEN,
                                    AccountUpdate, ContractInfo, Fill, OrderUpdate,
                                    PositionUpdate, Quote)
from shared.tradingday import TradingCalendar
from tests.bench.report import above
from tests.support.env import shipped_rules

NS = 1_000_000_000
START = 1_795_618_800 * NS            # Wed 25 Nov 2026 09:00 Chicago
ACCOUNTS = [1001, 1002, 1003, 1004, 1005]
ROOTS = ["MNQ", "MES", "M2K", "MYM", "MGC", "MCL", "EP", "ENQ", "RTY", "YM"]
CONTRACTS = [ContractInfo(contract_id=f"CON.F.US.{r}.Z26", name=f"{r}Z6",
                          tick_size=Decimal("0.25"), tick_value=Decimal("0.50"),
                          symbol=f"F.US.{r}") for r in ROOTS]

def shipped(all_on: bool) -> dict:
    """etc/riskd.toml's rules with their shipped parameters: those shipped on, or all 15."""
    rules = shipped_rules()
    return {name: {k: v for k, v in params.items() if k != "enabled"}
            for name, params in rules.items() if all_on or params.get("enabled", True)}


ALL_ON = shipped(all_on=True)        # START is 09:00 Chicago: inside the shipped session


def rules_config(params: dict) -> RulesConfig:
    kw = {}
    for name, cls in RULE_CLASSES:
        raw = {"enabled": name in params, **params.get(name, {})}
        kw[name] = config_converter.structure(raw, cls)
    return RulesConfig(**kw)


def engine_with(params: dict) -> Engine:
    ids = itertools.count()
    engine = Engine(TradingCalendar.make(), FixedRules(rules_config(params)),
                    ids=lambda: f"b{next(ids)}")
    engine.start(START)
    for c in CONTRACTS:
        engine.on_event(c, START)
    for aid in ACCOUNTS:
        engine.on_event(AccountUpdate(account_id=aid, name=f"A{aid}", balance=Decimal(50000),
                                      can_trade=True), START)
    return engine


def recorded_day(n: int, seed: int = 7) -> list:
    """A deterministic stream: ~80 % quotes, the rest trading events."""
    rng = random.Random(seed)
    price = {c.contract_id: Decimal(20000) for c in CONTRACTS}
    trade_ids, order_ids = itertools.count(1), itertools.count(1)
    out, t = [], START
    for _ in range(n):
        t += 1_000_000
        cid = rng.choice(CONTRACTS[:6]).contract_id
        aid = rng.choice(ACCOUNTS)
        r = rng.random()
        if r < 0.8:
            price[cid] += Decimal(rng.randint(-4, 4)) * Decimal("0.25")
            out.append(Quote(contract_id=cid, ts_ns=t, last=price[cid]))
        elif r < 0.88:
            out.append(PositionUpdate(account_id=aid, position_id=1, contract_id=cid, ts_ns=t,
                                      type=rng.choice((POSITION_LONG, POSITION_SHORT)),
                                      size=rng.randint(0, 3), average_price=price[cid]))
        elif r < 0.95:
            pnl = None if rng.random() < 0.5 else Decimal(rng.randint(-400, 400))
            out.append(Fill(account_id=aid, trade_id=next(trade_ids), contract_id=cid, ts_ns=t,
                            price=price[cid], pnl=pnl, fees=Decimal("0.74"),
                            side=rng.choice((SIDE_BUY, SIDE_SELL)), size=1))
        else:
            out.append(OrderUpdate(account_id=aid, order_id=next(order_ids) % 50, contract_id=cid,
                                   created_ns=t, updated_ns=t,
                                   status=rng.choice((STATUS_OPEN, STATUS_CANCELLED)),
                                   type=rng.choice((ORDER_LIMIT, ORDER_STOP)),
                                   side=rng.choice((SIDE_BUY, SIDE_SELL)), size=1,
                                   stop_price=price[cid] - 10))
    return out


def count_evaluations(engine: Engine) -> list[int]:
    """Wrap every rule's evaluate to count calls (the wrapper's cost is in the figure)."""
    counter = [0]
    for rule in RULES.values():
        inner = rule.evaluate

        def counted(*args, _inner=inner):
            counter[0] += 1
            return _inner(*args)
        rule.evaluate = counted
    return counter


def restore_rules() -> None:
    for rule in RULES.values():
        rule.__dict__.pop("evaluate", None)


def run_stream(engine: Engine, events: list) -> tuple[float, int]:
    decisions = 0
    t0 = time.perf_counter()
    for i, ev in enumerate(events):
        now = getattr(ev, "ts_ns", None) or getattr(ev, "updated_ns", None) or START + i
        decisions += len(engine.on_event(ev, now).decisions)
    return time.perf_counter() - t0, decisions


def bench_mixed(report) -> None:
    events = recorded_day(60_000)
    engine = engine_with(ALL_ON)
    counter = count_evaluations(engine)
    try:
        elapsed, decisions = run_stream(engine, events)
    finally:
        restore_rules()
    report.add("rules: mixed stream, all 15 rules at shipped values", len(events) / elapsed,
               "events/s", note=f"{len(events)} events, 5 accounts, {decisions} decisions "
                                f"(limits reached, lockouts enforced)")
    report.add("rules: rule evaluations (mixed stream)", counter[0] / elapsed, "evals/s")


def bench_breaches(report) -> None:
    params = {"daily_realized_loss": {"limit": 100},
              "cooldown_after_loss": {"tiers": [{"loss": 50, "seconds": 60}]}}
    n_accounts = 4000
    engine = engine_with(params)
    events = [Fill(account_id=10_000 + i, trade_id=i, contract_id=CONTRACTS[0].contract_id,
                   ts_ns=START + i, price=Decimal(20000), pnl=Decimal(-200), fees=Decimal(1),
                   side=SIDE_SELL, size=1) for i in range(n_accounts)]
    elapsed, decisions = run_stream(engine, events)
    assert decisions == 2 * n_accounts, decisions
    report.add("rules: breaches (decision + lockout + command)", decisions / elapsed,
               "decisions/s", note=f"{decisions} decisions")


def bench_quotes(report) -> None:
    engine = engine_with(shipped(all_on=False))
    held = CONTRACTS[:10]
    for i, c in enumerate(held):                    # 10 positions over 5 accounts
        engine.on_event(PositionUpdate(account_id=ACCOUNTS[i % 5], position_id=i,
                                       contract_id=c.contract_id, ts_ns=START,
                                       type=POSITION_LONG, size=1,
                                       average_price=Decimal(20000)), START)
        engine.on_event(OrderUpdate(account_id=ACCOUNTS[i % 5], order_id=900 + i,
                                    contract_id=c.contract_id, created_ns=START,
                                    updated_ns=START, status=STATUS_OPEN, type=ORDER_STOP,
                                    side=SIDE_SELL, size=1, stop_price=Decimal(19900)), START)
    n = 100_000
    frames = []
    for i in range(n):
        c = held[i % 10]
        q = Quote(contract_id=c.contract_id, ts_ns=START + i,
                  last=Decimal(20000) + Decimal((i * 7) % 40 - 20) * Decimal("0.25"))
        frames.append(codec.encode(q, "market", 1, i + 1, START + i))
    t0 = time.perf_counter()
    for i, frame in enumerate(frames):
        engine.on_event(codec.decode(frame).msg, START + i)
    elapsed = time.perf_counter() - t0
    rate = n / elapsed
    report.add("rules: quotes decoded + per-quote rules, 10 pos/5 accts", rate, "quotes/s",
               goal=above(20_000), note="shipped rules: unrealized loss, net loss, drawdown "
                                        "per position and account, no breach")


MANY = 500          # accounts of bench_quote_runs, as bench_scale's largest


def bench_quote_runs(report) -> None:
    """A run of quotes (one per contract, as risk's drain hands them over) with MANY accounts
    each long 1 of 2 of 10 contracts, shipped rules, no breach: ms of engine time per run.
    Every account holds 2 moved contracts: before round 10 its rules ran once per contract."""
    engine = engine_with(shipped(all_on=False))
    held = CONTRACTS[:10]
    for k in range(MANY):
        aid = 20_000 + k
        engine.on_event(AccountUpdate(account_id=aid, name=f"M{k}", balance=Decimal(50000),
                                      can_trade=True), START)
        for j in (0, 1):
            c = held[(2 * k + j) % len(held)]
            engine.on_event(PositionUpdate(account_id=aid, position_id=aid * 10 + j,
                                           contract_id=c.contract_id, ts_ns=START,
                                           type=POSITION_LONG, size=1,
                                           average_price=Decimal(20000)), START)
    runs, now = 200, START
    t0 = time.perf_counter()
    for i in range(runs):
        now += 1_000_000
        tick = Decimal((i * 7) % 40 - 20) * Decimal("0.25")
        engine.on_quotes([Quote(contract_id=c.contract_id, ts_ns=now, last=Decimal(20000) + tick)
                          for c in held], now)
    per_run = (time.perf_counter() - t0) / runs * 1000
    report.add(f"rules: a run of 10 quotes, {MANY} accounts x 2 positions", per_run, "ms",
               note="engine only; the storm's risk lag at this size is a few of these")


def run(report) -> None:
    bench_mixed(report)
    bench_breaches(report)
    bench_quotes(report)
    bench_quote_runs(report)
    bench_worker_quotes(report)


# -- the worker process: does it keep up with 20,000 quotes/s? ---------------------------------

class FakeMarket:
    """Binds market's PUB and control addresses; answers SnapshotRequest; publishes quotes."""

    def __init__(self, bus, positions, contracts):
        import zmq

        from shared.bus.publisher import Publisher
        from shared.bus.sockets import make_socket
        self.zmq = zmq
        ctx = zmq.Context.instance()
        self.pub = Publisher(make_socket(ctx, zmq.PUB, bind=bus.market_pub), "market", epoch=1)
        self.rep = make_socket(ctx, zmq.REP, bind=bus.market_control)
        self.positions, self.contracts = positions, contracts

    def serve(self) -> None:
        from shared.bus.rpc import handle_request
        from shared.messages.market import MarketSnapshot, SnapshotRequest
        from shared.messages.system import ok
        while self.rep.poll(0):
            frame = self.rep.recv()

            def answer(req):
                assert isinstance(req, SnapshotRequest)
                return ok(MarketSnapshot(
                    seq=self.pub.seq, epoch=self.pub.epoch, positions=self.positions,
                    contracts=self.contracts,
                    accounts=[AccountUpdate(account_id=a, name=f"A{a}", balance=Decimal(50000),
                                            can_trade=True) for a in ACCOUNTS]))
            self.rep.send(handle_request(frame, answer, "market"))

    def close(self) -> None:
        self.pub.sock.close(0)
        self.rep.close(0)


def _last_prices(sub, seen: dict) -> None:
    import zmq
    while True:
        try:
            _topic, body = sub.recv_multipart(zmq.NOBLOCK)
        except zmq.Again:
            return
        msg = codec.decode(body).msg
        for p in getattr(msg, "positions", []):
            if p.last is not None:
                seen[p.contract_id] = p.last


def bench_worker_quotes(report) -> None:
    import pathlib
    import tempfile

    import zmq

    from shared.bus.sockets import make_socket
    from shared.config import load_config
    from tests.support.env import make_config, wait_for
    from tests.support.procs import Procs

    held = CONTRACTS[:10]
    positions = [PositionUpdate(account_id=ACCOUNTS[i % 5], position_id=i,
                                contract_id=c.contract_id, ts_ns=START, type=POSITION_LONG,
                                size=1, average_price=Decimal(20000))
                 for i, c in enumerate(held)]
    profile = {name: {"enabled": True, **p} for name, p in ALL_ON.items()}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = pathlib.Path(tmp)
        config = make_config(tmp_path, profiles={"default": {"rules": profile}})
        bus = load_config(config).config.bus
        market = FakeMarket(bus, positions, held)
        sub = make_socket(zmq.Context.instance(), zmq.SUB, connect=bus.risk_pub)
        sub.setsockopt(zmq.SUBSCRIBE, b"status.")
        procs = Procs(tmp_path)
        seen: dict = {}
        try:
            procs.worker("services.risk", config)

            wait_for(lambda: (market.serve(), _prime(market, held),
                              _last_prices(sub, seen), len(seen) == 10)[-1],
                     30, interval=0.05, what="risk to sync and report the 10 positions")
            for rate, seconds in ((20_000, 4.0), (None, 0)):
                n = int(rate * seconds) if rate else 100_000
                marker = Decimal(30000 + (1 if rate else 2))
                t0 = time.perf_counter()
                for i in range(n):
                    c = held[i % 10]
                    last = marker if i >= n - 10 else Decimal(20000) + Decimal(i % 40) / 4
                    market.pub.publish(f"quote.{c.contract_id}",
                                       Quote(contract_id=c.contract_id, ts_ns=START, last=last))
                    if rate and i % 200 == 199:          # pace: 200 quotes per 10 ms
                        ahead = (i + 1) / rate - (time.perf_counter() - t0)
                        if ahead > 0:
                            time.sleep(ahead)
                    if i % 5000 == 0:
                        market.serve()
                sent = time.perf_counter()

                def caught_up():
                    market.serve()
                    _last_prices(sub, seen)
                    return all(seen.get(c.contract_id) == marker for c in held)
                wait_for(caught_up, 60, interval=0.01, what="risk to catch up with the quotes")
                done = time.perf_counter()
                if rate:
                    report.add("risk worker: lag behind 20,000 quotes/s (10 pos/5 accts)",
                               (done - sent) * 1000, "ms",
                               note=f"{n} quotes over {sent - t0:.1f} s; status every 0.2 s")
                else:
                    report.add("risk worker process: quotes/s through shipped rules",
                               n / (done - t0), "quotes/s", goal=above(20_000),
                               note=f"{n} quotes over 10 positions/5 accounts, sockets, "
                                    f"decode, per-quote rules, status; publisher here")
        finally:
            procs.cleanup()
            sub.close(0)
            market.close()


def _prime(market, held) -> bool:
    """One quote per held contract so risk's status has a price for each."""
    for c in held:
        market.pub.publish(f"quote.{c.contract_id}",
                           Quote(contract_id=c.contract_id, ts_ns=START, last=Decimal(20000)))
    return False
