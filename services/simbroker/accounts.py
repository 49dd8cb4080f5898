"""The sim broker's accounts: balances, orders, fills, positions, trades, and the events they emit.

Pure: takes the Market (prices), a clock, no I/O, not thread-safe (the gateway
holds a lock). Every change returns a Result: the ProjectX error code and
message, the answer's fields, and the GatewayUser* events to send, in the
order the gateway sends them (order open, trade, position, order filled,
account).

Fill rules (documented for tests): a market order fills at the touch (buy at
the ask, sell at the bid). Triggers compare with the last price: a buy limit
rests until last <= limit and then fills at the limit (marketable on arrival:
at min(limit, ask)); a sell limit mirrors it. A buy stop triggers at
last >= stop and fills at the ask; a sell stop at last <= stop, at the bid. A
stop-limit becomes its limit once the stop triggers; a trailing stop follows
the best last price at trailPrice distance; join bid/ask are limits at the
bid/ask. Fees are charged per contract per fill (ContractSpec.fee); the
balance moves by realized PnL minus fees. profitAndLoss is null on an opening
fill and the realized PnL (before fees) of the closed part otherwise.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable, Optional

from services.simbroker.entities import (
    BUY, CANCELLED, CREATED, FILLED, JOIN_ASK, JOIN_BID, LIMIT, LONG, MARKET, OPEN, PENDING,
    PENDING_CANCEL, REMOVED, SELL, SHORT, STOP, STOP_LIMIT, SUSPENDED, TRAILING_STOP, UPDATED,
    WORKING, Account, Codes, Event, Order, Position, Result, Trade, fail)
from services.simbroker.market import Market
from services.simbroker.triggers import TriggerIndex
from shared.clock import Clock


def _size(value: Any, what: str = "size") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"expected a whole number above 0 for {what}, got {value!r}")
    return value


class Ledger:
    """All accounts of the sim's one user, their orders, positions and trades."""

    def __init__(self, market: Market, clock: Clock, accounts: Iterable[Account]):
        self.market = market
        self.clock = clock
        self.accounts: dict[int, Account] = {a.id: a for a in accounts}
        self.orders: dict[int, Order] = {}
        self.positions: dict[tuple[int, str], Position] = {}
        self.trades: list[Trade] = []
        self.trade_index: dict[int, Trade] = {}       # the same trades by id
        self._working: dict[str, set[int]] = {}     # contract -> ids of working orders
        self._triggers = TriggerIndex()             # the open ones a price may fill
        self._next = {"order": 9_000_001, "trade": 7_000_001, "position": 3_000_001}

    def restore(self, accounts: Iterable[Account], orders: Iterable[Order],
                positions: Iterable[Position], trades: Iterable[Trade],
                next_ids: Optional[dict] = None) -> None:
        """Take back what a previous run saved: stored accounts replace configured ones with
        the same id, orders and positions as they were, trades in time order, ids go on
        (from the next ids it kept: a closed position's id is not among those restored)."""
        for acct in accounts:
            self.accounts[acct.id] = acct
        for order in orders:
            self.orders[order.id] = order
            if order.status in WORKING:
                self._working.setdefault(order.contract_id, set()).add(order.id)
                self._triggers.put(order)
        for pos in positions:
            if pos.size:
                self.positions[(pos.account_id, pos.contract_id)] = pos
        self.trades = sorted([*self.trades, *trades], key=lambda t: (t.created_ns, t.id))
        self.trade_index = {t.id: t for t in self.trades}
        for kind, ids in (("order", self.orders), ("trade", [t.id for t in self.trades]),
                          ("position", [p.id for p in self.positions.values()])):
            self._next[kind] = max([self._next[kind] - 1, *ids]) + 1
        for kind, stored in (next_ids or {}).items():
            if kind in self._next:
                self._next[kind] = max(self._next[kind], int(stored))

    def next_ids(self) -> dict[str, int]:
        """The next id of each kind, for the store (store.py)."""
        return dict(self._next)

    def add_history(self, orders: Iterable[Order], trades: Iterable[Trade]) -> None:
        """Past, finished orders and their trades (riskctl sim history): no position changes."""
        for order in orders:
            self.orders[order.id] = order
        self.trades = sorted([*self.trades, *trades], key=lambda t: (t.created_ns, t.id))
        self.trade_index = {t.id: t for t in self.trades}

    def new_id(self, kind: str) -> int:
        return self._id(kind)

    def _id(self, kind: str) -> int:
        n = self._next[kind]
        self._next[kind] = n + 1
        return n

    # -- reads --------------------------------------------------------------------
    def account_list(self, only_active: bool = False) -> list[dict]:
        return [a.payload() for a in self.accounts.values()]

    def open_positions(self, account_id: int) -> Result:
        if account_id not in self.accounts:
            return fail(Codes.SEARCH_ACCOUNT_NOT_FOUND, f"account {account_id} not found")
        return Result(body={"positions": [p.payload() for (a, _), p in self.positions.items()
                                          if a == account_id and p.size]})

    def _orders_of(self, account_id: int) -> Iterable[Order]:
        return (o for o in self.orders.values() if o.account_id == account_id)

    def open_orders(self, account_id: int) -> Result:
        """Order/searchOpen: working orders, suspended bracket children hidden (as the gateway)."""
        if account_id not in self.accounts:
            return fail(Codes.SEARCH_ACCOUNT_NOT_FOUND, f"account {account_id} not found")
        return Result(body={"orders": [o.payload() for o in self._orders_of(account_id)
                                       if o.status in (OPEN, PENDING, PENDING_CANCEL)]})

    def search_orders(self, account_id: int, start_ns: Optional[int],
                      end_ns: Optional[int]) -> Result:
        if account_id not in self.accounts:
            return fail(Codes.SEARCH_ACCOUNT_NOT_FOUND, f"account {account_id} not found")
        return Result(body={"orders": [o.payload() for o in self._orders_of(account_id)
                                       if _within(o.created_ns, start_ns, end_ns)]})

    def order_by_id(self, account_id: int, order_id: int) -> Result:
        """Order/searchById: any order of the account, whatever its status (1 OrderNotFound)."""
        order = self.orders.get(order_id)
        if account_id not in self.accounts or order is None or order.account_id != account_id:
            return Result(code=Codes.ORDER_NOT_FOUND, body={"order": None},
                          message=f"order {order_id} not found on account {account_id}")
        return Result(body={"order": order.payload()})

    def query_orders(self, account_id: int, statuses: Optional[list[int]] = None,
                     contract_id: Optional[str] = None, after_ns: Optional[int] = None,
                     before_ns: Optional[int] = None, page_size: int = 100, page_offset: int = 0,
                     sort_by: str = "creationTimestamp", descending: bool = False,
                     include_total: bool = False) -> Result:
        """Order/v2/query: the one read that shows suspended (8) bracket children."""
        if account_id not in self.accounts:
            return fail(Codes.SEARCH_ACCOUNT_NOT_FOUND, f"account {account_id} not found")
        rows = [o for o in self._orders_of(account_id)
                if (not statuses or o.status in statuses)
                and (contract_id is None or o.contract_id == contract_id)
                and _within(o.created_ns, after_ns, before_ns)]
        key = {"updateTimestamp": lambda o: (o.updated_ns, o.id), "id": lambda o: o.id}.get(
            sort_by, lambda o: (o.created_ns, o.id))
        rows.sort(key=key, reverse=descending)
        page = rows[page_offset:page_offset + page_size] if page_size > 0 else rows[page_offset:]
        body = {"orders": [o.payload() for o in page]}
        body["totalCount"] = len(rows) if include_total else None
        return Result(body=body)

    def search_trades(self, account_id: int, start_ns: Optional[int],
                      end_ns: Optional[int]) -> Result:
        if account_id not in self.accounts:
            return fail(Codes.SEARCH_ACCOUNT_NOT_FOUND, f"account {account_id} not found")
        return Result(body={"trades": [t.payload() for t in self.trades
                                       if t.account_id == account_id
                                       and _within(t.created_ns, start_ns, end_ns)]})

    def has_working(self, contract_id: str) -> bool:
        return bool(self._working.get(contract_id))

    # -- account control -------------------------------------------------------------
    def set_account(self, account_id: int, can_trade: Optional[bool] = None,
                    balance: Optional[Decimal] = None,
                    api_rejected: Optional[bool] = None) -> Result:
        acct = self.accounts.get(account_id)
        if acct is None:
            return fail(Codes.SEARCH_ACCOUNT_NOT_FOUND, f"account {account_id} not found")
        if can_trade is not None:
            acct.can_trade = can_trade
        if balance is not None:
            acct.balance = balance
        if api_rejected is not None:
            acct.api_rejected = api_rejected
        return Result(body={"account": acct.payload()}, events=(self._account_event(acct),))

    def _account_event(self, acct: Account) -> Event:
        return Event("GatewayUserAccount", acct.id, acct.payload())

    # -- orders ------------------------------------------------------------------------
    def place(self, account_id: int, contract_id: str, type: int, side: int, size: Any,
              limit_price: Optional[Decimal] = None, stop_price: Optional[Decimal] = None,
              trail_price: Optional[Decimal] = None, custom_tag: Optional[str] = None,
              stop_loss_ticks: Optional[int] = None,
              take_profit_ticks: Optional[int] = None) -> Result:
        acct = self.accounts.get(account_id)
        if acct is None:
            return fail(Codes.PLACE_ACCOUNT_NOT_FOUND, f"account {account_id} not found")
        if acct.api_rejected:
            return fail(Codes.PLACE_ACCOUNT_REJECTED, "account rejected")
        if contract_id not in self.market.specs:
            return fail(Codes.PLACE_CONTRACT_NOT_FOUND, f"contract {contract_id!r} not found")
        if not self.market.is_open:
            return fail(Codes.PLACE_REJECTED, None)
        if not acct.can_trade:
            return fail(Codes.PLACE_REJECTED, f"account {account_id} cannot trade")
        try:
            order = self._new_order(acct, contract_id, type, side, size, limit_price, stop_price,
                                    trail_price, custom_tag)
        except ValueError as exc:
            return fail(Codes.PLACE_REJECTED, str(exc))
        events = [Event("GatewayUserOrder", account_id, order.payload(), CREATED)]
        for kind, ticks in (("sl", stop_loss_ticks), ("tp", take_profit_ticks)):
            if ticks:
                child = self._bracket_child(order, kind, abs(int(ticks)))
                events.append(Event("GatewayUserOrder", account_id, child.payload(), CREATED))
        events += self._check(order, arriving=True)
        return Result(body={"orderId": order.id}, events=tuple(events))

    def _new_order(self, acct: Account, contract_id: str, type: int, side: int, size: Any,
                   limit_price, stop_price, trail_price, custom_tag) -> Order:
        size = _size(size)
        if side not in (BUY, SELL):
            raise ValueError(f"expected side 0 (buy) or 1 (sell), got {side!r}")
        if type not in (LIMIT, MARKET, STOP_LIMIT, STOP, TRAILING_STOP, JOIN_BID, JOIN_ASK):
            raise ValueError(f"expected an order type from 1 to 7, got {type!r}")
        if type in (LIMIT, STOP_LIMIT) and limit_price is None:
            raise ValueError("a limit order needs limitPrice")
        if type in (STOP, STOP_LIMIT) and stop_price is None:
            raise ValueError("a stop order needs stopPrice")
        if type == TRAILING_STOP and (trail_price is None or trail_price <= 0):
            raise ValueError("a trailing stop needs a positive trailPrice")
        if custom_tag and any(o.custom_tag == custom_tag for o in self._orders_of(acct.id)):
            raise ValueError(f"custom tag {custom_tag!r} is already used on this account")
        m = self.market
        if type == JOIN_BID:
            limit_price = m.bid(contract_id)
        elif type == JOIN_ASK:
            limit_price = m.ask(contract_id)
        anchor = None
        if type == TRAILING_STOP:
            anchor = m.last(contract_id)
            stop_price = anchor + trail_price if side == BUY else anchor - trail_price
        now = self.clock.now_ns()
        order = Order(id=self._id("order"), account_id=acct.id, contract_id=contract_id,
                      symbol_id=m.spec(contract_id).symbol_id, type=type, side=side, size=size,
                      created_ns=now, updated_ns=now,
                      limit_price=None if limit_price is None else m.round_price(contract_id, limit_price),
                      stop_price=None if stop_price is None else m.round_price(contract_id, stop_price),
                      trail_price=trail_price, custom_tag=custom_tag or None, anchor=anchor)
        self._add(order)
        return order

    def _add(self, order: Order) -> None:
        self.orders[order.id] = order
        if order.status in WORKING:
            self._working.setdefault(order.contract_id, set()).add(order.id)
            self._triggers.put(order)

    def _bracket_child(self, parent: Order, kind: str, ticks: int) -> Order:
        now = self.clock.now_ns()
        child = Order(id=self._id("order"), account_id=parent.account_id,
                      contract_id=parent.contract_id, symbol_id=parent.symbol_id,
                      type=STOP if kind == "sl" else LIMIT, side=1 - parent.side, size=parent.size,
                      created_ns=now, updated_ns=now, status=SUSPENDED, parent_id=parent.id,
                      bracket_ticks=ticks)
        self._price_child(child, parent.limit_price or parent.stop_price
                          or self.market.last(parent.contract_id))
        parent.children.append(child.id)
        if len(parent.children) == 2:
            first = self.orders[parent.children[0]]
            first.oco_id, child.oco_id = child.id, first.id
        self._add(child)
        return child

    def _price_child(self, child: Order, entry: Decimal) -> None:
        """Stop loss below a long entry (above a short), target on the other side."""
        step = self.market.spec(child.contract_id).tick_size * child.bracket_ticks
        parent_long = child.side == SELL
        if child.type == STOP:
            child.stop_price = entry - step if parent_long else entry + step
        else:
            child.limit_price = entry + step if parent_long else entry - step

    def _working_order(self, account_id: int, order_id: Any) -> tuple[Optional[Order], Optional[Result]]:
        """(order, None) for a working order of the account, else (None, the failure).

        Cancel and modify share their codes: 1 AccountNotFound, 2 OrderNotFound (also for
        an order that is done already), 6 AccountRejected.
        """
        acct = self.accounts.get(account_id)
        if acct is None:
            return None, fail(Codes.CANCEL_ACCOUNT_NOT_FOUND, f"account {account_id} not found")
        if acct.api_rejected:
            return None, fail(Codes.CANCEL_ACCOUNT_REJECTED, "account rejected")
        order = self.orders.get(order_id)
        if order is None or order.account_id != account_id or order.status not in WORKING:
            return None, fail(Codes.CANCEL_ORDER_NOT_FOUND, f"order {order_id} not found")
        return order, None

    def cancel(self, account_id: int, order_id: Any) -> Result:
        order, failure = self._working_order(account_id, order_id)
        if order is None:
            return failure
        return Result(events=tuple(self._cancel(order)))

    def _cancel(self, order: Order, status: int = CANCELLED) -> list[Event]:
        events = [self._finish(order, status)]
        for cid in order.children:
            child = self.orders[cid]
            if child.status == SUSPENDED:
                events.append(self._finish(child, CANCELLED))
        return events

    def _finish(self, order: Order, status: int) -> Event:
        order.status = status
        order.updated_ns = self.clock.now_ns()
        self._working.get(order.contract_id, set()).discard(order.id)
        self._triggers.discard(order.id)
        return Event("GatewayUserOrder", order.account_id, order.payload(), REMOVED)

    def modify(self, account_id: int, order_id: Any, size: Any = None,
               limit_price: Optional[Decimal] = None, stop_price: Optional[Decimal] = None,
               trail_price: Optional[Decimal] = None) -> Result:
        order, failure = self._working_order(account_id, order_id)
        if order is None:
            return failure
        m = self.market
        try:
            if size is not None:
                order.size = _size(size)
        except ValueError as exc:
            return fail(Codes.MODIFY_REJECTED, str(exc))
        if limit_price is not None and order.type != MARKET:
            order.limit_price = m.round_price(order.contract_id, limit_price)
        if stop_price is not None and order.type in (STOP, STOP_LIMIT, TRAILING_STOP):
            order.stop_price = m.round_price(order.contract_id, stop_price)
        if trail_price is not None and order.type == TRAILING_STOP:
            order.trail_price = trail_price
        order.updated_ns = self.clock.now_ns()
        events = [Event("GatewayUserOrder", account_id, order.payload())]
        events += self._check(order)
        return Result(events=tuple(events))

    # -- positions -------------------------------------------------------------------
    def close_contract(self, account_id: int, contract_id: str) -> Result:
        return self._close(account_id, contract_id, None)

    def partial_close(self, account_id: int, contract_id: str, size: Any) -> Result:
        return self._close(account_id, contract_id, size)

    def _close(self, account_id: int, contract_id: str, size: Any) -> Result:
        partial = size is not None
        c = Codes
        acct = self.accounts.get(account_id)
        if acct is None:
            return fail(c.PARTIAL_ACCOUNT_NOT_FOUND if partial else c.CLOSE_ACCOUNT_NOT_FOUND,
                        f"account {account_id} not found")
        if acct.api_rejected:
            return fail(c.PARTIAL_ACCOUNT_REJECTED if partial else c.CLOSE_ACCOUNT_REJECTED,
                        "account rejected")
        if contract_id not in self.market.specs:
            return fail(c.PARTIAL_CONTRACT_NOT_FOUND if partial else c.CLOSE_CONTRACT_NOT_FOUND,
                        f"contract {contract_id!r} not found")
        pos = self.positions.get((account_id, contract_id))
        if pos is None or pos.size == 0:
            return fail(c.PARTIAL_POSITION_NOT_FOUND if partial else c.CLOSE_POSITION_NOT_FOUND,
                        f"no open position in {contract_id} on account {account_id}")
        if partial:
            if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= abs(pos.size):
                return fail(c.PARTIAL_INVALID_SIZE,
                            f"expected a size from 1 to {abs(pos.size)}, got {size!r}")
        if not self.market.is_open:
            return fail(c.PARTIAL_ORDER_REJECTED if partial else c.CLOSE_ORDER_REJECTED, None)
        qty = size if partial else abs(pos.size)
        order = self._new_order(acct, contract_id, MARKET, SELL if pos.size > 0 else BUY, qty,
                                None, None, None, None)
        events = [Event("GatewayUserOrder", account_id, order.payload(), CREATED)]
        events += self._check(order, arriving=True)
        return Result(events=tuple(events))

    # -- the matching ----------------------------------------------------------------
    def on_price(self, contract_id: str) -> list[Event]:
        """The price moved: fill every order it triggers (in order of id).

        Only the orders the trigger index says the last price may fill are checked
        (services/simbroker/triggers.py); the others' checks would change nothing."""
        if not self._triggers.watches(contract_id):
            return []                   # the storm's usual quote: no Decimal price made
        events: list[Event] = []
        for oid in self._triggers.candidates(contract_id, self.market.last(contract_id)):
            order = self.orders[oid]
            if order.status == OPEN:
                events += self._check(order)
        return events

    def _check(self, order: Order, arriving: bool = False) -> list[Event]:
        price = self._fill_price(order, arriving)
        if price is None:
            self._triggers.put(order)     # re-filed: modified, woken, or a stop-limit's stop fired
            return []
        return self._fill(order, price)

    def _fill_price(self, o: Order, arriving: bool) -> Optional[Decimal]:
        if o.status != OPEN:
            return None
        m, cid, buy = self.market, o.contract_id, o.side == BUY
        last = m.last(cid)
        if o.type == MARKET:
            return m.ask(cid) if buy else m.bid(cid)
        if o.type == TRAILING_STOP:
            if o.anchor is None or (last < o.anchor if buy else last > o.anchor):
                o.anchor = last
                o.stop_price = last + o.trail_price if buy else last - o.trail_price
        if o.type in (STOP, TRAILING_STOP):
            if last >= o.stop_price if buy else last <= o.stop_price:
                return m.ask(cid) if buy else m.bid(cid)
            return None
        if o.type == STOP_LIMIT and not o.triggered:
            if not (last >= o.stop_price if buy else last <= o.stop_price):
                return None
            o.triggered, arriving = True, True
        if last <= o.limit_price if buy else last >= o.limit_price:
            if arriving:
                return min(o.limit_price, m.ask(cid)) if buy else max(o.limit_price, m.bid(cid))
            return o.limit_price
        return None

    def _fill(self, order: Order, price: Decimal) -> list[Event]:
        acct = self.accounts[order.account_id]
        spec = self.market.spec(order.contract_id)
        now = self.clock.now_ns()
        qty = order.size if order.side == BUY else -order.size
        key = (order.account_id, order.contract_id)
        pos = self.positions.get(key)
        if pos is None or pos.size == 0:
            pos = Position(id=self._id("position"), account_id=acct.id,
                           contract_id=order.contract_id, created_ns=now)
            self.positions[key] = pos
        pnl: Optional[Decimal] = None
        if pos.size == 0 or (pos.size > 0) == (qty > 0):
            total = abs(pos.size) + abs(qty)
            pos.average_price = (pos.average_price * abs(pos.size) + price * abs(qty)) / total
            pos.size += qty
        else:
            closing = min(abs(pos.size), abs(qty))
            direction = 1 if pos.size > 0 else -1
            pnl = (price - pos.average_price) * closing * direction / spec.tick_size * spec.tick_value
            pos.last_type = LONG if pos.size > 0 else SHORT
            pos.size += qty
            if pos.size and (pos.size > 0) != (direction > 0):     # flipped
                pos.average_price = price
        fees = spec.fee * order.size
        acct.balance += (pnl or Decimal(0)) - fees
        trade = Trade(id=self._id("trade"), account_id=acct.id, contract_id=order.contract_id,
                      created_ns=now, price=price, pnl=pnl, fees=fees, side=order.side,
                      size=order.size, order_id=order.id)
        self.trades.append(trade)
        self.trade_index[trade.id] = trade
        self.market.add_volume(order.contract_id, order.size)
        order.fill_volume, order.filled_price = order.size, price
        events = [Event("GatewayUserTrade", acct.id, trade.payload(), CREATED),
                  Event("GatewayUserPosition", acct.id, pos.payload(),
                        REMOVED if pos.size == 0 else UPDATED),
                  self._finish(order, FILLED)]
        if pos.size == 0:
            del self.positions[key]
        events.append(self._account_event(acct))
        events += self._after_fill(order, price)
        return events

    def _after_fill(self, order: Order, price: Decimal) -> list[Event]:
        """Wake a filled parent's bracket children; cancel a filled child's OCO sibling."""
        events: list[Event] = []
        for cid in order.children:
            child = self.orders[cid]
            if child.status == SUSPENDED:
                self._price_child(child, price)
                child.status, child.updated_ns = OPEN, self.clock.now_ns()
                events.append(Event("GatewayUserOrder", child.account_id, child.payload()))
                events += self._check(child)
        sibling = self.orders.get(order.oco_id) if order.oco_id else None
        if sibling is not None and sibling.status in WORKING:
            events.append(self._finish(sibling, CANCELLED))
        return events


def _within(ns: int, start: Optional[int], end: Optional[int]) -> bool:
    return (start is None or ns >= start) and (end is None or ns <= end)
