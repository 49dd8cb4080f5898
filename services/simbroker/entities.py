"""The sim broker's records and what its calls answer: accounts, orders, positions, trades.

Each record writes its own gateway payload (the fields of GatewayUserAccount,
-Order, -Position, -Trade and of the REST searches); Event is one user-hub
event to send, Result one endpoint's outcome with its ProjectX error code.
The enums and the per-endpoint error codes are ProjectX's.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

import attrs

from services.simbroker.wire import iso, num

BUY, SELL = 0, 1
LIMIT, MARKET, STOP_LIMIT, STOP, TRAILING_STOP, JOIN_BID, JOIN_ASK = 1, 2, 3, 4, 5, 6, 7
OPEN, FILLED, CANCELLED, EXPIRED, REJECTED, PENDING, PENDING_CANCEL, SUSPENDED = 1, 2, 3, 4, 5, 6, 7, 8
WORKING = (OPEN, PENDING, PENDING_CANCEL, SUSPENDED)
LONG, SHORT = 1, 2
CREATED, UPDATED, REMOVED = 0, 1, 2       # the "action" of wrapped events (never meaningful)


class Codes:
    """ProjectX error codes, per endpoint."""
    SEARCH_ACCOUNT_NOT_FOUND = 1
    ORDER_NOT_FOUND = 1                      # Order/searchById
    PLACE_ACCOUNT_NOT_FOUND, PLACE_REJECTED, PLACE_CONTRACT_NOT_FOUND, PLACE_ACCOUNT_REJECTED = 1, 2, 8, 10
    CANCEL_ACCOUNT_NOT_FOUND, CANCEL_ORDER_NOT_FOUND, CANCEL_ACCOUNT_REJECTED = 1, 2, 6   # modify too
    MODIFY_REJECTED = 3
    CLOSE_ACCOUNT_NOT_FOUND, CLOSE_POSITION_NOT_FOUND, CLOSE_CONTRACT_NOT_FOUND = 1, 2, 3
    CLOSE_ORDER_REJECTED, CLOSE_ACCOUNT_REJECTED = 5, 8
    PARTIAL_ACCOUNT_NOT_FOUND, PARTIAL_POSITION_NOT_FOUND, PARTIAL_CONTRACT_NOT_FOUND = 1, 2, 3
    PARTIAL_INVALID_SIZE, PARTIAL_ORDER_REJECTED, PARTIAL_ACCOUNT_REJECTED = 5, 6, 9


@attrs.frozen
class Event:
    """One server event for the user hub: target name, the account it is about, its payload."""
    target: str
    account_id: int
    payload: dict
    action: int = UPDATED


@attrs.frozen
class Result:
    """An endpoint's outcome: error code 0 is success; body holds the answer's extra fields."""
    code: int = 0
    message: Optional[str] = None
    body: dict = attrs.Factory(dict)
    events: tuple = ()

    @property
    def success(self) -> bool:
        return self.code == 0

    def answer(self) -> dict:
        return {**self.body, "success": self.success, "errorCode": self.code,
                "errorMessage": self.message}


def fail(code: int, message: Optional[str]) -> Result:
    return Result(code=code, message=message)


@attrs.define
class Account:
    id: int
    name: str
    balance: Decimal
    can_trade: bool = True
    api_rejected: bool = False     # answers AccountRejected to trading calls (copy-trade, live)

    def payload(self) -> dict:
        return {"id": self.id, "name": self.name, "balance": num(self.balance),
                "canTrade": self.can_trade, "isVisible": True, "simulated": True}


@attrs.define
class Order:
    id: int
    account_id: int
    contract_id: str
    symbol_id: str
    type: int
    side: int
    size: int
    created_ns: int
    updated_ns: int
    status: int = OPEN
    limit_price: Optional[Decimal] = None
    stop_price: Optional[Decimal] = None
    trail_price: Optional[Decimal] = None
    custom_tag: Optional[str] = None
    fill_volume: int = 0
    filled_price: Optional[Decimal] = None
    triggered: bool = False          # a stop-limit whose stop has fired
    anchor: Optional[Decimal] = None  # best last price seen by a trailing stop
    brackets: tuple = ()             # (kind, ticks, type) of children still to create
    children: list = attrs.Factory(list)
    parent_id: Optional[int] = None
    bracket_ticks: int = 0
    oco_id: Optional[int] = None

    def payload(self) -> dict:
        return {"id": self.id, "accountId": self.account_id, "contractId": self.contract_id,
                "symbolId": self.symbol_id, "creationTimestamp": iso(self.created_ns),
                "updateTimestamp": iso(self.updated_ns), "status": self.status,
                "type": self.type, "side": self.side, "size": self.size,
                "limitPrice": num(self.limit_price), "stopPrice": num(self.stop_price),
                "fillVolume": self.fill_volume, "filledPrice": num(self.filled_price),
                "customTag": self.custom_tag}


@attrs.define
class Position:
    id: int
    account_id: int
    contract_id: str
    created_ns: int
    size: int = 0                   # signed: > 0 long, < 0 short
    average_price: Decimal = Decimal(0)
    last_type: int = LONG

    def payload(self) -> dict:
        return {"id": self.id, "accountId": self.account_id, "contractId": self.contract_id,
                "creationTimestamp": iso(self.created_ns),
                "type": (LONG if self.size > 0 else SHORT) if self.size else self.last_type,
                "size": abs(self.size), "averagePrice": num(self.average_price)}


@attrs.frozen
class Trade:
    id: int
    account_id: int
    contract_id: str
    created_ns: int
    price: Decimal
    pnl: Optional[Decimal]
    fees: Decimal
    side: int
    size: int
    order_id: int

    def payload(self) -> dict:
        return {"id": self.id, "accountId": self.account_id, "contractId": self.contract_id,
                "creationTimestamp": iso(self.created_ns), "price": num(self.price),
                "profitAndLoss": num(self.pnl), "fees": num(self.fees), "side": self.side,
                "size": self.size, "voided": False, "orderId": self.order_id}
