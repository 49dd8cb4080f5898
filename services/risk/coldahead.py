"""Which stream is ahead in a snapshot that starts an account (pure).

market's snapshot holds its Positions and its Trades as the hubs last sent each, and the two
hubs are not in step (services/risk/ahead.py): the snapshot a restarted risk reads may list a
Position that has not shown the latest Trades yet, or one whose own Trade has not come. Taken
as a starting point that holds every fill (the account's first snapshot), the later events of
the same fills read as news: the lockout's close seen as a Trade, then the trader's re-entry,
read as a buy added to the closed position ("reduce by 1" down to 1, left open on a locked
account), or the re-entry's own Trade, after its Position, as growth on top of it
(tests/unit/risk/test_locked_reentry_beside_a_close_in_flight.py).

The broker's own stamps say which: a Position's time is its creationTimestamp (the opening
of the position, new each time it opens from flat), and its opening fill is stamped within
SAME_FILL_NS of it. From that fill on, every fill moved this position, which stayed open on
its side until the last one it shows:
- the fills since its opening pass through its size and go on: the Position has not shown the
  ones after (the Trades ahead). The entry agrees at the Position and holds those fills, as
  if they had come live after it;
- no fill made since its opening is known (it opened today): the Position is ahead of its own
  opening fill. The entry agrees at flat, its growth shown and judged by the lockout on the
  starting point's own step, as a Position ahead of its fill is live (cut, or free: Pending):
  that fill, when it comes, only confirms it.
Anything else (it opened before the trading day, a flip that kept its creation time, fills
that do not lead to it, a Position market read from the broker after the fills it has not
shown were made) is left as before: the snapshot's Position is the truth of size.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Optional

from services.risk.ahead import Pending
from shared.clock import SKEW_NS
from shared.messages.market import SIDE_BUY, SIDE_SELL, Fill
from shared.openedafter import SAME_FILL_NS


def ahead_of(signed: int, avg: Decimal, opened_ns: int, fills: Iterable[Fill],
             day_start_ns: int, now: int, read_ns: int = 0) -> Optional[Pending]:
    """The entry a starting point's position (signed size, average price, its broker
    opening time) begins with, given today's fills on its contract; None: they agree, or
    the fills cannot say. read_ns: when market's latest broker read began (its clock): a
    Position read after the fills were made holds them, whatever they say."""
    if not signed or opened_ns < day_start_ns:
        return None
    fills = sorted((f for f in fills if not f.voided and f.ts_ns >= opened_ns - SAME_FILL_NS),
                   key=lambda f: (f.ts_ns, f.trade_id))
    if not fills:           # its opening fill has not come: the Position is ahead
        p = Pending(0, Decimal(0), now)
        p.show(0, signed)
        p.refresh(signed)
        return p
    long = signed > 0
    side = SIDE_BUY if long else SIDE_SELL
    openings = [i for i, f in enumerate(fills)
                if f.side == side and abs(f.ts_ns - opened_ns) <= SAME_FILL_NS]
    if not openings:
        return None
    start = min(openings, key=lambda i: (abs(fills[i].ts_ns - opened_ns), i))
    held, shown = 0, None
    for i in range(start, len(fills)):
        f = fills[i]
        held += f.size if f.side == SIDE_BUY else -f.size
        if held == 0 or (held > 0) != long:
            break               # it went flat or flipped here: what follows is not in it
        if held == signed:
            shown = i
    if shown is None or shown == len(fills) - 1:
        return None             # agreed (or the fills do not reach it)
    if all(f.ts_ns + SKEW_NS < read_ns for f in fills[shown + 1:]):
        return None             # read afresh since: the broker's position is the truth
    p = Pending(signed, avg, now)
    for f in fills[shown + 1:]:
        p.add_fill(f.size if f.side == SIDE_BUY else -f.size, f.ts_ns, f.by_riskd)
    p.refresh(signed)
    return p
