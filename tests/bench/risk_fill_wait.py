"""Where a breach's fill waits in risk's loop during a storm, N accounts, in-process:
python -m tests.bench.risk_fill_wait [--accounts 1000] [--seconds 10] [--fill-every 0.1]

The real RiskWorker (etc/riskd.toml's rules as shipped) runs its own loop (timers and
readers, as Worker.run) in this process on loopback sockets; a thread beside it plays market
after its quote pace: every 5 ms one quote of each of 20 contracts (a seeded random walk; the
scale bench's layout: N accounts long 1 lot in 2 of the 20 contracts), and every FILL_EVERY s
a buy Fill of one of the breach accounts (each locked by its trader, flat, holding nothing:
the fill is a breach that risk answers with close_position, as in the storm bench). Nothing
else runs (no market, enforcement, sim); quotes come at market's paced rate (20 contracts
every 5 ms), not the sim's 20,000/s.

Per fill: its wait, fill published -> its decision published (wall time; the thread's
publish and the worker's read share the GIL and the 2 cores), and which of the loop's steps
ran meanwhile (time in each, summed over the fills: where the waits went), and how many
accounts' moved prices were judged between the fill's publish and its decision. Printed:
p50 / p99 / max of the wait, the steps' shares, the loop's CPU time, the 3 slowest fills'
steps (ms; nested steps, e.g. a commit inside a drain, count in both). Not part of make bench.
Round 16 (docs/performance.md, "Round 16: fills first at 1,000 accounts").
"""
from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
from decimal import Decimal

from services.risk.app import RiskWorker
from shared import topics
from shared.messages.market import SIDE_BUY, Fill, Quote
from tests.bench.report import percentile
from tests.bench.risk_quote_cpu import CONTRACTS, FIRST, STEP, joined, scale_snapshot
from tests.support.riskinprocess import risk_in_process

PACE = 0.005            # s: market's quote pace (services/market/app.py QUOTE_PACE)
BREACHERS = 9_000_001   # the first breach account (locked, flat); one per fill
STEPS = ("_on_results", "_drain_market", "judge_slices", "judge_all", "commit", "_tick",
         "_publish_status", "_status_slice", "_flush_marks", "_check_quiet", "_send_due")


class Probe:
    """The loop's steps as (name, start, end) in monotonic ns, and the judged-account count."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, int, int]] = []
        self.judged = 0
        self.judged_at: list[tuple[int, int]] = []      # (ns, accounts judged so far)

    def wrap(self, name, fn):
        spans, clock = self.spans, time.monotonic_ns

        def wrapped(*args, **kwargs):
            t0 = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                spans.append((name, t0, clock()))
        return wrapped


def instrument(w: RiskWorker, probe: Probe) -> None:
    """Wrap the loop's steps (before setup: its timers and readers take the wrapped ones)."""
    for name in ("_on_results", "_drain_market", "_tick", "_publish_status", "_status_slice",
                 "_flush_marks", "_check_quiet", "_send_due"):
        setattr(w, name, probe.wrap(name, getattr(w, name)))
    judge = w._judge_moved
    slices, whole = probe.wrap("judge_slices", judge), probe.wrap("judge_all", judge)
    w._judge_moved = lambda yielding: (slices if yielding else whole)(yielding)


def run(accounts: int, seconds: float, fill_every: float, seed: int = 7) -> dict:
    rng = random.Random(seed)
    probe = Probe()
    with tempfile.TemporaryDirectory() as tmp, \
            risk_in_process(tmp, unbounded=True,
                            before_bind=lambda w: instrument(w, probe)) as (w, pub):
        w.store.commit = probe.wrap("commit", w.store.commit)      # inside the steps above
        return _storm(w, pub, probe, rng, accounts, seconds, fill_every)


def _storm(w, pub, probe, rng, accounts, seconds, fill_every) -> dict:
    now = joined(w, pub)
    ids = [FIRST + k for k in range(accounts)]
    n_fills = int(seconds / fill_every) + 1
    breachers = [BREACHERS + k for k in range(n_fills)]
    w.on_snapshot(scale_snapshot(pub, ids, now, flat=breachers))
    w.ask._close()                          # no market to answer it: synced by hand
    w.ask.waiting = False
    for a in breachers:                     # every buy of theirs is a breach
        out, refusal = w.engine.self_lock(a, w.clock.now_ns(), session=True, reason="bench")
        assert not refusal, refusal
        w.apply(out)
    decided: dict[int, int] = {}
    publish = w.pub.publish

    def recorded(topic, msg):
        if topic == topics.DECISION and msg.account_id >= BREACHERS:
            decided.setdefault(msg.account_id, time.monotonic_ns())
        return publish(topic, msg)
    w.pub.publish = recorded
    judge_of = w.engine._judge_moves_of

    def counted(acct, now, out):
        probe.judged += 1
        return judge_of(acct, now, out)
    w.engine._judge_moves_of = counted
    sent: dict[int, tuple[int, int]] = {}    # breach account -> (published ns, judged so far)
    stop = threading.Event()

    def market() -> None:
        price = {cid: Decimal(20000) for cid, _, _ in CONTRACTS}
        start = time.monotonic()
        next_fill, k, trade = start + 0.5, 0, 0
        tick = 0
        while not stop.is_set():
            t = time.monotonic()
            if t - start > seconds + 0.5:
                break
            for cid, _, _ in CONTRACTS:
                price[cid] += STEP * rng.choice((-1, 1))
                pub.publish(topics.quote(cid), Quote(
                    contract_id=cid, ts_ns=time.time_ns(), bid=price[cid] - Decimal("0.25"),
                    ask=price[cid] + Decimal("0.25"), last=price[cid]))
            if t >= next_fill and k < len(breachers):
                aid, cid = breachers[k], CONTRACTS[k % 20][0]
                trade += 1
                fill = Fill(account_id=aid, trade_id=trade, contract_id=cid,
                            ts_ns=time.time_ns(), price=price[cid], pnl=None,
                            fees=Decimal("0.37"), side=SIDE_BUY, size=1, order_id=trade)
                sent[aid] = (time.monotonic_ns(), probe.judged)
                pub.publish(topics.FILL, fill)
                k += 1
                next_fill += fill_every
            tick += 1
            time.sleep(max(0.0, start + tick * PACE - time.monotonic()))
    thread = threading.Thread(target=market, daemon=True)
    cpu0 = time.process_time()
    thread.start()
    end = time.monotonic() + seconds + 2.0
    while time.monotonic() < end:           # the worker's loop, as Worker.run
        timeout = w._run_timers()
        for sock, _event in w.poller.poll(min(timeout, 100)):
            callback = w._readers.get(sock)
            if callback is not None:
                callback()
    stop.set()
    thread.join()
    cpu = time.process_time() - cpu0
    return summary(sent, decided, probe, cpu, seconds)


def summary(sent, decided, probe, cpu, seconds) -> dict:
    waits, missing = [], 0
    share = dict.fromkeys(STEPS, 0)
    for aid, (t0, _judged) in sent.items():
        t1 = decided.get(aid)
        if t1 is None:
            missing += 1
            continue
        waits.append((t1 - t0) / 1e6)
        for name, a, b in probe.spans:
            lo, hi = max(a, t0), min(b, t1)
            if hi > lo:
                share[name] = share.get(name, 0) + (hi - lo)
    slowest = []
    for aid, (t0, _judged) in sent.items():
        t1 = decided.get(aid)
        if t1 is None:
            continue
        parts: dict[str, int] = {}
        for name, a, b in probe.spans:
            lo, hi = max(a, t0), min(b, t1)
            if hi > lo:
                parts[name] = parts.get(name, 0) + (hi - lo)
        slowest.append(((t1 - t0) / 1e6, parts))
    slowest.sort(key=lambda x: -x[0])
    total = sum((decided[a] - t0) for a, (t0, _) in sent.items() if a in decided) or 1
    return {"waits": sorted(waits), "missing": missing, "cpu": cpu, "seconds": seconds,
            "share": {k: v / total for k, v in share.items() if v},
            "spans": {name: (sum(1 for s in probe.spans if s[0] == name),
                             max(((b - a) for n, a, b in probe.spans if n == name), default=0))
                      for name in STEPS},
            "judged": probe.judged, "slowest": slowest[:3]}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.risk_fill_wait")
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--fill-every", type=float, default=0.1)
    args = parser.parse_args()
    r = run(args.accounts, args.seconds, args.fill_every)
    w = r["waits"]
    print(f"{args.accounts} accounts, {len(w)} fills ({r['missing']} not decided): "
          f"fill -> decision p50 {percentile(w, 50):.2f} ms, p99 {percentile(w, 99):.2f} ms, "
          f"max {w[-1]:.2f} ms; loop CPU {r['cpu'] / (r['seconds'] + 2) * 100:.0f} % of a core, "
          f"{r['judged']} accounts judged")
    print("where the fills' waits went (share of their summed wait):")
    for name, s in sorted(r["share"].items(), key=lambda kv: -kv[1]):
        n, longest = r["spans"].get(name, (0, 0))
        print(f"  {name:16s} {s * 100:5.1f} %   ({n} runs, longest {longest / 1e6:.1f} ms)")
    for wait, parts in r["slowest"]:
        print(f"slow fill {wait:.1f} ms: " + ", ".join(
            f"{k} {v / 1e6:.1f}" for k, v in sorted(parts.items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    main()
