"""Typed ProjectX payloads: accounts, contracts, positions, orders, trades, bars, sparse quotes.

Parsing is tolerant of what real gateways send (missing optional fields,
nulls, numbers as strings, 7 fractional digits and offsets in timestamps) and
strict about what matters: a missing or unusable required field raises a
ParseError that names the entity and the field. Prices and money are Decimal
taken from the JSON text (decode with `loads`, which uses parse_float=Decimal).
Enum values the broker may add later are kept as plain ints.
"""
from __future__ import annotations

import enum
import json
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Optional, TypeVar

import attrs

from shared.clock import parse_iso_ns
from shared.projectx.errors import ParseError

E = TypeVar("E", bound=enum.IntEnum)


class OrderSide(enum.IntEnum):
    BID = 0     # buy
    ASK = 1     # sell


class OrderType(enum.IntEnum):
    UNKNOWN = 0
    LIMIT = 1
    MARKET = 2
    STOP_LIMIT = 3
    STOP = 4
    TRAILING_STOP = 5
    JOIN_BID = 6
    JOIN_ASK = 7


class OrderStatus(enum.IntEnum):
    NONE = 0
    OPEN = 1
    FILLED = 2
    CANCELLED = 3
    EXPIRED = 4
    REJECTED = 5
    PENDING = 6
    PENDING_CANCEL = 7
    SUSPENDED = 8


class PositionType(enum.IntEnum):
    UNDEFINED = 0
    LONG = 1
    SHORT = 2


WORKING_STATUSES = (OrderStatus.OPEN, OrderStatus.PENDING, OrderStatus.PENDING_CANCEL,
                    OrderStatus.SUSPENDED)


def loads(text: str | bytes) -> Any:
    """JSON with every non-integer number as Decimal (money stays exact)."""
    return json.loads(text, parse_float=Decimal)


class _Fields:
    """Reads one payload's fields; every failure names `<entity>.<field>`."""

    def __init__(self, entity: str, payload: Any):
        if not isinstance(payload, dict):
            raise ParseError(f"{entity}: expected an object, got {type(payload).__name__}")
        self.entity, self.d = entity, payload

    def _fail(self, key: str, expected: str, value: Any) -> ParseError:
        return ParseError(f"{self.entity}.{key}: expected {expected}, got {value!r}")

    def _get(self, key: str, required: bool, expected: str) -> Any:
        value = self.d.get(key)
        if value is None and required:
            raise ParseError(f"{self.entity}.{key}: expected {expected}, "
                             f"got {'null' if key in self.d else 'nothing (missing)'}")
        return value

    def int(self, key: str, required: bool = True, default: Optional[int] = None) -> Optional[int]:
        value = self._get(key, required, "an integer")
        if value is None:
            return default
        if isinstance(value, bool):
            raise self._fail(key, "an integer", value)
        if isinstance(value, int):
            return value
        if isinstance(value, (Decimal, float)):
            try:
                if value == int(value):
                    return int(value)
            except (ValueError, OverflowError, InvalidOperation):
                pass
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise self._fail(key, "an integer", value)

    def dec(self, key: str, required: bool = True) -> Optional[Decimal]:
        value = self._get(key, required, "a number")
        if value is None:
            return None
        if isinstance(value, bool):
            raise self._fail(key, "a number", value)
        if isinstance(value, Decimal):
            result = value
        elif isinstance(value, int):
            result = Decimal(value)
        elif isinstance(value, (float, str)):
            try:
                result = Decimal(str(value).strip())
            except InvalidOperation:
                raise self._fail(key, "a number", value) from None
        else:
            raise self._fail(key, "a number", value)
        if not result.is_finite():
            raise self._fail(key, "a finite number", value)
        return result

    def str(self, key: str, required: bool = True, default: Optional[str] = None) -> Optional[str]:
        value = self._get(key, required, "a string")
        if value is None:
            return default
        if isinstance(value, str):
            return value
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return str(value)
        raise self._fail(key, "a string", value)

    def bool(self, key: str, required: bool = True,
             default: Optional[bool] = False) -> Optional[bool]:
        value = self._get(key, required, "true or false")
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise self._fail(key, "true or false", value)

    def ts(self, key: str, required: bool = True) -> Optional[int]:
        value = self._get(key, required, "an ISO 8601 timestamp")
        if value is None:
            return None
        try:
            return parse_iso_ns(value)
        except ValueError:
            raise self._fail(key, "an ISO 8601 timestamp", value) from None

    def enum(self, key: str, cls: type[E], required: bool = True, default: int = 0) -> int:
        """A known value becomes the enum member; an unknown one stays a plain int."""
        value = self.int(key, required, default)
        try:
            return cls(value)
        except ValueError:
            return value


def _parser(cls):
    """Attach `cls.parse(payload)`; the class's `_read(fields)` builds the instance."""
    entity = cls.__name__

    def parse(payload: Any):
        return cls._read(_Fields(entity, payload))

    cls.parse = staticmethod(parse)
    return cls


@_parser
@attrs.frozen(kw_only=True)
class Account:
    id: int
    name: str
    balance: Decimal
    can_trade: Optional[bool]          # None: the payload did not say (only false locks)
    is_visible: bool = True
    simulated: bool = False

    @classmethod
    def _read(cls, f: _Fields) -> "Account":
        return cls(id=f.int("id"), name=f.str("name", False, ""), balance=f.dec("balance"),
                   can_trade=f.bool("canTrade", False, None),
                   is_visible=f.bool("isVisible", False, True),
                   simulated=f.bool("simulated", False, False))


@_parser
@attrs.frozen(kw_only=True)
class Contract:
    id: str
    name: str
    description: str
    tick_size: Decimal
    tick_value: Decimal
    active_contract: bool = True
    symbol_id: str = ""

    @classmethod
    def _read(cls, f: _Fields) -> "Contract":
        return cls(id=f.str("id"), name=f.str("name", False, ""),
                   description=f.str("description", False, ""),
                   tick_size=f.dec("tickSize"), tick_value=f.dec("tickValue"),
                   active_contract=f.bool("activeContract", False, True),
                   symbol_id=f.str("symbolId", False, ""))


class BarUnit(enum.IntEnum):
    """History/retrieveBars units."""
    SECOND = 1
    MINUTE = 2
    HOUR = 3
    DAY = 4
    WEEK = 5
    MONTH = 6


@_parser
@attrs.frozen(kw_only=True)
class Bar:
    """One History/retrieveBars bar: its start (t) and OHLC prices, volume."""
    ts_ns: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int

    @classmethod
    def _read(cls, f: _Fields) -> "Bar":
        return cls(ts_ns=f.ts("t"), open=f.dec("o"), high=f.dec("h"), low=f.dec("l"),
                   close=f.dec("c"), volume=f.int("v", False, 0))


@_parser
@attrs.frozen(kw_only=True)
class Position:
    id: int
    account_id: int
    contract_id: str
    created_ns: Optional[int]
    type: int
    size: int
    average_price: Decimal

    @classmethod
    def _read(cls, f: _Fields) -> "Position":
        size = f.int("size")
        return cls(id=f.int("id", False, 0), account_id=f.int("accountId"),
                   contract_id=f.str("contractId"), created_ns=f.ts("creationTimestamp", False),
                   type=f.enum("type", PositionType, False), size=size,
                   average_price=f.dec("averagePrice", size != 0) or Decimal(0))

    @property
    def signed_size(self) -> int:
        return -self.size if self.type == PositionType.SHORT else self.size


@_parser
@attrs.frozen(kw_only=True)
class Order:
    id: int
    account_id: int
    contract_id: str
    created_ns: Optional[int]
    updated_ns: Optional[int]
    status: int
    type: int
    side: int
    size: int
    symbol_id: str = ""
    limit_price: Optional[Decimal] = None
    stop_price: Optional[Decimal] = None
    fill_volume: int = 0
    filled_price: Optional[Decimal] = None
    custom_tag: Optional[str] = None

    @classmethod
    def _read(cls, f: _Fields) -> "Order":
        return cls(id=f.int("id"), account_id=f.int("accountId"), contract_id=f.str("contractId"),
                   created_ns=f.ts("creationTimestamp", False),
                   updated_ns=f.ts("updateTimestamp", False),
                   status=f.enum("status", OrderStatus), type=f.enum("type", OrderType, False),
                   side=f.enum("side", OrderSide), size=f.int("size", False, 0),
                   symbol_id=f.str("symbolId", False, ""),
                   limit_price=f.dec("limitPrice", False), stop_price=f.dec("stopPrice", False),
                   fill_volume=f.int("fillVolume", False, 0),
                   filled_price=f.dec("filledPrice", False),
                   custom_tag=f.str("customTag", False))

    @property
    def working(self) -> bool:
        return self.status in WORKING_STATUSES


@_parser
@attrs.frozen(kw_only=True)
class Trade:
    id: int
    account_id: int
    contract_id: str
    created_ns: int
    price: Decimal
    profit_and_loss: Optional[Decimal]
    fees: Decimal
    side: int
    size: int
    voided: bool = False
    order_id: Optional[int] = None

    @classmethod
    def _read(cls, f: _Fields) -> "Trade":
        return cls(id=f.int("id"), account_id=f.int("accountId"), contract_id=f.str("contractId"),
                   created_ns=f.ts("creationTimestamp"), price=f.dec("price"),
                   profit_and_loss=f.dec("profitAndLoss", False),
                   fees=f.dec("fees", False) or Decimal(0), side=f.enum("side", OrderSide),
                   size=f.int("size"), voided=f.bool("voided", False, False),
                   order_id=f.int("orderId", False))


@_parser
@attrs.frozen(kw_only=True)
class QuoteUpdate:
    """One sparse GatewayQuote: any field may be missing (None means 'not in this update')."""
    contract_id: str
    symbol: Optional[str] = None
    symbol_name: Optional[str] = None
    last_price: Optional[Decimal] = None
    best_bid: Optional[Decimal] = None
    best_ask: Optional[Decimal] = None
    change: Optional[Decimal] = None
    change_percent: Optional[Decimal] = None
    open: Optional[Decimal] = None
    high: Optional[Decimal] = None
    low: Optional[Decimal] = None
    volume: Optional[int] = None
    last_updated_ns: Optional[int] = None
    timestamp_ns: Optional[int] = None

    @classmethod
    def _read(cls, f: _Fields) -> "QuoteUpdate":
        return cls(contract_id=f.str("contractId"), symbol=f.str("symbol", False),
                   symbol_name=f.str("symbolName", False), last_price=f.dec("lastPrice", False),
                   best_bid=f.dec("bestBid", False), best_ask=f.dec("bestAsk", False),
                   change=f.dec("change", False), change_percent=f.dec("changePercent", False),
                   open=f.dec("open", False), high=f.dec("high", False), low=f.dec("low", False),
                   volume=f.int("volume", False), last_updated_ns=f.ts("lastUpdated", False),
                   timestamp_ns=f.ts("timestamp", False))

    def merged(self, newer: "QuoteUpdate") -> "QuoteUpdate":
        """This quote with every field `newer` carries replaced; missing fields keep old values."""
        changes = {a.name: getattr(newer, a.name) for a in attrs.fields(QuoteUpdate)
                   if getattr(newer, a.name) is not None}
        return attrs.evolve(self, **changes)


def parse_quote(contract_id: str, payload: Any) -> QuoteUpdate:
    """A GatewayQuote payload for contract_id (the payload's own contractId is not needed)."""
    if isinstance(payload, dict) and payload.get("contractId") is None:
        payload = dict(payload, contractId=contract_id)
    return QuoteUpdate.parse(payload)


def unwrap(value: Any) -> list[dict]:
    """Entity payloads from a hub argument: bare, a list, or {action, data} with data an object,
    a list (entries may be null) or null. `action` is never looked at."""
    if value is None:
        return []
    if isinstance(value, list):
        return [p for item in value for p in unwrap(item)]
    if isinstance(value, dict):
        if "data" in value and "id" not in value:
            return unwrap(value["data"])
        return [value]
    raise ParseError(f"hub payload: expected an object, a list or {{action, data}}, "
                     f"got {type(value).__name__}")


def parse_list(items: Any, parse: Callable[[Any], Any], what: str) -> list:
    """A list of payloads from a REST answer; a null list is empty, a non-list an error."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise ParseError(f"{what}: expected a list, got {type(items).__name__}")
    return [parse(item) for item in items if item is not None]
