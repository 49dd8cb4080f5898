"""Market's CPU per quote, in-process: websocket text frames of GatewayQuote records -> quotes
published, through the code that ships (the market hub's protocol and quote short cut, the
Inbox, the worker loop's drain, the publisher: tests/support/quotepath.py), without
processes, sockets or the sim.

Frames are made like the sim makes them (services/simbroker: sparse payloads that leave out
unchanged fields, ISO timestamps with 7 digits, several records per frame), for 10 contracts.
The loop drains every `--drain-every` frames (how many frames arrive while it is busy).
CPU is `time.process_time` over the whole run (one thread: the hub and loop work in turn),
divided by the records fed; the best and median of `--runs` runs are printed.

    python -m tests.bench.bench_market_cpu [--records 20] [--drain-every 4] [--runs 7]
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from decimal import Decimal
from typing import Optional

import zmq

from services.simbroker import signalr
from services.simbroker.wire import iso
from tests.support.quotepath import QuotePath

CONTRACTS = [f"CON.F.US.{s}.Z26" for s in ("EP", "ENQ", "MNQ", "MES", "RTY", "YM", "CL",
                                            "GC", "SI", "NG")]
TICK = {c: Decimal("0.25") if i < 6 else Decimal("0.01") for i, c in enumerate(CONTRACTS)}


def quote_payloads(n: int, seed: int = 1, start_ns: int = 1_790_000_000_000_000_000
                   ) -> list[tuple[str, dict]]:
    """n sparse GatewayQuote payloads over CONTRACTS, a random walk as the sim's burst makes
    them (each contract's first one full, then only the fields that changed)."""
    rng = random.Random(seed)
    books: dict[str, dict] = {}
    sent: dict[str, dict] = {}
    out = []
    ns = start_ns
    for _ in range(n):
        cid = rng.choice(CONTRACTS)
        tick = TICK[cid]
        b = books.get(cid)
        if b is None:
            last = rng.randint(4000, 20000)
            b = books[cid] = {"last": last, "open": last, "high": last, "low": last,
                              "prev": last - rng.randint(-50, 50), "volume": 0}
        b["last"] += rng.choice((-1, 0, 0, 1))
        b["high"], b["low"] = max(b["high"], b["last"]), min(b["low"], b["last"])
        b["volume"] += rng.randint(0, 3)
        spread = rng.choice((1, 1, 2))
        price = lambda t: float(t * tick)  # noqa: E731
        change = b["last"] - b["prev"]
        fields = {"lastPrice": price(b["last"]), "bestBid": price(b["last"] - 1),
                  "bestAsk": price(b["last"] - 1 + spread), "change": price(change),
                  "changePercent": round(change / b["prev"] * 100, 4),
                  "open": price(b["open"]), "high": price(b["high"]), "low": price(b["low"]),
                  "volume": b["volume"]}
        old = sent.setdefault(cid, {})
        changed = {k: v for k, v in fields.items() if old.get(k) != v}
        old.update(changed)
        ns += rng.randint(10_000, 100_000)
        stamp = iso(ns)
        out.append((cid, {"symbol": cid[4:-4], **changed, "lastUpdated": stamp,
                          "timestamp": stamp}))
    return out


def frames_of(payloads: list[tuple[str, dict]], per_frame: int) -> list[bytes]:
    """Websocket text frames (UTF-8 bytes, as the socket gives them) of `per_frame` records."""
    records = [signalr.invocation("GatewayQuote", [cid, p]) for cid, p in payloads]
    return ["".join(records[i:i + per_frame]).encode()
            for i in range(0, len(records), per_frame)]


def run(frames: list[bytes], drain_every: int) -> float:
    ctx = zmq.Context()
    path = QuotePath(ctx)
    feed, drain = path.feed, path.drain
    t0 = time.process_time()
    for i, frame in enumerate(frames, 1):
        feed(frame)
        if i % drain_every == 0:
            drain()
    drain()
    t = time.process_time() - t0
    path.close()
    ctx.term()
    return t


def main(argv: Optional[list[str]] = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quotes", type=int, default=100_000)
    ap.add_argument("--records", type=int, nargs="+", default=[1, 20])
    ap.add_argument("--drain-every", type=int, nargs="+", default=[1, 4])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args(argv)
    payloads = quote_payloads(args.quotes)
    for per_frame in args.records:
        frames = frames_of(payloads, per_frame)
        for every in args.drain_every:
            us = sorted(run(frames, every) / len(payloads) * 1e6 for _ in range(args.runs))
            print(f"{per_frame:3d} records/frame, drain every {every} frame(s): "
                  f"best {us[0]:5.2f} us/quote, median {statistics.median(us):5.2f}, "
                  f"runs {' '.join(f'{u:.2f}' for u in us)}", flush=True)


if __name__ == "__main__":
    main()
