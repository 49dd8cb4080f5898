"""What the market worker knows (pure): accounts, positions, orders, today's fills, contracts,
quotes, connections. `apply` says whether a message is news worth publishing, which is where
duplicates die: a trade id seen before, a position or order unchanged, a close of a position
that is not open.
"""
from __future__ import annotations

from typing import Any, Optional

from shared.messages.market import (WORKING_STATUSES, AccountUpdate, BrokerConnection,
                                    ContractInfo, Fill, MarketSnapshot, OrderUpdate,
                                    PositionUpdate, Quote)

PositionKey = tuple[int, str]


def key_of(msg: Any) -> Optional[tuple]:
    """The identity of an entity message (what a later update of the same thing shares)."""
    if isinstance(msg, PositionUpdate):
        return ("position", msg.account_id, msg.contract_id)
    if isinstance(msg, OrderUpdate):
        return ("order", msg.order_id)
    if isinstance(msg, AccountUpdate):
        return ("account", msg.account_id)
    if isinstance(msg, Fill):
        return ("fill", msg.trade_id)
    return None


class MarketState:
    def __init__(self) -> None:
        self.accounts: dict[int, AccountUpdate] = {}
        self.positions: dict[PositionKey, PositionUpdate] = {}
        self.orders: dict[int, OrderUpdate] = {}          # working orders
        self.done_orders: dict[int, OrderUpdate] = {}     # final states seen today
        self.fills: dict[int, Fill] = {}                  # today's, in arrival order
        self.contracts: dict[str, ContractInfo] = {}
        self.quotes: dict[str, Quote] = {}
        # market's clock when a contract's newest quote (news: published) arrived, as risk
        # keeps it (MarketView.quoted_ns): the positions view values a position only with a
        # quote since it opened, as risk does (shared/pricewords.py)
        self.arrived_ns: dict[str, int] = {}
        self.connections: dict[str, BrokerConnection] = {}

    # -- applying -----------------------------------------------------------------------
    def apply(self, msg: Any) -> bool:
        """Fold msg into the state; True when it is news (publish it), False for a duplicate."""
        handler = _APPLY.get(type(msg))
        if handler is None:
            raise TypeError(f"market state does not keep {type(msg).__name__}")
        return handler(self, msg)

    def is_news(self, msg: Any) -> bool:
        """Would apply(msg) take it as news? (Nothing changes.)"""
        if isinstance(msg, PositionUpdate):
            key = (msg.account_id, msg.contract_id)
            return key in self.positions if msg.size == 0 else self.positions.get(key) != msg
        if isinstance(msg, OrderUpdate):
            book = self.orders if msg.status in WORKING_STATUSES else self.done_orders
            return book.get(msg.order_id) != msg
        if isinstance(msg, Fill):
            return self.fills.get(msg.trade_id) != msg
        if isinstance(msg, AccountUpdate):
            return self.accounts.get(msg.account_id) != msg
        return True

    def _account(self, msg: AccountUpdate) -> bool:
        if self.accounts.get(msg.account_id) == msg:
            return False
        self.accounts[msg.account_id] = msg
        return True

    def _position(self, msg: PositionUpdate) -> bool:
        key = (msg.account_id, msg.contract_id)
        known = self.positions.get(key)
        if msg.size == 0:
            return self.positions.pop(key, None) is not None
        if known == msg:
            return False
        self.positions[key] = msg
        return True

    def _order(self, msg: OrderUpdate) -> bool:
        if msg.status in WORKING_STATUSES:
            if self.orders.get(msg.order_id) == msg:
                return False
            self.done_orders.pop(msg.order_id, None)
            self.orders[msg.order_id] = msg
            return True
        if self.done_orders.get(msg.order_id) == msg:
            return False
        self.orders.pop(msg.order_id, None)
        self.done_orders[msg.order_id] = msg
        return True

    def _fill(self, msg: Fill) -> bool:
        if self.fills.get(msg.trade_id) == msg:
            return False
        self.fills[msg.trade_id] = msg
        return True

    def _contract(self, msg: ContractInfo) -> bool:
        if self.contracts.get(msg.contract_id) == msg:
            return False
        self.contracts[msg.contract_id] = msg
        return True

    def _quote(self, msg: Quote) -> bool:
        if self.quotes.get(msg.contract_id) == msg:
            return False
        self.quotes[msg.contract_id] = msg
        return True

    def _connection(self, msg: BrokerConnection) -> bool:
        known = self.connections.get(msg.hub)
        if known is not None and (known.state, known.reason) == (msg.state, msg.reason):
            return False
        self.connections[msg.hub] = msg
        return True

    # -- questions ------------------------------------------------------------------------
    def interest(self) -> set[str]:
        """Contracts whose quotes matter: an open position or a working order in them."""
        return ({p.contract_id for p in self.positions.values()}
                | {o.contract_id for o in self.orders.values()})

    def contract_ids(self) -> set[str]:
        """Every contract mentioned anywhere (for the contract cache)."""
        return self.interest() | {f.contract_id for f in self.fills.values()}

    def working_order_ids(self) -> dict[int, set[int]]:
        out: dict[int, set[int]] = {}
        for o in self.orders.values():
            out.setdefault(o.account_id, set()).add(o.order_id)
        return out

    def roll_day(self, day_start_ns: int) -> None:
        """A new trading day: forget fills and finished orders from before it."""
        self.fills = {k: f for k, f in self.fills.items() if f.ts_ns >= day_start_ns}
        self.done_orders = {k: o for k, o in self.done_orders.items()
                            if (o.updated_ns or o.created_ns) >= day_start_ns}

    def snapshot(self, seq: int, epoch: int, complete: bool = True) -> MarketSnapshot:
        return MarketSnapshot(
            seq=seq, epoch=epoch, complete=complete, accounts=list(self.accounts.values()),
            positions=list(self.positions.values()), orders=list(self.orders.values()),
            fills=list(self.fills.values()), contracts=list(self.contracts.values()),
            quotes=list(self.quotes.values()), connections=list(self.connections.values()))


_APPLY = {
    AccountUpdate: MarketState._account, PositionUpdate: MarketState._position,
    OrderUpdate: MarketState._order, Fill: MarketState._fill, ContractInfo: MarketState._contract,
    Quote: MarketState._quote, BrokerConnection: MarketState._connection,
}
