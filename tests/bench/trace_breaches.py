"""Where a breach's time goes, hop by hop: a dev tool beside the storm and scale benches.

    python -m tests.bench.trace_breaches [--accounts N] [--idle] [--slowest K]

One chain of bench_storm (the real processes; with --accounts, bench_scale's accounts with 2
positions and 2 orders each over its 20 contracts), breaches one after the other during a
storm (or on an idle market with --idle). Each breach is a window: from its buy to the final
result of its close, everything of account 1001 belongs to it (breaches never overlap). Its
hops, all on this machine's clock:
  sim      trade (the sim's creationTimestamp) -> the Fill published by market
  risk     Fill published -> the close command published (risk publishes it first)
  enf      command published -> enforcement started it (its journal's 'running' row)
  call     started -> the close's order created at the sim (the call reached the broker)
and the total, trade -> close order (the benches' breach figure). Printed: p50 / p90 / p99 / max
of each hop and the slowest breaches hop by hop.

Round 10 found the scale bench's 60 ms tail with it: the whole tail was 'enf', because the
bench counted another account's close as its own and placed the next buy while the previous
close still settled in its lane (the bench's fault; tests/bench/bench_storm.py).
"""
from __future__ import annotations

import argparse
import pathlib
import tempfile
import time

import zmq

from shared import topics
from shared.messages.enforce import Command
from shared.messages.market import Fill
from tests.bench.bench_storm import (ACCOUNT, BUY, IDLE_BREACHES, MARKET, STORM_BREACHES,
                                     STORM_CONTRACTS, Chain, waiting)
from tests.bench.report import percentile

HOPS = ("sim", "risk", "enf", "call", "total")


class TracedChain(Chain):
    """The bench chain, also noting per breach: its fill's and its command's publish times."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decisions.setsockopt(zmq.SUBSCRIBE, topics.COMMAND.encode())
        self.windows: list[dict] = []        # one per breach, in order

    def breaches(self, n: int, until: float = float("inf")) -> int:
        done = 0
        while done < n and time.monotonic() < until:
            self.windows.append({})
            done += super().breaches(1, until)
        return done

    def pump_fills(self) -> None:
        for now, env in waiting(self.fills):
            msg = env.msg
            if isinstance(msg, Fill):
                self.fill_ms.append((msg.ts_ns, (now - msg.ts_ns) / 1e6))
                if msg.account_id == ACCOUNT and msg.side == BUY and self.windows:
                    self.windows[-1].setdefault("trade", msg.ts_ns)
                    self.windows[-1].setdefault("fill", env.ts_ns)
                    self._buy_fill_ns = self._buy_fill_ns or env.ts_ns

    def pump_decisions(self) -> None:
        for _now, env in waiting(self.decisions):
            if getattr(env.msg, "account_id", None) != ACCOUNT:
                continue
            if isinstance(env.msg, Command) and self.windows:
                self.windows[-1].setdefault("command", env.ts_ns)
                self.windows[-1].setdefault("command_id", env.msg.id)
            else:
                self._decisions_ns.append(env.ts_ns)


def hops(chain: TracedChain, since_ns: int) -> list[dict]:
    """Each breach's hops in ms (absent where a mark is missing)."""
    closes = sorted((o for o in chain.client.search_orders(ACCOUNT, since_ns)
                     if o.type == MARKET and o.side != BUY), key=lambda o: o.id)
    out = []
    for w in chain.windows:
        result = chain.seen.get(w.get("command_id", ""))
        if not result or "trade" not in w or "command" not in w:
            continue
        start = result.started_ns
        close = next((o.created_ns for o in closes if o.created_ns >= start), None)
        row = {"sim": w["fill"] - w["trade"], "risk": w["command"] - w["fill"],
               "enf": start - w["command"]}
        if close is not None:
            row["call"] = close - start
            row["total"] = close - w["trade"]
        out.append({k: v / 1e6 for k, v in row.items()})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.trace_breaches")
    parser.add_argument("--accounts", type=int, default=0,
                        help="bench_scale's accounts beside 1001 and 1002 (2 positions, 2 orders)")
    parser.add_argument("--idle", action="store_true", help="no storm: an idle market")
    parser.add_argument("--slowest", type=int, default=10, help="slowest breaches to list")
    args = parser.parse_args()
    from tests.bench.bench_scale import CONTRACTS, populate
    with tempfile.TemporaryDirectory() as tmp:
        chain = TracedChain(pathlib.Path(tmp), accounts=args.accounts,
                            contracts=CONTRACTS if args.accounts else STORM_CONTRACTS)
        try:
            chain.start()
            if args.accounts:
                populate(chain, args.accounts)
                time.sleep(2.0)                # start-up work settles; not a sync
            chain.windows.clear()
            since = time.time_ns()
            chain.phase(IDLE_BREACHES if args.idle else STORM_BREACHES, storm=not args.idle)
            rows = hops(chain, since)
        finally:
            chain.close()
    print(f"{len(rows)} breaches, {'idle' if args.idle else 'storm'}, "
          f"{args.accounts} more accounts; ms")
    for hop in HOPS:
        values = [r[hop] for r in rows if hop in r]
        if values:
            print(f"  {hop:<6} p50 {percentile(values, 50):7.2f}  p90 {percentile(values, 90):7.2f}"
                  f"  p99 {percentile(values, 99):7.2f}  max {max(values):7.2f}")
    print("slowest: " + "  ".join(f"{h:>7}" for h in HOPS))
    for r in sorted(rows, key=lambda r: -r.get("total", 0))[:args.slowest]:
        print("         " + "  ".join(f"{r[h]:7.2f}" if h in r else "      -" for h in HOPS))


if __name__ == "__main__":
    main()
