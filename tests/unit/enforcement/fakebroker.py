"""A pure in-memory stand-in for ProjectXRest (the calls enforcement makes), for unit tests.

Positions and orders live in dicts; `fail[endpoint]` holds exceptions to raise on the next
calls (popped in order). Every call is recorded in `log` as (endpoint, argument).
"""
from __future__ import annotations

from decimal import Decimal

import attrs

from shared.projectx.errors import ProjectXError
from shared.projectx.models import Order, Position
from shared.projectx.rest import OrderPage

CLOSE = "/api/Position/closeContract"
PARTIAL = "/api/Position/partialCloseContract"
CANCEL = "/api/Order/cancel"
MODIFY = "/api/Order/modify"
POSITIONS = "/api/Position/searchOpen"
QUERY = "/api/Order/v2/query"
OPEN_ORDERS = "/api/Order/searchOpen"
SEARCH = "/api/Order/search"


def position(account: int, contract: str, size: int, created_ns: int = 0) -> Position:
    return Position(id=1, account_id=account, contract_id=contract, created_ns=created_ns,
                    type=1 if size > 0 else 2, size=abs(size), average_price=Decimal(100))


def order(account: int, oid: int, contract: str, status: int = 1, type: int = 1, side: int = 0,
          size: int = 1) -> Order:
    return Order(id=oid, account_id=account, contract_id=contract, created_ns=0, updated_ns=0,
                 status=status, type=type, side=side, size=size)


class FakeBroker:
    def __init__(self, account: int = 7, clock=None):
        self.account = account
        # every close is carried out as a market order of the broker's (as the gateway does):
        # `made`, created at the clock's time (0 without a clock), found by Order/search
        self.clock = clock
        self.made: list[Order] = []
        self.positions: dict[str, int] = {}
        # when each position opened (its creationTimestamp; 0, the default: not given)
        self.opened: dict[str, int] = {}
        self.orders: dict[int, Order] = {}
        self.fail: dict[str, list[BaseException]] = {}
        self.log: list[tuple[str, object]] = []
        self.calls = 0
        self.apply_then_fail: set[str] = set()     # the call works but its answer is lost

    def _enter(self, endpoint: str, arg=None) -> None:
        self.calls += 1
        self.log.append((endpoint, arg))
        queue = self.fail.get(endpoint)
        if queue and endpoint not in self.apply_then_fail:
            raise queue.pop(0)

    def _after(self, endpoint: str) -> None:
        queue = self.fail.get(endpoint)
        if queue and endpoint in self.apply_then_fail:
            raise queue.pop(0)

    def trading(self) -> list[tuple[str, object]]:
        return [c for c in self.log if c[0] in (CLOSE, PARTIAL, CANCEL, MODIFY)]

    # -- the client's interface ----------------------------------------------------------------
    def ensure_token(self) -> str:
        return "token"

    def open_positions(self, account_id: int) -> list[Position]:
        self._enter(POSITIONS)
        return [position(account_id, c, s, self.opened.get(c, 0))
                for c, s in self.positions.items() if s]

    def query_orders(self, account_id: int, statuses=None, **_kw) -> OrderPage:
        self._enter(QUERY)
        return OrderPage([o for o in self.orders.values() if o.status in statuses], None)

    def open_orders(self, account_id: int) -> list[Order]:
        self._enter(OPEN_ORDERS)
        return [o for o in self.orders.values() if o.status in (1, 6, 7)]

    def close_contract(self, account_id: int, contract_id: str) -> None:
        self._enter(CLOSE, contract_id)
        if not self.positions.get(contract_id):
            raise ProjectXError(2, "position not found", CLOSE)
        self._made(contract_id, self.positions[contract_id], abs(self.positions[contract_id]))
        self.positions[contract_id] = 0
        self._after(CLOSE)

    def partial_close_contract(self, account_id: int, contract_id: str, size: int) -> None:
        self._enter(PARTIAL, (contract_id, size))
        have = abs(self.positions.get(contract_id, 0))
        if not have:
            raise ProjectXError(2, "position not found", PARTIAL)
        sign = 1 if self.positions[contract_id] > 0 else -1
        self._made(contract_id, sign, size)
        self.positions[contract_id] = sign * (have - size)
        self._after(PARTIAL)

    def _made(self, contract_id: str, held: int, size: int) -> None:
        oid = 9000 + len(self.made)
        self.made.append(Order(id=oid, account_id=self.account, contract_id=contract_id,
                               created_ns=self.clock.now_ns() if self.clock else 0,
                               updated_ns=0, status=2, type=2, side=1 if held > 0 else 0,
                               size=size))

    def search_orders(self, account_id: int, start_ns: int, end_ns=None) -> list[Order]:
        self._enter(SEARCH, start_ns)
        return [o for o in self.made if o.created_ns >= start_ns
                and (end_ns is None or o.created_ns <= end_ns)]

    def cancel_order(self, account_id: int, order_id: int) -> None:
        self._enter(CANCEL, order_id)
        if order_id not in self.orders:
            raise ProjectXError(2, "order not found", CANCEL)
        del self.orders[order_id]

    def modify_order(self, account_id: int, order_id: int, stop_price=None, size=None,
                     **_kw) -> None:
        self._enter(MODIFY, (order_id, stop_price) if size is None else (order_id, {"size": size}))
        if order_id not in self.orders:
            raise ProjectXError(2, "order not found", MODIFY)
        if size is not None:
            self.orders[order_id] = attrs.evolve(self.orders[order_id], size=size)
