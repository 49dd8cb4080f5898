"""Which stream is ahead: a fill's Trade and its Position update arrive in either order.

The broker sends a fill's Trade and Position events in no guaranteed order (TopstepX sends
the Trade first). While the two disagree on a contract, a Pending entry keeps the broker's
position at the last point they agreed (`agree`, signed, with its average price) and the
signed sum of the live fills seen since (`fills`); the broker's position now is passed in.
From these, with no guess about what comes next:
- exits_ahead: contracts closed by fills the Position has not shown yet (Trade first). They
  are no longer open: their PnL is already in realized.
- closed_ahead: contracts the Position closed before their fill arrived (Position first).
  Their open PnL still counts (at the agreed average price) until the Trade realizes it.
- unexplained growth of the position (no fill seen explains it) or of the fills (no position
  shows them yet): what a lockout must treat as new exposure; the other event of the same
  fill only confirms it. The fills' growth is counted fill by fill (`opened`), so a close
  and a reopen of the same size (a close risk's book missed, then a new trade) still shows
  the reopen. The Position events' growth is counted step by step too (`shown`), for
  agreement only: a fill closing between two buys (riskd's cut, or the trader's sell) nets
  the fills back to what a lagging Position shows, the entry read as agreed, and the
  Position catching up read as new growth (trial14a: a buy counted twice as bought while
  locked).
- `free` / `acted`: of the position's unexplained growth, the contracts no lockout acted on
  (seen while the scope was not locked) and those a lockout cut; the fill that explains it
  says how much of it it confirms (`confirm`): a buy made after a lockout started whose
  Position came before the lockout did is still bought while locked (trial14a burst B), and
  one a lockout cut on its Position is not cut again on its fill when a close between them
  netted the position back (its growth then reads as the fill's own).
Agreement (agree + fills == the broker's position, and the fills opened what the Position
events did) drops the entry. An entry older than
WINDOW_NS is dropped by age(): the broker's position is the truth of size.
"""
from __future__ import annotations

from decimal import Decimal

import attrs

WINDOW_NS = 10 * 1_000_000_000


def opening(a: int, x: int) -> int:
    """Contracts opened by moving the signed position a by x."""
    n = a + x
    if n == 0:
        return 0
    if a == 0 or (n > 0) != (a > 0):
        return abs(n)
    return max(0, abs(n) - abs(a))


def closing(a: int, x: int) -> int:
    """Contracts of the signed position a closed by moving it by x."""
    n = a + x
    if a == 0:
        return 0
    if n == 0 or (n > 0) != (a > 0):
        return abs(a)
    return max(0, abs(a) - abs(n))


@attrs.define
class Pending:
    agree: int                 # signed broker position when the streams last agreed
    agree_avg: Decimal
    since_ns: int
    fills: int = 0             # signed sum of live fills seen since
    opened: int = 0            # contracts those fills opened, one by one: a close then a
                               # reopen of the same size nets to 0 in `fills`, not here
    fill_ts: int = 0           # the latest such fill's own time
    opened_ts: int = 0         # the own time of the latest fill that opened a position from
                               # flat (or flipped it): the fills' position is that new one
    exits: int = 0             # exits_ahead / closed_ahead as of the last refresh (the hot
    closed: int = 0            # path reads these on every quote)
    shown: int = 0             # contracts the Position events opened since, step by step
    free: int = 0              # of the position's lead, contracts no lockout acted on
    acted: int = 0             # ... and those a lockout cut on the Position event
    replaced: int = 0          # signed: contracts of the position the broker replaced by
                               # this one (AccountState._reopened: another id) that no fill
                               # seen has closed yet. A fill against them with a PnL closes
                               # them first: one fill flipped the position and the broker
                               # gave it a new id, or risk missed the close (order21)
    riskd_opened: int = 0      # of `opened`, contracts riskd's own fills opened: its close
                               # of a position whose opening fill came before the entry (a
                               # restarted risk shown the position by its Position event
                               # only); never the trader's growth (traders_lead)
    trader_ts: int = 0         # the own time of the latest trader's fill that opened
                               # contracts (fill_ts may be a later close's: riskd's flatten)

    def refresh(self, broker: int) -> None:
        self.exits = self.exits_ahead(broker)
        self.closed = self.closed_ahead(broker)

    def moved(self, broker: int) -> int:
        return broker - self.agree

    def agreed(self, broker: int) -> bool:
        return self.agree + self.fills == broker and self.shown == self.opened

    def exits_ahead(self, broker: int) -> int:
        return max(0, closing(self.agree, self.fills) - closing(self.agree, self.moved(broker)))

    def closed_ahead(self, broker: int) -> int:
        return max(0, closing(self.agree, self.moved(broker)) - closing(self.agree, self.fills))

    def position_lead(self, broker: int) -> int:
        """Growth the position shows that no fill seen explains."""
        return max(0, opening(self.agree, self.moved(broker)) - self.opened)

    def fills_lead(self, broker: int) -> int:
        """Growth the fills show that the position does not yet."""
        return max(0, self.opened - opening(self.agree, self.moved(broker)))

    def traders_lead(self, broker: int) -> int:
        """fills_lead() less what riskd's own fills opened in the fills' view: riskd's closes
        never grow a position (chaos run: after a restart mid-flatten, the flatten's sell of 2
        read from a position agreed at flat as growth of 2 while locked, closed again). Never
        more than the fills hold open: contracts a later fill closed again are not held
        (in-suite chaos test 2026-12-07: the trader's buy of 2, never committed by the risk
        killed mid-flatten, and the flatten's sell of 2 came live to the restarted risk, no
        Position event with them; "2 opened" stayed, read as growth of 2 while locked, and a
        position that never was was closed)."""
        return max(0, min(self.fills_lead(broker) - self.riskd_opened,
                          abs(self.agree + self.fills)))

    def show(self, before: int, after: int) -> None:
        """A Position event moved the signed position from before to after."""
        self.shown += opening(before, after - before)

    def confirm(self, lead_before: int, broker: int) -> int:
        """A trader's fill just explained position growth (the lead was lead_before): how
        much of it no lockout acted on (taken out of `free` first, then out of `acted`)."""
        explained = max(0, lead_before - self.position_lead(broker))
        n = min(self.free, explained)
        self.free -= n
        self.acted -= min(self.acted, explained - n)
        return n

    def already_cut(self, grown: int) -> int:
        """Of a trader's fill's growth no position shows (fills_lead), the contracts a
        lockout already cut on their Position event (a close since netted that growth away
        from the Position's lead): taken out of `acted`."""
        n = min(self.acted, grown)
        self.acted -= n
        return n

    def add_fill(self, qty: int, ts_ns: int, riskd: bool = False) -> None:
        """A live fill of signed qty: it moves the fills' position and opens what it opens
        (riskd: the fill is riskd's own)."""
        before = self.agree + self.fills
        n = opening(before, qty)
        self.opened += n
        if riskd:
            self.riskd_opened += n
        elif n:
            self.trader_ts = max(self.trader_ts, ts_ns)
        self.fills += qty
        self.fill_ts = max(self.fill_ts, ts_ns)
        after = before + qty
        if qty and after and (before == 0 or (before > 0) != (after > 0)):
            self.opened_ts = ts_ns
