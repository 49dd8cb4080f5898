"""The counterfactual book: the trader's actual fills and riskd's would-be closes, side by side.

Per contract it keeps the actual signed position A and the guarded one G (G is always a part
of A: same side or flat, never larger). Contracts that exist in A but not in G are "removed":
closed early by riskd (at that moment's price, with the close fee) or never opened because a
lockout or a cancelled order blocked the fill. A trader's later exit consumes removed
contracts first (it is "what followed" from them, so it does not happen in the guarded day),
then the guarded ones. An opening fill that is blocked adds removed contracts. Exits of
guarded contracts always pass: riskd never keeps a trader in a position.

Every removal remembers the rule behind it, so the effect on PnL (guarded minus actual, fees
included) is attributed per rule: a close's own PnL when it is made, the actual exit's undone
when the removed contracts' actual exit comes (a position still open at the end has none).
Each trader fill removed (wholly or in part) is counted once, for one rule, per day: `blocked`
when its entry was stopped, else `dropped` (an exit meeting removed contracts, for the first
one's rule), so the per-rule counts add up to the day's.
Money is exact Decimal; PnL = price move / tick size x tick value x size, signed by side.
"""
from __future__ import annotations

import collections
import datetime as dt
from decimal import Decimal
from typing import Callable, Optional

import attrs

from cli.replay.model import signed
from shared.messages.market import (POSITION_LONG, POSITION_SHORT, SIDE_BUY, SIDE_SELL,
                                    ContractInfo, Fill, PositionUpdate)

ZERO = Decimal(0)
CLOSED, BLOCKED = "closed", "blocked"


def _sign(x: int) -> int:
    return (x > 0) - (x < 0)


@attrs.define
class Removed:
    """Contracts in the actual position that the guarded day does not hold."""
    size: int
    price: Decimal          # the close price (CLOSED) or the blocked entry's price (BLOCKED)
    rule: str
    kind: str
    entry: Decimal = ZERO   # CLOSED: the guarded position's average price they were closed from


@attrs.define
class Book:
    """One contract."""
    actual: int = 0
    guarded: int = 0
    avg: Decimal = ZERO                       # the guarded position's average price
    actual_avg: Decimal = ZERO                # the actual one's, as the broker averages it
    removed: collections.deque = attrs.Factory(collections.deque)
    position_id: int = 0


@attrs.define
class DayTally:
    actual: Decimal = ZERO       # realized PnL minus fees, as the broker booked it
    guarded: Decimal = ZERO
    trades: int = 0              # the trader's fills
    blocked: int = 0             # entries a lockout or cancelled order stopped (directly)
    dropped: int = 0             # exits that followed from a close or a blocked entry


@attrs.define
class RuleEffect:
    changed: Decimal = ZERO      # guarded minus actual PnL caused by this rule's removals
    contracts_closed: int = 0
    blocked: int = 0             # the trader's entries its lockouts (or cancels) stopped
    dropped: int = 0             # the trader's exits of contracts it closed or blocked


@attrs.frozen
class Passed:
    """What a trader's fill became in the guarded day."""
    fill: Optional[Fill]                     # None: removed entirely
    position: Optional[PositionUpdate]       # the guarded position after it (None: unchanged)
    blocked: int                             # contracts of it that did not happen
    rule: Optional[str] = None               # the rule they are counted for


class GuardedBook:
    def __init__(self, account_id: int, contracts: dict[str, ContractInfo],
                 day_of: Callable[[int], dt.date], fee_per_contract: dict[str, Decimal]):
        self.account_id = account_id
        self.contracts = contracts
        self.day_of = day_of
        self.fee = fee_per_contract
        self.books: dict[str, Book] = {}
        self.days: dict[dt.date, DayTally] = collections.defaultdict(DayTally)
        self.rules: dict[str, RuleEffect] = collections.defaultdict(RuleEffect)
        self._own_ids = 0
        self.actual_total = ZERO       # running sums over the whole replay (equity curves)
        self.guarded_total = ZERO

    def book(self, contract_id: str) -> Book:
        return self.books.setdefault(contract_id, Book())

    def _mult(self, contract_id: str) -> Decimal:
        c = self.contracts.get(contract_id)
        if c is None:
            raise KeyError(f"no contract data for {contract_id}: tick size and value needed")
        return c.tick_value / c.tick_size

    def _fee(self, contract_id: str, n: int) -> Decimal:
        return self.fee.get(contract_id, ZERO) * n

    # -- the trader's fills ------------------------------------------------------------------
    def trader_fill(self, fill: Fill, blocked_by: Optional[str], riskd: bool = False) -> Passed:
        """Apply one actual fill; blocked_by names the rule whose lockout (or cancel) blocks
        its opening part, or None. riskd: the fill is riskd's own close of a day it guarded
        (cli/replay/riskdrecords.py): an exit like any other, but not one of the trader's, so
        it is never counted as dropped (a close the replay took already meets it)."""
        b = self.book(fill.contract_id)
        day = self.days[self.day_of(fill.ts_ns)]
        day.trades += 1
        day.actual += (fill.pnl or ZERO) - fill.fees
        self.actual_total += (fill.pnl or ZERO) - fill.fees
        q = signed(fill)
        side_a = _sign(b.actual)
        closing = min(abs(q), abs(b.actual)) if side_a and _sign(q) != side_a else 0
        opening = abs(q) - closing
        # the broker's PnL is the guarded day's only while both books hold the same contracts
        # at the same average: a blocked entry the trader sold again leaves its price in the
        # broker's average (trial 18b: the day table +0.25 off the rule table)
        identical = b.guarded == b.actual and not b.removed and (
            b.actual == 0 or b.avg == b.actual_avg)
        # exits consume removed contracts first
        passed_close = closing
        first_rule = None                    # whose removal the exit meets first
        while passed_close and b.removed:
            r = b.removed[0]
            first_rule = first_rule or r.rule
            n = min(r.size, passed_close)
            self._consumed(r, n, fill, side_a)
            passed_close -= n
            r.size -= n
            if r.size == 0:
                b.removed.popleft()
        self._average_actual(b, q, closing, opening, fill.price)
        passed_open = opening
        if opening and blocked_by is not None:     # an entry blocked directly
            passed_open = 0
            b.removed.append(Removed(opening, fill.price, blocked_by, BLOCKED))
            effect = self.rules[blocked_by]
            effect.blocked += 1
            effect.changed += self._fee(fill.contract_id, opening)   # its entry fee is saved
            day.blocked += 1
        size = passed_close + passed_open
        removed = abs(q) - size
        entry_blocked = bool(opening) and blocked_by is not None
        rule = blocked_by if entry_blocked else first_rule
        if removed and not entry_blocked and not riskd:
            # one count per fill, one rule per count: an entry blocked directly is counted
            # above; any other fill removed (wholly or in part) is an exit that followed
            day.dropped += 1
            self.rules[rule].dropped += 1
        if size == 0:
            return Passed(None, None, removed, rule)
        if identical and size == abs(q):
            pnl = fill.pnl                       # the same book: the broker's own figure
        else:
            pnl = self._realize(b, fill.contract_id, fill.price, passed_close) \
                if passed_close else None
        fees = fill.fees if size == abs(q) else fill.fees * size / abs(q)
        self._move(b, _sign(q) * passed_close, _sign(q) * passed_open, fill.price)
        day.guarded += (pnl or ZERO) - fees
        self.guarded_total += (pnl or ZERO) - fees
        out = attrs.evolve(fill, size=size, pnl=pnl, fees=fees)
        return Passed(out, self._position(fill.contract_id, b, fill.ts_ns), removed,
                      rule if removed else None)

    def _consumed(self, r: Removed, n: int, fill: Fill, side: int) -> None:
        """n removed contracts meet their actual exit: book the difference for r's rule."""
        mult = self._mult(fill.contract_id)
        if r.kind == CLOSED:        # the close's own PnL was booked by close(); actual's exit
            gross = -(fill.price - r.entry) * side * n * mult      # of them is undone here
        else:                       # guarded never held them: actual's round trip is undone
            gross = -(fill.price - r.price) * side * n * mult
        self.rules[r.rule].changed += gross + self._fee(fill.contract_id, n)

    def _realize(self, b: Book, contract_id: str, price: Decimal, n: int) -> Decimal:
        return (price - b.avg) * _sign(b.guarded) * n * self._mult(contract_id)

    @staticmethod
    def _average_actual(b: Book, q: int, closing: int, opening: int, price: Decimal) -> None:
        """The actual position after a fill, and its average price as the broker keeps it
        (a close leaves the average, an opening averages in, a flip starts from its price)."""
        after_close = b.actual + _sign(q) * closing
        if opening:
            b.actual_avg = price if after_close == 0 else \
                (b.actual_avg * abs(after_close) + price * opening) / (abs(after_close) + opening)
        b.actual += q

    @staticmethod
    def _move(b: Book, close: int, open_: int, price: Decimal) -> None:
        """close (signed, against G) then open (signed) contracts at price."""
        b.guarded += close
        if open_:
            if b.guarded == 0:
                b.avg = price
            else:
                b.avg = (b.avg * abs(b.guarded) + price * abs(open_)) / (abs(b.guarded)
                                                                         + abs(open_))
            b.guarded += open_

    def _position(self, contract_id: str, b: Book, ts_ns: int) -> PositionUpdate:
        if b.guarded == 0:
            b.position_id += 1
        return PositionUpdate(account_id=self.account_id, position_id=b.position_id,
                              contract_id=contract_id, ts_ns=ts_ns,
                              type=POSITION_LONG if b.guarded > 0 else
                              POSITION_SHORT if b.guarded < 0 else 0,
                              size=abs(b.guarded), average_price=b.avg)

    # -- riskd's closes ------------------------------------------------------------------
    def close(self, contract_id: str, size: Optional[int], price: Decimal, now: int,
              rule: str) -> Optional[tuple[Fill, PositionUpdate]]:
        """riskd closes `size` contracts (None: all) of the guarded position at price, paying
        the close fee. Returns its own fill and the position after it, or None when flat."""
        b = self.book(contract_id)
        n = abs(b.guarded) if size is None else min(size, abs(b.guarded))
        if n <= 0:
            return None
        side = _sign(b.guarded)
        pnl = self._realize(b, contract_id, price, n)
        fees = self._fee(contract_id, n)
        b.guarded -= side * n
        b.removed.append(Removed(n, price, rule, CLOSED, b.avg))
        effect = self.rules[rule]
        effect.contracts_closed += n
        # the close's PnL is the rule's from its moment, not only once the trader's own exit
        # of those contracts comes: a position the trader still holds when the replay ends
        # left the rule table's total apart from the day table's (trial 21c, finding 4: -0.74
        # against -405.74); with the exit, _consumed books the rest, the same sum as before
        effect.changed += pnl - fees
        self.days[self.day_of(now)].guarded += pnl - fees
        self.guarded_total += pnl - fees
        self._own_ids += 1
        fill = Fill(account_id=self.account_id, trade_id=-self._own_ids, contract_id=contract_id,
                    ts_ns=now, price=price, pnl=pnl, fees=fees,
                    side=SIDE_SELL if side > 0 else SIDE_BUY, size=n,
                    order_id=-self._own_ids)
        return fill, self._position(contract_id, b, now)

    def carry_in(self, contract_id: str, size: int, avg: Decimal) -> None:
        """A position held when the replayed range starts (signed size, its average price),
        carried over from before it: actual and guarded hold it alike."""
        b = self.book(contract_id)
        b.actual = b.guarded = size
        b.avg = b.actual_avg = avg
        b.position_id += 1

    def position(self, contract_id: str, now: int) -> PositionUpdate:
        """The guarded position as it stands, as the broker would report it."""
        return self._position(contract_id, self.book(contract_id), now)

    def side(self, contract_id: str) -> int:
        """+1 long, -1 short, 0 flat: the guarded position (which way is adverse)."""
        return _sign(self.books[contract_id].guarded) if contract_id in self.books else 0

    def open_contracts(self) -> list[str]:
        return [cid for cid, b in self.books.items() if b.guarded]
