"""Account state fed by the market worker's events: positions, orders, today's trades, marks.

Pure bookkeeping: apply_* methods take one normalised broker event and say what changed;
nothing here decides anything. Money is Decimal and exact.

- Positions come from PositionUpdate (the payload is the truth of size; size 0 = closed).
- Orders: only working ones are kept (statuses open, pending, pending cancel, suspended).
- Trades are deduped by id. A trade of the current trading day adds its profitAndLoss and
  fees to realized PnL; a voided trade counts for nothing (and a trade that becomes voided
  later is taken back out). Trade timestamps of the last days are kept for the frequency
  windows (minute, hour, session, day, week).
- Marks: the day's highs used by trailing limits (reset at the roll) and the drawdown
  high-water mark (never reset; persisted by the store).
- Order independence (services/risk/ahead.py): while a fill's Trade and Position disagree,
  live_size() leaves out contracts a fill already closed and closed_parts() keeps the open
  PnL of contracts a Position closed before its fill; lots record when contracts were added
  (rule 1 cuts the newest).
- riskd's own exits (services/risk/exits.py): its fills are marked and never counted as trades.
"""
from __future__ import annotations

import bisect
import functools
import datetime as dt
from decimal import Decimal
from typing import Optional

import attrs

from shared.messages.market import (POSITION_LONG, POSITION_SHORT, SIDE_BUY, SIDE_SELL,
                                    WORKING_STATUSES, AccountUpdate, ContractInfo, Fill,
                                    OrderUpdate, PositionUpdate, Quote)
from services.risk.ahead import WINDOW_NS, Pending, opening
from services.risk.closedpart import closed_by
from services.risk.exits import RiskdExits
from services.risk.stops import note_cover
from shared.openedafter import SAME_FILL_NS
from shared.symbols import is_contract_id, ticker_of

LONG, SHORT = 1, -1
ZERO = Decimal(0)
# the broker sends the balance and each fill's profitAndLoss as JSON floats: a balance that
# carries an average price's repeating digits (three contracts bought at two prices) is the
# sum of the fills only to about 1e-11, never to the last digit (trial23a finding 9: four
# "disagreed for 10 s" re-reads in plain trading after partial closes). Half a cent apart is
# the same balance: no fill moves it by less (a fill's fees alone are cents).
BALANCE_SLACK = Decimal("0.005")
KEEP_TRADE_TIMES_NS = 8 * 86_400 * 1_000_000_000     # enough for a trading week's count
REOPEN_SKEW_NS = 1_000_000_000     # a reopened position's own opening fill may be stamped
                                   # this much before the position's creationTimestamp


def _held(signed: int) -> str:
    """A signed position in words: "long 2", "short 1", "flat"."""
    return "flat" if not signed else f"{'long' if signed > 0 else 'short'} {abs(signed)}"


@functools.lru_cache(maxsize=4096)
def symbol_of(contract_id: str) -> str:
    """The ticker shown for a contract (ES for CON.F.US.EP.Z26); the id itself when odd."""
    return ticker_of(contract_id) if is_contract_id(contract_id) else contract_id


@attrs.define
class Position:
    contract_id: str
    side: int                  # LONG or SHORT
    size: int
    average_price: Decimal
    opened_ns: int
    updated_ns: int
    position_id: int = 0
    lots: list = attrs.Factory(list)          # [added_ns, size], oldest first
    valued_from: int = 0       # risk's clock when it opened: older quotes do not value it
    uncovered_ns: Optional[int] = None   # since when its working stops do not cover it
                                         # (None: covered; services/risk/stops.py)

    @property
    def symbol(self) -> str:
        return symbol_of(self.contract_id)

    @property
    def signed(self) -> int:
        return self.side * self.size

    @property
    def side_word(self) -> str:
        """'long' or 'short', as screens and alerts say it."""
        return "long" if self.side > 0 else "short"


@attrs.define
class MarketView:
    """Contract data and the latest prices, shared by every account."""
    contracts: dict[str, ContractInfo] = attrs.Factory(dict)
    last: dict[str, Decimal] = attrs.Factory(dict)
    bid: dict[str, Decimal] = attrs.Factory(dict)
    ask: dict[str, Decimal] = attrs.Factory(dict)
    quoted_ns: dict[str, int] = attrs.Factory(dict)   # risk's clock at a contract's last quote
    heard: dict[str, Quote] = attrs.Factory(dict)     # a contract's last quote as it came

    def apply_quote(self, q: Quote, now: Optional[int] = None) -> bool:
        """Merge a sparse quote (a missing price keeps the previous one); True if a price moved.
        `now` (risk's clock) is when it arrived: a quote that moved no price is fresh all the same."""
        self.quoted_ns[q.contract_id] = q.ts_ns if now is None else now
        self.heard[q.contract_id] = q
        changed = False
        for book, value in ((self.last, q.last), (self.bid, q.bid), (self.ask, q.ask)):
            if value is not None and book.get(q.contract_id) != value:
                book[q.contract_id] = value
                changed = True
        return changed

    def repeated(self, q: Quote) -> bool:
        """Is q the contract's last quote risk heard, again (a snapshot's copy of market's last
        quote)? Not news: it keeps the time it first came (price_of)."""
        return self.heard.get(q.contract_id) == q

    def apply_contract(self, c: ContractInfo) -> None:
        self.contracts[c.contract_id] = c

    def price(self, contract_id: str) -> Optional[Decimal]:
        """Last trade price, else the bid/ask midpoint, else None (never 0)."""
        last = self.last.get(contract_id)
        if last is not None:
            return last
        bid, ask = self.bid.get(contract_id), self.ask.get(contract_id)
        if bid is not None and ask is not None:
            return (bid + ask) / 2
        return None

    def price_of(self, position: "Position") -> Optional[Decimal]:
        """The price that values a position: only a quote from since it opened, one that
        arrived after risk saw it open or that the broker stamped at or after its opening (its
        creationTimestamp: the same broker clock). market stops the quotes of a contract nobody
        holds or works (it unsubscribes), so the last price risk kept from before may be hours
        old; until a fresh quote comes the position has no open PnL figure (None), and no loss
        rule can act on a stale reading. The broker's stamp: its quotes and its Position events
        come on two hubs, and the drop that reached risk just before the Position that opened
        the position is a price from after it (round 22's missed close in the e2e desk: no
        later quote came, nothing judged it; tests/unit/risk/test_quote_before_its_position.py)."""
        cid = position.contract_id
        if self.quoted_ns.get(cid, -1) < position.valued_from:
            heard = self.heard.get(cid)
            if heard is None or heard.ts_ns < position.opened_ns:
                return None
        return self.price(cid)


@attrs.define
class AccountState:
    account_id: int
    name: str = ""
    trading_day: Optional[dt.date] = None
    balance: Optional[Decimal] = None
    can_trade: bool = True
    positions: dict[str, Position] = attrs.Factory(dict)
    orders: dict[int, OrderUpdate] = attrs.Factory(dict)
    trades: dict[int, Fill] = attrs.Factory(dict)          # today's, voided ones included
    realized_gross: Decimal = ZERO                           # today's profitAndLoss, not voided
    fees: Decimal = ZERO                                     # today's fees, not voided
    trade_times: dict[int, int] = attrs.Factory(dict)       # trade id -> ts (not voided)
    day_start_balance: Optional[Decimal] = None
    day_highs: dict[str, Decimal] = attrs.Factory(dict)     # trailing marks, reset at roll
    hwm: Optional[Decimal] = None                            # drawdown high-water mark
    ahead: dict[str, Pending] = attrs.Factory(dict)         # contracts whose streams disagree
    balance_base: Optional[Decimal] = None   # the broker's balance when it last agreed with
    base_realized: Decimal = ZERO            # ... the fills, and realized (fees in) then
    balance_since: int = 0                   # the balance disagrees with the fills since
    flat_taken: Optional[tuple[Decimal, int]] = None   # a flat account's balance taken as
                                             # the truth though the fills made another one
                                             # (that one, when): apply_account
    riskd: RiskdExits = attrs.Factory(RiskdExits)
    # riskd's next tries of its failed actions (services/risk/retries.py) until answered:
    # command id -> (when the last try failed, when this one is sent); until then its
    # expected exits are not a close in flight (trial19b finding 4), from then it is in
    # flight since it was sent
    tries_at: dict[str, tuple[int, int]] = attrs.Factory(dict)
    position_lead: int = 0       # the last position event's growth no fill explains
    fills_lead: int = 0          # the last fill's growth no position shows yet
    confirmed: int = 0           # the last fill's growth a Position had shown while no
                                 # lockout acted on it (Pending.free): a lockout since
                                 # started makes it bought while locked
    _sorted_times: Optional[list[int]] = None
    # today's trades of the trader (not voided, not riskd's), kept as `trades` changes: read
    # by every fill's commit before its decision is published (a sum over the day's trades
    # was ~60 µs of a breach's commit after 500 breaches; docs/performance.md "Round 13")
    _today_n: int = 0

    # -- trades -------------------------------------------------------------------
    def realized(self, include_fees: bool = True) -> Decimal:
        return self.realized_gross - self.fees if include_fees else self.realized_gross

    def knows_trade(self, trade_id: int) -> bool:
        return trade_id in self.trades or trade_id in self.trade_times

    def apply_fill(self, fill: Fill, day_of, now: Optional[int] = None, live: bool = False) -> str:
        """Record a trade. Returns 'new', 'duplicate', 'changed' (voided flag flipped) or
        'old' (a trade of an earlier trading day: kept only for the week's count).
        `day_of(ns)` gives the trading day of an instant. A live fill (from the stream, not a
        saved or start-up one) also moves the position as the fills see it."""
        self.fills_lead = self.confirmed = 0
        if fill.pnl is not None and fill.closed is None and fill.trade_id not in self.trades:
            # how much of it closed the position held before it (a reversal's other
            # contracts open the new one): read before the fill moves the entries
            fill = attrs.evolve(fill, closed=closed_by(self, fill, live))
        change = self._record_fill(fill, day_of)
        if live and change == "new" and not fill.voided:
            self._fill_ahead(fill, fill.ts_ns if now is None else now)
            note_cover(self, fill.contract_id, fill.ts_ns if now is None else now)
        if self.balance_since and self.balance_agrees():
            self._agree_balance()          # the fill the balance was ahead of has come
        elif self.flat_taken is not None and live and change == "new":
            book, at = self.flat_taken
            if (now if now is not None else fill.ts_ns) - at <= WINDOW_NS and abs(
                    book + self.realized(True) - self.base_realized - self.balance) \
                    < BALANCE_SLACK:
                self._agree_balance()      # the flat account's balance had this fill in
        return change

    def _record_fill(self, fill: Fill, day_of) -> str:
        today = day_of(fill.ts_ns) == self.trading_day
        known = self.trades.get(fill.trade_id)
        if known is not None:
            if known.voided == fill.voided:
                return "duplicate"
            # the same trade again, its voided flag flipped: still whose it was (the broker
            # does not say; riskd's close redelivered was counted and stored as the trader's)
            fill = attrs.evolve(fill, by_riskd=known.by_riskd, closed=known.closed)
            self._count(known, -1)
            self._count(fill, +1)
            self.trades[fill.trade_id] = fill
            return "changed"
        if not today:
            if fill.trade_id in self.trade_times or fill.voided:
                return "duplicate"
            self.trade_times[fill.trade_id] = fill.ts_ns
            self._sorted_times = None
            return "old"
        self.trades[fill.trade_id] = fill
        self._count(fill, +1)
        return "new"

    def _count(self, fill: Fill, sign: int) -> None:
        if fill.voided:
            return
        self.realized_gross += sign * (fill.pnl or ZERO)
        self.fees += sign * fill.fees
        if fill.by_riskd:                  # riskd's closes are money, never the trader's trades
            return
        self._today_n += sign              # _count runs for today's trades only
        if sign > 0:
            self.trade_times[fill.trade_id] = fill.ts_ns
        else:
            self.trade_times.pop(fill.trade_id, None)
        self._sorted_times = None

    def attribute(self, trade_id: int, by_riskd: bool) -> Optional[Fill]:
        """Today's trade is riskd's (by_riskd) or the trader's after all (the broker's order
        ids settled it: services/risk/exits.py take_orders, hold): counted again so. The
        trade as it is now; None when unknown or already so."""
        known = self.trades.get(trade_id)
        if known is None or known.by_riskd == by_riskd:
            return None
        now = attrs.evolve(known, by_riskd=by_riskd)
        self._count(known, -1)
        self.trades[trade_id] = now
        self._count(now, +1)
        return now

    def known_net(self, contract_id: str) -> int:
        """The signed position today's trades risk knows make on the contract (riskd's
        included, voided ones left out)."""
        return sum(f.size if f.side == 0 else -f.size for f in self.trades.values()
                   if f.contract_id == contract_id and not f.voided)

    def trade_times_in(self, start_ns: int, end_ns: int) -> list[int]:
        """The times of the trader's non-voided trades with start_ns < ts <= end_ns, sorted."""
        if self._sorted_times is None:
            self._sorted_times = sorted(self.trade_times.values())
        times = self._sorted_times
        return times[bisect.bisect_right(times, start_ns):bisect.bisect_right(times, end_ns)]

    def trades_in(self, start_ns: int, end_ns: int) -> int:
        """Non-voided trades with start_ns < ts <= end_ns."""
        return len(self.trade_times_in(start_ns, end_ns))

    @property
    def trades_today(self) -> int:
        return self._today_n

    # -- which stream is ahead -----------------------------------------------------------
    def signed(self, contract_id: str) -> int:
        p = self.positions.get(contract_id)
        return 0 if p is None else p.signed

    def _fill_ahead(self, fill: Fill, now: int) -> None:
        cid = fill.contract_id
        qty = fill.size if fill.side == 0 else -fill.size
        broker = self.signed(cid)
        p = self.ahead.get(cid)
        if p is not None and p.replaced and fill.pnl is not None \
                and (qty > 0) != (p.replaced > 0):
            # the fill that flipped the position the broker gave a new id: what it closed of
            # the replaced one is not this position's (_reopened)
            closed = min(abs(p.replaced), abs(qty))
            p.replaced += closed if p.replaced < 0 else -closed
            qty += closed if qty < 0 else -closed
        if p is None and broker == 0 and fill.pnl is not None:
            return          # closes something no position here shows (it closed long ago)
        lead = free = acted = 0
        if p is not None and p.fills == 0 and p.position_lead(broker) \
                and broker and (qty > 0) != (broker > 0):
            # a fill closing a position whose opening fill never came: rebase, the growth the
            # position shows and no fill explained yet still waiting for its fill (the
            # broker's position counts it): that fill, when it comes, is not new growth again
            # (trial14a burst B replayed: riskd's cut between two buys counted one twice)
            if now - p.since_ns <= WINDOW_NS:       # else the broker's position is the truth
                lead, free, acted = p.position_lead(broker), p.free, p.acted
            p = None
        if p is None:
            pos = self.positions.get(cid)
            p = Pending(broker, pos.average_price if pos else ZERO, now, shown=lead, free=free,
                        acted=acted)
        before, lead = p.fills_lead(broker), p.position_lead(broker)
        p.add_fill(qty, fill.ts_ns, fill.by_riskd)
        self.fills_lead = max(0, p.fills_lead(broker) - before)
        trader = qty and not fill.by_riskd and now - p.since_ns <= WINDOW_NS
        self.confirmed = p.confirm(lead, broker) if trader else 0
        if trader and self.fills_lead:
            self.fills_lead -= p.already_cut(self.fills_lead)
        pos = self.positions.get(cid)
        if pos is not None and pos.lots and p.position_lead(broker) == 0 \
                and (qty > 0) == (broker > 0):
            pos.lots[-1][0] = min(pos.lots[-1][0], fill.ts_ns)   # the lot's own fill time
        self._settle(cid, p, broker)

    def lead_seen(self, contract_id: str, cut: bool) -> None:
        """The last Position event's growth no fill explains: a lockout cut it (cut), or none
        acted on it (its scope was not locked): the fill that explains it says which
        (confirmed: bought while locked, a lockout having started since)."""
        p = self.ahead.get(contract_id)
        if p is not None and self.position_lead:
            if cut:
                p.acted += self.position_lead
            else:
                p.free += self.position_lead

    def take_free(self, contract_id: str, now: int) -> int:
        """A lockout cuts growth on the contract now: position growth shown before it locked
        whose fill has not come yet goes with that cut (its fill comes after the fill that
        started the lockout, Trade events being in order: bought while locked). Taken once;
        only while the streams' disagreement is recent (age(): the broker's position is the
        truth after WINDOW_NS, a Position no fill ever explains is not a trade)."""
        p = self.ahead.get(contract_id)
        n = 0 if p is None or now - p.since_ns > WINDOW_NS else p.free
        if n:
            p.free, p.acted = 0, p.acted + n
        return n

    def _settle(self, cid: str, p: Pending, broker: int) -> None:
        if p.agreed(broker):
            self.ahead.pop(cid, None)
        else:
            p.refresh(broker)
            self.ahead[cid] = p

    def live_size(self, position: "Position") -> int:
        """The position's open size: contracts a fill already closed are no longer open (their
        PnL is realized), nor those riskd's done close or reduce still expects fills for
        (done_parts: the broker closed them; every rule reading the size, its open PnL or
        whether its stops cover it sees what the fills will leave, in any event order)."""
        p = self.ahead.get(position.contract_id)      # _filled_size, inline: every quote
        size = position.size if p is None else max(0, position.size - p.exits)
        if size and self.riskd.expected and self.riskd.any_done_unfilled():
            size -= sum(n for n, _ in self.done_parts(position))
        return size

    def kept_size(self, position: "Position", now: int) -> int:
        """The position's open size once riskd's closes and reduces of it in flight are done
        (live_size less what they close: exits.py closing_in_flight): the size the warn_at
        warnings of the size rules judge, the account as the trader will hold it."""
        size = self.live_size(position)
        if size and self.riskd.expected:
            size -= min(size, self.riskd.closing_in_flight(
                position.contract_id, position.signed, position.opened_ns - REOPEN_SKEW_NS,
                now))
        return size

    def _filled_size(self, position: "Position") -> int:
        p = self.ahead.get(position.contract_id)
        if p is None:
            return position.size
        return max(0, position.size - p.exits)

    def done_parts(self, position: "Position") -> list[tuple[int, Decimal]]:
        """(contracts, price) of this position that riskd's done closes and reduces still
        expect fills for, valued at the price when "done" came (services/risk/exits.py
        done_unfilled): the broker has closed them. Contracts its Position already shows
        closed are not in it (closed_parts: their exits are matched there first)."""
        cid = position.contract_id
        parts = self.riskd.done_unfilled(cid, position.signed,
                                         position.opened_ns - REOPEN_SKEW_NS)
        if not parts:
            return []
        p = self.ahead.get(cid)
        return _take(parts, self._filled_size(position), skip=0 if p is None else p.closed)

    def done_closing(self, contract_id: str, now: int) -> int:
        """With no Position of the contract in the book (its size is the fills' alone), the
        contracts riskd's done closes and reduces there still expect fills for: the broker
        closed them, the fills do not show it yet (priced or not: done_parts needs a price,
        a cut's target needs only the count). Less what a Position event already showed
        closed (Pending.closed). The bench's flake, 2026-12-06: a self-lockout's flatten
        closed buy 1, risk's close of it found it flat (done), buy 2 came before the
        flatten's sell and was cut "down to 1": enforcement found 1 held, nothing to do, and
        the locked account kept buy 2 until the unmet exit was forgotten 15 s later."""
        signed = self.exposure(contract_id)
        if signed == 0:
            return 0
        n = self.riskd.done_expected(contract_id, signed, now)
        p = self.ahead.get(contract_id)
        return max(0, n - (p.closed if p is not None else 0))

    def closed_done_parts(self, contract_id: str, side: int,
                          size: int) -> list[tuple[int, Decimal]]:
        """(contracts, price) of a part the broker closed before its fill came (closed_parts)
        that riskd's done exits expect, valued at the price when "done" came."""
        parts = self.riskd.done_unfilled(contract_id, side * size)
        return _take(parts, size) if parts else []

    def closed_parts(self) -> list[tuple[str, int, int, Decimal]]:
        """(contract, side, size, average price) the broker closed before the fill came."""
        out = []
        for cid, p in self.ahead.items():
            if p.closed:
                out.append((cid, LONG if p.agree > 0 else SHORT, p.closed, p.agree_avg))
        return out

    def exposure(self, contract_id: str) -> int:
        """The signed position as the broker has it, counting fills its Position lags."""
        broker = self.signed(contract_id)
        p = self.ahead.get(contract_id)
        if p is None or p.moved(broker) != 0:
            return broker
        return p.agree + p.fills

    def after_closes(self, contract_id: str) -> int:
        """The broker's position less the contracts closing fills took that its Position has
        not shown yet (ahead.exits_ahead): the position a closing fill just seen leaves, whichever
        stream is ahead. exposure() trusts a Position that moved at all: riskd's next cut's
        Position (long 2) reaching risk after both cuts' Trades read as 2 held after the late
        cut that left the position flat (round 24: "your MNQ is +2 now")."""
        p = self.ahead.get(contract_id)
        if p is None:
            return self.exposure(contract_id)
        broker = self.signed(contract_id)
        ahead = min(abs(broker), p.exits_ahead(broker))
        return broker - ahead if broker > 0 else broker + ahead

    def furthest(self, contract_id: str) -> int:
        """exposure(), or the position the fills seen make when they show more open on the
        same side (exposure() reads a Position that has moved, and it may lag the fills):
        every contract a close issued now may find open and close (riskd's expected exits,
        services/risk/exits.py), whichever stream is ahead. A Position ahead of the fills
        is in exposure() already."""
        e = self.exposure(contract_id)
        p = self.ahead.get(contract_id)
        if p is None:
            return e
        fills = p.agree + p.fills
        return fills if (fills * e > 0 or e == 0) and abs(fills) > abs(e) else e

    def position_id_of(self, contract_id: str) -> int:
        """The broker's id of the book's position on the contract (0: none, or not known)."""
        pos = self.positions.get(contract_id)
        return pos.position_id if pos is not None else 0

    def closing_id_of(self, contract_id: str) -> int:
        """position_id_of(), or 0 (not known) when the fills seen since show a position opened
        or flipped that no Position event has shown yet: a close issued now closes that one,
        whose id the broker has not said (it may give a flipped position a new id: a close
        stamped with the old one read as an earlier position's once the new id came, and its
        fill was not counted live; order21, the event-order model with new ids at flips)."""
        p = self.ahead.get(contract_id)
        if p is not None and p.opened_ts and p.moved(self.signed(contract_id)) == 0:
            return 0
        return self.position_id_of(contract_id)

    def opened_at(self, contract_id: str) -> int:
        """When the position held on the contract opened, by the broker's clock (0: none
        known): the book's position's opening, or later, the fill seen since that opened one
        from flat (the Position events not in yet). riskd's exits issued before it expect the
        contracts of an earlier position (services/risk/exits.py earlier_position)."""
        pos = self.positions.get(contract_id)
        p = self.ahead.get(contract_id)
        return max(pos.opened_ns if pos is not None else 0,
                   p.opened_ts if p is not None else 0)

    def stale_since(self, now: int) -> int:
        """When the latest of the disagreements past the window went stale (its start +
        WINDOW_NS): a broker read begun at or after it settles them all; 0: none. A position's
        (chaos run 2026-12-07: a closed long 1 market kept, taken as true 10 s after riskd's
        close filled, made the trader's next buy "added to" it, reduced to 1 and left open on
        a locked account) and the balance's (one from before a loss, taken as true 10 s after
        the loss's fill, left the loss out of drawdown_guard's equity): until that read the
        account is read by its fills (book_balance, the fills' positions)."""
        since = [p.since_ns for p in self.ahead.values()]
        if self.balance_since:
            since.append(self.balance_since)
        return max((t + WINDOW_NS for t in since if now - t > WINDOW_NS), default=0)

    def settle_stale(self, read_ns: int) -> bool:
        """A broker read begun at read_ns is in the book (market's complete snapshot): the
        disagreements stale before it began are settled by it, whatever the Position or the
        balance says now (the broker's position and balance are the truth once read afresh)."""
        old = [c for c, p in self.ahead.items() if p.since_ns + WINDOW_NS <= read_ns]
        for c in old:
            del self.ahead[c]
        if self.balance_since and self.balance_since + WINDOW_NS <= read_ns:
            self._agree_balance()
            return True
        return bool(old)

    @property
    def pending(self) -> bool:
        return bool(self.ahead or self.balance_since)

    def book_balance(self) -> Optional[Decimal]:
        """The balance as of the fills seen: the broker's balance when it last agreed with
        them plus what they realized since. Read with open PnL it counts every fill once,
        whether the broker's account update comes before or after the fill's Trade."""
        if self.balance_base is None:
            return self.balance
        return self.balance_base + self.realized(True) - self.base_realized

    def balance_agrees(self) -> bool:
        """The broker's balance is the one the fills make (to BALANCE_SLACK: both are read
        from the broker's floats)."""
        book = self.book_balance()
        return book is not None and self.balance is not None \
            and abs(book - self.balance) < BALANCE_SLACK

    def stale_words(self, now: int) -> list[str]:
        """The disagreements past the window, each with both figures, for the WARNING that
        asks market to read the broker again (app.py _ask_fresh): "MNQ: fills make long 2,
        the broker's position long 3", "balance: fills make 48,200.00, the broker's
        48,290.00"."""
        out = []
        for cid, p in sorted(self.ahead.items()):
            if now - p.since_ns > WINDOW_NS:
                out.append(f"{symbol_of(cid)}: the fills make {_held(p.agree + p.fills)}, "
                           f"the broker's position {_held(self.signed(cid))}")
        if self.balance_since and now - self.balance_since > WINDOW_NS:
            out.append(f"balance: the fills make {self.book_balance():,.2f}, "
                       f"the broker's {self.balance:,.2f}")
        return out

    def _agree_balance(self) -> None:
        self.balance_base, self.base_realized = self.balance, self.realized(True)
        self.balance_since = 0
        self.flat_taken = None

    # -- positions and orders ------------------------------------------------------
    def apply_position(self, pu: PositionUpdate, now: Optional[int] = None,
                       live: bool = True) -> str:
        """'opened', 'increased', 'reduced', 'flipped', 'closed', 'same' or 'none' (a close of
        a position we did not know). A live update is matched against the fills seen
        (position_lead: its growth no fill explains); a start-up one is taken as agreed."""
        now = pu.ts_ns if now is None else now
        self.position_lead = 0
        cid = pu.contract_id
        old = self.positions.get(cid)
        if live and old is not None and pu.size > 0 and _replaced(old, pu):
            self._reopened(pu, now)
            old = None
        elif live and old is None and pu.size > 0 and self._closed_ahead_of_fills(cid):
            self._reopened_from_flat(pu, now)
        before = 0 if old is None else old.signed
        before_avg = ZERO if old is None else old.average_price
        change = self._set_position(pu, old, now)
        if change in ("none", "same"):
            return change
        after = self.signed(cid)
        p = self.ahead.get(cid)
        if not live:                # a starting point: all its growth is unexplained
            self.ahead.pop(cid, None)
            self.position_lead = opening(before, after - before)
            note_cover(self, cid, now, fresh=change in ("opened", "flipped"))
            return change
        if p is None:
            p = Pending(before, before_avg, now)
        lead_before = p.position_lead(before)
        p.show(before, after)
        self.position_lead = max(0, p.position_lead(after) - lead_before)
        pos = self.positions.get(cid)
        if pos is not None and pos.lots and p.fill_ts and self.position_lead == 0 \
                and change in ("opened", "increased", "flipped"):
            pos.lots[-1][0] = min(pos.lots[-1][0], p.fill_ts)     # added by a fill seen
        self._settle(cid, p, after)
        note_cover(self, cid, now, fresh=change in ("opened", "flipped"))
        return change

    def _reopened(self, pu: PositionUpdate, now: int) -> None:
        """The broker closed the position the book holds and opened this one (a new position
        id): risk missed the close (market was down; chaos run: a lockout's close done while
        market restarted, then the trader's buy of the same size read as 'same' and left
        open), or one fill flipped it and the broker gave the other side a new id (ProjectX
        does not say which it does). The new position starts from zero; what the fills do
        not explain is growth a lockout must close. Which fills are its own:
        - the book agrees with every fill seen (no entry ahead): none yet. The book's
          position's contracts are `replaced`: the next fill with a PnL against them closes
          them first (the flip's fill, or the missed close's), and only the rest is growth;
        - the fills seen since the book last agreed (the entry ahead, its Position events
          not in yet): what they leave open on the new side is its own, what they leave of
          the book's side is `replaced` (order20/order21: the whole flipping buy of 2 was
          counted as the new long's, though 1 of it closed the short; and a buy of the
          earlier long made in the same second was counted too: a lockout then read a
          locked trader's next sell as closing that long, not as a new short);
        - otherwise (the book's Position events moved past the fills: both streams ahead),
          the fills made since the broker opened it, as before."""
        cid = pu.contract_id
        old = self.positions.pop(cid)
        ahead = self.ahead.get(cid)
        new_long = pu.type == POSITION_LONG
        p = Pending(0, ZERO, now)
        if ahead is None or ahead.moved(old.signed) == 0:
            n = old.signed if ahead is None else ahead.agree + ahead.fills
            if ahead is not None and n and (n > 0) == new_long:
                p.add_fill(n, ahead.fill_ts, False)
                p.riskd_opened = min(abs(n), ahead.riskd_opened)
                p.opened_ts = ahead.opened_ts
            else:
                p.replaced = n
            p.refresh(0)
            self.ahead[cid] = p
            return
        opening_side = 0 if new_long else 1
        for f in sorted(self.trades.values(), key=lambda f: (f.ts_ns, f.trade_id)):
            if f.contract_id != cid or f.voided:
                continue
            if f.ts_ns > pu.ts_ns or (f.side == opening_side
                                      and f.ts_ns >= pu.ts_ns - REOPEN_SKEW_NS):
                p.add_fill(f.size if f.side == 0 else -f.size, f.ts_ns, f.by_riskd)
        p.refresh(0)
        self.ahead[cid] = p

    def _closed_ahead_of_fills(self, contract_id: str) -> bool:
        """Did the Position events close the position the fills last agreed with (the book
        flat on the contract, the entry ahead still holding it: its closing fills not all
        in yet)? A position the broker shows opening now is another one."""
        p = self.ahead.get(contract_id)
        return p is not None and p.agree != 0

    def _reopened_from_flat(self, pu: PositionUpdate, now: int) -> None:
        """The broker's Position events closed the position the fills last agreed with (a
        flat Position before its closing fill) and now open this one: a new position from
        zero, as _reopened makes one for a new id. Its own contracts are the latest fills on
        its side known, up to its size, made since its opening (the broker's stamps of a fill
        and of the position it opens differ by up to SAME_FILL_NS) and after the last fill
        on the other side, whether they came live or in the snapshot a restarted risk read
        (its Position then lagging them); with none, what the fills leave open is the closed
        position's (`replaced`, closed by a fill still to come), and the new position's
        growth is unexplained until its own fill comes. Read as the agreed position grown back by
        nothing, a locked trader's buy half a second after riskd's lockout close was carried
        out (its flat and new Position both before both Trades) was taken for the old
        position plus 1 and cut "down to 1": nothing closed it
        (tests/unit/risk/test_locked_reentry_beside_a_close_in_flight.py)."""
        cid = pu.contract_id
        ahead = self.ahead[cid]
        p = Pending(0, ZERO, now)
        side = SIDE_BUY if pu.type == POSITION_LONG else SIDE_SELL
        own, n = [], 0
        # newest first: its opening fills are the latest, after the fill that closed the one
        # before (a fill on the other side ends them), none stamped before its opening
        for f in sorted(self.trades.values(), key=lambda f: (f.ts_ns, f.trade_id),
                        reverse=True):
            if f.contract_id != cid or f.voided:
                continue
            if f.side != side or f.ts_ns < pu.ts_ns - SAME_FILL_NS or n >= pu.size:
                break
            own.append(f)
            n += f.size
        for f in reversed(own):
            p.add_fill(f.size if side == SIDE_BUY else -f.size, f.ts_ns, f.by_riskd)
        if not p.opened:
            p.replaced = ahead.agree + ahead.fills
        p.refresh(0)
        self.ahead[cid] = p

    def _set_position(self, pu: PositionUpdate, old: Optional[Position], now: int) -> str:
        if pu.size <= 0 or pu.type not in (POSITION_LONG, POSITION_SHORT):
            if old is None:
                return "none"
            del self.positions[pu.contract_id]
            return "closed"
        side = LONG if pu.type == POSITION_LONG else SHORT
        if old is None:
            self.positions[pu.contract_id] = Position(pu.contract_id, side, pu.size,
                                                      pu.average_price, pu.ts_ns, pu.ts_ns,
                                                      pu.position_id, [[now, pu.size]],
                                                      valued_from=now)
            return "opened"
        if old.side != side:
            change = "flipped"
            old.opened_ns = max(pu.ts_ns, now)      # a fresh grace, whatever the broker's stamp
            old.lots = [[now, pu.size]]
        elif pu.size > old.size:
            change = "increased"
            old.lots.append([now, pu.size - old.size])
        elif pu.size < old.size:
            change = "reduced"
            _cut_lots(old.lots, old.size - pu.size)
        else:
            change = "same"
        old.side, old.size, old.average_price = side, pu.size, pu.average_price
        old.updated_ns, old.position_id = max(old.updated_ns, pu.ts_ns), pu.position_id
        return change

    def apply_order(self, ou: OrderUpdate, now: Optional[int] = None) -> str:
        """'new' (first seen working), 'changed', 'same' (seen as it is), 'gone' (no longer
        working) or 'none'. `now` (risk's clock): when a stop that stops covering its position
        stopped (services/risk/stops.py)."""
        known = ou.order_id in self.orders
        if known and self.orders[ou.order_id] == ou:
            return "same"
        if ou.status in WORKING_STATUSES:
            self.orders[ou.order_id] = ou
            change = "changed" if known else "new"
        elif known:
            del self.orders[ou.order_id]
            change = "gone"
        else:
            return "none"
        note_cover(self, ou.contract_id,
                   (ou.updated_ns or ou.created_ns) if now is None else now)
        return change

    def working_orders(self, contract_id: Optional[str] = None) -> list[OrderUpdate]:
        return [o for o in self.orders.values()
                if contract_id is None or o.contract_id == contract_id]

    def traders_orders(self) -> list[OrderUpdate]:
        """The working orders that are the trader's: riskd's own (its closes, known by
        services/risk/exits.py) never are (RULES.md "Whose trade it is")."""
        mine = self.riskd.orders
        return [o for o in self.orders.values() if o.order_id not in mine]

    # -- account ----------------------------------------------------------------------
    def apply_account(self, au: AccountUpdate, now: int = 0) -> str:
        """'can_trade_lost', 'can_trade_back', 'balance' or 'same'."""
        change = "same"
        if au.balance != self.balance:
            change = "balance"
        self.name = au.name or self.name
        self.balance = au.balance
        if self.balance_base is None or self.balance_agrees():
            self._agree_balance()          # agrees: the truth
        elif not (self.positions or self.ahead):
            # flat: the truth (a cash adjustment), unless it is ahead of the fill that opens
            # a position (its fees in it): that fill agrees with the book as it was (apply_fill)
            book = self.book_balance()
            self._agree_balance()
            self.flat_taken = (book, now)
        elif not self.balance_since:
            self.balance_since = now or 1  # ahead of a fill still to come: wait (bounded)
        if self.day_start_balance is None:
            self.day_start_balance = au.balance
        if au.can_trade is not None and au.can_trade != self.can_trade:   # missing: unchanged
            change = "can_trade_back" if au.can_trade else "can_trade_lost"
            self.can_trade = au.can_trade
        return change

    def bump_high(self, key: str, value: Decimal) -> Decimal:
        """Raise the day's mark `key` to value if higher; return the mark."""
        high = self.day_highs.get(key)
        if high is None or value > high:
            self.day_highs[key] = value
            return value
        return high

    # -- the trading-day roll ------------------------------------------------------------
    def roll(self, day: dt.date, cutoff_ns: int) -> None:
        """Start trading day `day`: daily counters to zero, old trade times dropped."""
        book = self.book_balance()
        self.trading_day = day
        self.trades.clear()
        self._today_n = 0
        self.realized_gross = ZERO
        self.fees = ZERO
        self.day_highs.clear()
        self.day_start_balance = self.balance
        if self.balance_base is not None:
            self.balance_base, self.base_realized = book, ZERO
        self.riskd.new_day()
        keep_after = cutoff_ns - KEEP_TRADE_TIMES_NS
        self.trade_times = {k: v for k, v in self.trade_times.items() if v > keep_after}
        self._sorted_times = None


def _replaced(old: Position, pu: PositionUpdate) -> bool:
    """The broker's position on the contract is another one than the book's (both ids known)."""
    return bool(old.position_id and pu.position_id and old.position_id != pu.position_id)


def _take(parts: list[tuple[int, Decimal]], cap: int,
          skip: int = 0) -> list[tuple[int, Decimal]]:
    """At most cap contracts of (contracts, price) parts, in order, after the first skip."""
    out = []
    for n, price in parts:
        passed = min(skip, n)
        skip -= passed
        n = min(n - passed, cap)
        if n > 0:
            out.append((n, price))
            cap -= n
    return out


def _cut_lots(lots: list, n: int) -> None:
    """Take n contracts off the newest lots."""
    while n > 0 and lots:
        take = min(n, lots[-1][1])
        lots[-1][1] -= take
        n -= take
        if lots[-1][1] == 0:
            lots.pop()
