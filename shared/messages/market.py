"""Market messages: what the market worker publishes after normalising broker payloads.

Money and prices are Decimal; times are UTC integer nanoseconds. Enum values
are the ProjectX integers (OrderSide, OrderType, OrderStatus, PositionType).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

import attrs

# ProjectX enums (see PROJECTX.md)
SIDE_BUY, SIDE_SELL = 0, 1
POSITION_LONG, POSITION_SHORT = 1, 2
ORDER_LIMIT, ORDER_MARKET, ORDER_STOP_LIMIT, ORDER_STOP, ORDER_TRAILING_STOP = 1, 2, 3, 4, 5
STATUS_OPEN, STATUS_FILLED, STATUS_CANCELLED, STATUS_EXPIRED, STATUS_REJECTED = 1, 2, 3, 4, 5
STATUS_PENDING, STATUS_PENDING_CANCEL, STATUS_SUSPENDED = 6, 7, 8
WORKING_STATUSES = (STATUS_OPEN, STATUS_PENDING, STATUS_PENDING_CANCEL, STATUS_SUSPENDED)


@attrs.frozen(kw_only=True)
class Fill:
    """One broker trade (GatewayUserTrade); topic 'fill'. pnl is None on an opening half-turn."""
    account_id: int
    trade_id: int
    contract_id: str
    ts_ns: int
    price: Decimal
    pnl: Optional[Decimal]
    fees: Decimal
    side: int
    size: int
    voided: bool = False
    order_id: Optional[int] = None
    by_riskd: bool = False     # set by risk: one of riskd's own closes (never the trader's trade)
    closed: Optional[int] = None   # set by risk: how many of its contracts closed the position
                                   # held before it (a reversal's others opened the new one);
                                   # None: not known (services/risk/closedpart.py)


@attrs.frozen(kw_only=True)
class PositionUpdate:
    """GatewayUserPosition; topic 'position'. size 0 means the position is closed."""
    account_id: int
    position_id: int
    contract_id: str
    ts_ns: int
    type: int
    size: int
    average_price: Decimal


@attrs.frozen(kw_only=True)
class OrderUpdate:
    """GatewayUserOrder; topic 'order'."""
    account_id: int
    order_id: int
    contract_id: str
    created_ns: int
    updated_ns: Optional[int]
    status: int
    type: int
    side: int
    size: int
    limit_price: Optional[Decimal] = None
    stop_price: Optional[Decimal] = None
    fill_volume: int = 0
    filled_price: Optional[Decimal] = None
    custom_tag: Optional[str] = None


@attrs.frozen(kw_only=True)
class AccountUpdate:
    """GatewayUserAccount; topic 'account'. can_trade None: the payload did not say (unchanged)."""
    account_id: int
    name: str
    balance: Decimal
    can_trade: Optional[bool]
    simulated: bool = False


@attrs.frozen(kw_only=True)
class Quote:
    """A merged quote for one contract; topic 'quote.<contractId>'. Missing prices stay None."""
    contract_id: str
    ts_ns: int
    last: Optional[Decimal] = None
    bid: Optional[Decimal] = None
    ask: Optional[Decimal] = None


@attrs.frozen(kw_only=True)
class ContractInfo:
    """Contract data from the broker (tick size and value are never from our own tables)."""
    contract_id: str
    name: str
    tick_size: Decimal
    tick_value: Decimal
    symbol: str
    description: str = ""


@attrs.frozen(kw_only=True)
class BrokerConnection:
    """Connection state of one broker hub; topic 'conn'."""
    hub: str
    state: str  # disconnected | connecting | connected | reconnecting | market_closed
    reason: str = ""
    since_ns: int = 0
    # market hub only: reconnecting only because its quote feed was quiet (the stale-feed
    # precaution), and no attempt of it has failed yet (services/market/connection.py)
    precaution: bool = False


@attrs.frozen(kw_only=True)
class SnapshotRequest:
    """Clone pattern: ask market for its full state and the sequence number it is valid at.
    read_after_ns (market's clock): risk wants the broker read afresh, by a read begun at or
    after it (fills and Position disagree past risk's window: services/risk/state.py
    stale_since); market starts one unless its last read began then or later, and answers at
    once with what it has (MarketSnapshot.read_ns says which read that is)."""
    read_after_ns: int = 0


@attrs.frozen(kw_only=True)
class MarketSnapshot:
    """Everything market knows, valid as of its publisher sequence number `seq`.
    `complete` is False until market has read the broker's state over REST since it started:
    such a snapshot holds only what arrived since, so what is absent from it is not gone."""
    seq: int
    epoch: int
    complete: bool = True
    accounts: list[AccountUpdate] = attrs.Factory(list)
    positions: list[PositionUpdate] = attrs.Factory(list)
    orders: list[OrderUpdate] = attrs.Factory(list)
    fills: list[Fill] = attrs.Factory(list)
    contracts: list[ContractInfo] = attrs.Factory(list)
    quotes: list[Quote] = attrs.Factory(list)
    connections: list[BrokerConnection] = attrs.Factory(list)
    # risk shards (shared/shards.py): the sequence number of each user-event stream
    # ("market.s<k>") the snapshot is valid at; empty with one risk
    streams: dict[str, int] = attrs.Factory(dict)
    # market's clock when its latest finished broker read (reconcile) began; 0: none yet
    read_ns: int = 0


@attrs.frozen(kw_only=True)
class PositionsRequest:
    """Open positions as market knows them (riskctl positions); account_id None: all accounts."""
    account_id: Optional[int] = None


@attrs.frozen(kw_only=True)
class PositionRow:
    account_id: int
    account_name: str
    contract_id: str
    ticker: str
    side: str                      # long | short
    size: int
    average_price: Decimal
    last: Optional[Decimal] = None
    unrealized: Optional[Decimal] = None     # from the last price and the contract's tick data
    since_ns: int = 0
    quoted_ns: Optional[int] = None          # when market got the last quote (None: none)
    unvalued: str = ""       # why unrealized is None (shared/pricewords.py), else ""


@attrs.frozen(kw_only=True)
class PositionsTable:
    positions: list[PositionRow] = attrs.Factory(list)
    connections: list[BrokerConnection] = attrs.Factory(list)


@attrs.frozen(kw_only=True)
class OrdersRequest:
    """Working orders as market knows them (riskctl orders); account_id None: all accounts."""
    account_id: Optional[int] = None


@attrs.frozen(kw_only=True)
class OrderRow:
    account_id: int
    account_name: str
    order_id: int
    contract_id: str
    ticker: str
    side: str                      # buy | sell
    type: str                      # limit | market | stop | ...
    status: str                    # open | pending | suspended | ...
    size: int
    limit_price: Optional[Decimal] = None
    stop_price: Optional[Decimal] = None
    fill_volume: int = 0
    custom_tag: Optional[str] = None
    created_ns: int = 0


@attrs.frozen(kw_only=True)
class OrdersTable:
    orders: list[OrderRow] = attrs.Factory(list)
    connections: list[BrokerConnection] = attrs.Factory(list)


ALL = (Fill, PositionUpdate, OrderUpdate, AccountUpdate, Quote, ContractInfo, BrokerConnection,
       SnapshotRequest, MarketSnapshot, PositionsRequest, PositionRow, PositionsTable,
       OrdersRequest, OrderRow, OrdersTable)
