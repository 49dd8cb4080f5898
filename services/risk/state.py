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
"""
from __future__ import annotations

import bisect
import functools
import datetime as dt
from decimal import Decimal
from typing import Optional

import attrs

from shared.messages.market import (POSITION_LONG, POSITION_SHORT, WORKING_STATUSES,
                                    AccountUpdate, ContractInfo, Fill, OrderUpdate,
                                    PositionUpdate, Quote)
from shared.symbols import is_contract_id, ticker_of

LONG, SHORT = 1, -1
ZERO = Decimal(0)
KEEP_TRADE_TIMES_NS = 8 * 86_400 * 1_000_000_000     # enough for a trading week's count


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

    @property
    def symbol(self) -> str:
        return symbol_of(self.contract_id)

    @property
    def signed(self) -> int:
        return self.side * self.size


@attrs.define
class MarketView:
    """Contract data and the latest prices, shared by every account."""
    contracts: dict[str, ContractInfo] = attrs.Factory(dict)
    last: dict[str, Decimal] = attrs.Factory(dict)
    bid: dict[str, Decimal] = attrs.Factory(dict)
    ask: dict[str, Decimal] = attrs.Factory(dict)

    def apply_quote(self, q: Quote) -> bool:
        """Merge a sparse quote (a missing price keeps the previous one); True if a price moved."""
        changed = False
        for book, value in ((self.last, q.last), (self.bid, q.bid), (self.ask, q.ask)):
            if value is not None and book.get(q.contract_id) != value:
                book[q.contract_id] = value
                changed = True
        return changed

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
    _sorted_times: Optional[list[int]] = None

    # -- trades -------------------------------------------------------------------
    def realized(self, include_fees: bool = True) -> Decimal:
        return self.realized_gross - self.fees if include_fees else self.realized_gross

    def apply_fill(self, fill: Fill, day_of) -> str:
        """Record a trade. Returns 'new', 'duplicate', 'changed' (voided flag flipped) or
        'old' (a trade of an earlier trading day: kept only for the week's count).
        `day_of(ns)` gives the trading day of an instant."""
        today = day_of(fill.ts_ns) == self.trading_day
        known = self.trades.get(fill.trade_id)
        if known is not None:
            if known.voided == fill.voided:
                return "duplicate"
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
        if sign > 0:
            self.trade_times[fill.trade_id] = fill.ts_ns
        else:
            self.trade_times.pop(fill.trade_id, None)
        self._sorted_times = None

    def trades_in(self, start_ns: int, end_ns: int) -> int:
        """Non-voided trades with start_ns < ts <= end_ns."""
        if self._sorted_times is None:
            self._sorted_times = sorted(self.trade_times.values())
        times = self._sorted_times
        return bisect.bisect_right(times, end_ns) - bisect.bisect_right(times, start_ns)

    @property
    def trades_today(self) -> int:
        return sum(1 for f in self.trades.values() if not f.voided)

    # -- positions and orders ------------------------------------------------------
    def apply_position(self, pu: PositionUpdate) -> str:
        """'opened', 'increased', 'reduced', 'flipped', 'closed', 'same' or 'none' (a close of
        a position we did not know)."""
        old = self.positions.get(pu.contract_id)
        if pu.size <= 0 or pu.type not in (POSITION_LONG, POSITION_SHORT):
            if old is None:
                return "none"
            del self.positions[pu.contract_id]
            return "closed"
        side = LONG if pu.type == POSITION_LONG else SHORT
        if old is None:
            self.positions[pu.contract_id] = Position(pu.contract_id, side, pu.size,
                                                      pu.average_price, pu.ts_ns, pu.ts_ns,
                                                      pu.position_id)
            return "opened"
        if old.side != side:
            change = "flipped"
            old.opened_ns = pu.ts_ns
        elif pu.size > old.size:
            change = "increased"
        elif pu.size < old.size:
            change = "reduced"
        else:
            change = "same"
        old.side, old.size, old.average_price = side, pu.size, pu.average_price
        old.updated_ns, old.position_id = max(old.updated_ns, pu.ts_ns), pu.position_id
        return change

    def apply_order(self, ou: OrderUpdate) -> str:
        """'new' (first seen working), 'changed', 'gone' (no longer working) or 'none'."""
        known = ou.order_id in self.orders
        if ou.status in WORKING_STATUSES:
            self.orders[ou.order_id] = ou
            return "changed" if known else "new"
        if known:
            del self.orders[ou.order_id]
            return "gone"
        return "none"

    def working_orders(self, contract_id: Optional[str] = None) -> list[OrderUpdate]:
        return [o for o in self.orders.values()
                if contract_id is None or o.contract_id == contract_id]

    # -- account ----------------------------------------------------------------------
    def apply_account(self, au: AccountUpdate) -> str:
        """'can_trade_lost', 'can_trade_back', 'balance' or 'same'."""
        change = "same"
        if au.balance != self.balance:
            change = "balance"
        self.name = au.name or self.name
        self.balance = au.balance
        if self.day_start_balance is None:
            self.day_start_balance = au.balance
        if au.can_trade != self.can_trade:
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
        self.trading_day = day
        self.trades.clear()
        self.realized_gross = ZERO
        self.fees = ZERO
        self.day_highs.clear()
        self.day_start_balance = self.balance
        keep_after = cutoff_ns - KEEP_TRADE_TIMES_NS
        self.trade_times = {k: v for k, v in self.trade_times.items() if v > keep_after}
        self._sorted_times = None
