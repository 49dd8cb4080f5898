"""The history rebuilt as one time-ordered list of steps for the engine.

Orders appear when created (working) and again at their last update (filled, cancelled...);
fills at their time; every bar becomes four prices: its open at the bar's start, then both
extremes and its close at the bar's end (just before the next bar): a bar's high and low are
known only once it has ended, not at a moment inside it (fresh-user trial 20a: played at a
third of the minute, or just before a fill inside it, the minute's low made a -224.00 reading
at 02:14:16 of a price that came at 02:14:41; not before the trader's own exit inside a bar
either, see Runner._trader_fill; a position opened inside the bar meets neither extreme, see
Runner._opened_in). Which extreme
comes first is decided when the step is played (the runner knows the guarded position then):
the adverse one first, so open-PnL rules are judged conservatively. At one instant: prices,
then new orders, then fills, then orders' final states. A close carried out at a moment inside a
bar that is none of these prices takes the price of the contract's fill nearest it in that bar,
else the bar's adverse extreme for the position held (Runner._price): the same convention
whatever the bar size.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import attrs

from cli.replay.model import AccountHistory
from shared.messages.market import STATUS_OPEN, WORKING_STATUSES

PRICE, ORDER_NEW, FILL, ORDER_FINAL = 0, 1, 2, 3


@attrs.frozen
class Step:
    ts_ns: int
    prio: int
    seq: int
    kind: int
    payload: Any
    index: int = 0          # PRICE: 0 open, 1 and 2 extremes, 3 close


def timeline(h: AccountHistory) -> list[Step]:
    steps: list[Step] = []
    seq = 0

    def add(ts, prio, payload, index=0):
        nonlocal seq
        seq += 1
        steps.append(Step(ts, prio, seq, prio, payload, index))

    for cid in sorted(h.bars):
        u = h.bar_ns
        for bar in h.bars[cid]:
            for i, at in enumerate((0, u - 1, u - 1, u - 1)):
                add(bar.ts_ns + at, PRICE, (cid, bar), i)
    for o in h.orders:
        add(o.created_ns, ORDER_NEW, attrs.evolve(o, status=STATUS_OPEN, updated_ns=o.created_ns,
                                                  fill_volume=0, filled_price=None))
        if o.status not in WORKING_STATUSES:
            add(max(o.updated_ns or o.created_ns, o.created_ns), ORDER_FINAL, o)
    for f in h.fills:
        if not f.voided:
            add(f.ts_ns, FILL, f)
    steps.sort(key=lambda s: (s.ts_ns, s.prio, s.seq))
    return steps


def price_within(bar, ts_ns: int, bar_ns: int, tick: Decimal) -> Decimal:
    """The price at a moment inside a bar that is none of its four prices: its open and close
    weighted by the moment's place in the bar, to the nearest tick (a one-second bar gives
    that second's price; a one-minute bar, the minute's move so far)."""
    frac = Decimal(min(max(ts_ns - bar.ts_ns, 0), bar_ns)) / Decimal(bar_ns)
    price = bar.open + (bar.close - bar.open) * frac
    return (price / tick).quantize(Decimal(1), rounding=ROUND_HALF_UP) * tick


def bar_price(bar, index: int, side: int):
    """The price of a bar's step: open, adverse extreme, favourable extreme, close."""
    if index == 0:
        return bar.open
    if index == 3:
        return bar.close
    adverse, favourable = (bar.high, bar.low) if side < 0 else (bar.low, bar.high)
    return adverse if index == 1 else favourable
