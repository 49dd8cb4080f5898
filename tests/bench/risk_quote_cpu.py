"""Risk's CPU per quote with N accounts while it is behind the quotes:
python -m tests.bench.risk_quote_cpu [--accounts 500] [--quotes 20000] [--chunk 500]
[--decisions FILE].

The real RiskWorker in this process on loopback sockets (etc/riskd.toml's rules as shipped;
nothing else runs): N accounts from a complete snapshot, each long 1 lot in 2 of 20 contracts
(the scale bench's layout), then a seeded random walk of quotes over the 20 contracts, one
order event of a random account every 50 quotes. The quotes are published CHUNK at a time and
the worker's market reader runs until its socket is empty: a chunk of 500 is risk 500 quotes
behind, as in the scale bench's storm (risk's lag of tens of ms at 20,000 quotes/s); a chunk
of 1 is a risk that keeps up. Measures this process's CPU time (time.process_time) inside the
reader only (not the publishing), divided by the quotes.

CPU time, not wall time: runs on the shared 2-core box compare while other work loads it.
--decisions writes every decision risk published (account, rule, action, contract), sorted:
two versions of risk given the same stream can be compared with cmp. Not part of make bench.
Round 13 (docs/performance.md, "Round 13 / accounts").
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from decimal import Decimal

from shared import topics
from shared.messages.market import (ORDER_LIMIT, POSITION_LONG, SIDE_BUY, STATUS_OPEN,
                                    AccountUpdate, ContractInfo, MarketSnapshot, OrderUpdate,
                                    PositionUpdate, Quote)
from tests.support.riskinprocess import risk_in_process

FIRST = 3001
EVENT_EVERY = 50
STEP = Decimal("1.00")            # 4 ticks a quote: the walk reaches the loss limits
CONTRACTS = [(f"CON.F.US.C{i:02d}.Z26", Decimal("0.25"),
              Decimal("0.50") if i % 2 else Decimal("5")) for i in range(20)]


def run(accounts: int, quotes: int, chunk: int, seed: int = 7) -> tuple[float, list]:
    """(CPU seconds risk's market reader took, the decisions it published)."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp, \
            risk_in_process(tmp, unbounded=True) as (w, pub):
        return _storm(w, pub, rng, accounts, quotes, chunk)


def joined(w, pub) -> int:
    """Wait until the worker's market SUB has joined pub, and empty it of the probes sent
    meanwhile; the worker clock's now (ns)."""
    now = w.clock.now_ns()
    while not w.market.sock.poll(50):       # the worker's SUB has joined
        pub.publish("probe", Quote(contract_id="X", ts_ns=now, last=Decimal(1)))
    time.sleep(0.1)
    while w.market.recv() is not None or w.market.sock.poll(0):
        pass
    return now


def scale_snapshot(pub, ids: list[int], now: int, flat: list[int] = ()) -> MarketSnapshot:
    """The scale bench's layout, complete: accounts ids each long 1 lot in 2 of the 20
    CONTRACTS, accounts flat holding nothing, every contract quoted at 20,000."""
    return MarketSnapshot(
        seq=pub.seq, epoch=pub.epoch, complete=True,
        accounts=[AccountUpdate(account_id=a, name=f"SIM-{a}", balance=Decimal(50_000),
                                can_trade=True) for a in list(ids) + list(flat)],
        positions=[PositionUpdate(account_id=a, position_id=a * 10 + j,
                                  contract_id=CONTRACTS[(2 * k + j) % 20][0], ts_ns=now,
                                  type=POSITION_LONG, size=1, average_price=Decimal(20000))
                   for k, a in enumerate(ids) for j in range(2)],
        contracts=[ContractInfo(contract_id=c, name=c[9:12], tick_size=size, tick_value=value,
                                symbol="F.US." + c[9:12]) for c, size, value in CONTRACTS],
        quotes=[Quote(contract_id=c, ts_ns=now, last=Decimal(20000)) for c, _, _ in CONTRACTS])


def _storm(w, pub, rng, accounts: int, quotes: int, chunk: int) -> tuple[float, list]:
    now = joined(w, pub)
    ids = [FIRST + k for k in range(accounts)]
    price = {cid: Decimal(20000) for cid, _, _ in CONTRACTS}
    w.on_snapshot(scale_snapshot(pub, ids, now))
    decided = []
    publish = w.pub.publish

    def recorded(topic, msg):
        if topic == topics.DECISION:
            decided.append((msg.account_id, msg.rule, msg.action, msg.contract_id))
        return publish(topic, msg)
    w.pub.publish = recorded
    cpu = 0.0
    sent = order_id = 0
    while sent < quotes:
        for _ in range(min(chunk, quotes - sent)):
            cid = CONTRACTS[rng.randrange(len(CONTRACTS))][0]
            price[cid] += STEP * rng.choice((-1, 1))
            pub.publish(topics.quote(cid), Quote(
                contract_id=cid, ts_ns=now + sent, bid=price[cid] - Decimal("0.25"),
                ask=price[cid] + Decimal("0.25"), last=price[cid]))
            sent += 1
            if sent % EVENT_EVERY == 0:
                order_id += 1
                pub.publish(topics.ORDER, OrderUpdate(
                    account_id=ids[rng.randrange(accounts)], order_id=order_id,
                    contract_id=cid, type=ORDER_LIMIT, side=SIDE_BUY, size=1,
                    status=STATUS_OPEN, limit_price=Decimal(1), created_ns=now + sent,
                    updated_ns=now + sent))
        time.sleep(0.02 + chunk / 50_000)        # the chunk has arrived
        while w.market.sock.poll(0):
            t0 = time.process_time()
            w._on_market()
            cpu += time.process_time() - t0
    return cpu, sorted(decided, key=str)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.risk_quote_cpu")
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--quotes", type=int, default=20_000)
    parser.add_argument("--chunk", type=int, default=500,
                        help="quotes published before risk reads (how far behind it is)")
    parser.add_argument("--decisions", help="write the decisions here (JSON)")
    args = parser.parse_args()
    cpu, decided = run(args.accounts, args.quotes, args.chunk)
    print(f"{args.accounts} accounts, {args.quotes} quotes in chunks of {args.chunk}: risk's "
          f"CPU {cpu:.2f} s, {cpu / args.quotes * 1e6:.1f} us a quote; "
          f"{len(decided)} decisions")
    if args.decisions:
        with open(args.decisions, "w", encoding="utf-8") as fh:
            json.dump(decided, fh)


if __name__ == "__main__":
    main()
