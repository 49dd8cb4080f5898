"""Which open orders a contract's new last price can fill: the sim's trigger index.

The ledger asks it, on every quote, for the open orders of the contract whose fill
condition the last price may meet, instead of checking every working order: on a
storm of 20,000 quotes/s with hundreds of accounts resting orders far from the market,
checking them all was most of the sim's CPU (docs/performance.md).

Each open order sits under one threshold and one direction, taken from the fill rules
of services/simbroker/accounts.py (a trigger compares with the last price):
- fills when last <= threshold ("below"): a buy limit (also join bid/ask and a triggered
  stop-limit) at its limit, a sell stop and an untriggered sell stop-limit at the stop;
- fills when last >= threshold ("above"): the mirror, a sell limit, a buy stop;
- checked on every price ("every"): a market order and a trailing stop (its stop follows
  each price, which the ledger writes on each check), and any order missing its price.

candidates() is a superset of what can fill: the ledger still checks each with the same
rules, in order of id, so the fills and events are those of checking every order; an
order left out is one whose check would do nothing. The owner re-files an order (put)
after anything that changes its status, prices, side or a stop-limit's trigger.
Pure, not thread-safe (the gateway holds a lock).
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from decimal import Decimal
from typing import Optional

import attrs

from services.simbroker.entities import BUY, MARKET, OPEN, STOP, STOP_LIMIT, TRAILING_STOP, Order

BELOW, ABOVE, EVERY = "below", "above", "every"
_LAST_ID = float("inf")         # sorts after every order id at the same threshold


def key_of(o: Order) -> Optional[tuple[str, Optional[Decimal]]]:
    """(direction, threshold) an open order is filed under; None for an order not open."""
    if o.status != OPEN:
        return None
    buy = o.side == BUY
    if o.type in (MARKET, TRAILING_STOP):
        return EVERY, None
    if o.type == STOP or (o.type == STOP_LIMIT and not o.triggered):
        price = o.stop_price
        direction = ABOVE if buy else BELOW
    else:
        price = o.limit_price
        direction = BELOW if buy else ABOVE
    return (EVERY, None) if price is None else (direction, price)


@attrs.define
class _Contract:
    below: list = attrs.Factory(list)     # sorted (threshold, id): fills at last <= threshold
    above: list = attrs.Factory(list)     # sorted (threshold, id): fills at last >= threshold
    every: set = attrs.Factory(set)       # ids checked on every price


class TriggerIndex:
    """Open orders by contract, direction and threshold."""

    def __init__(self) -> None:
        self._contracts: dict[str, _Contract] = {}
        self._filed: dict[int, tuple[str, str, Optional[Decimal]]] = {}   # id -> where it sits

    def put(self, order: Order) -> None:
        """File the order where its current state says (or drop it if it is not open)."""
        key = key_of(order)
        where = None if key is None else (order.contract_id, *key)
        if self._filed.get(order.id) == where:
            return
        self.discard(order.id)
        if where is None:
            return
        cid, direction, price = where
        book = self._contracts.get(cid)
        if book is None:
            book = self._contracts[cid] = _Contract()
        if direction == EVERY:
            book.every.add(order.id)
        else:
            insort(book.below if direction == BELOW else book.above, (price, order.id))
        self._filed[order.id] = where

    def discard(self, order_id: int) -> None:
        where = self._filed.pop(order_id, None)
        if where is None:
            return
        cid, direction, price = where
        book = self._contracts[cid]
        if direction == EVERY:
            book.every.discard(order_id)
            return
        rows = book.below if direction == BELOW else book.above
        del rows[bisect_left(rows, (price, order_id))]

    def watches(self, contract_id: str) -> bool:
        """Has the contract any open order filed? (False: no price can fill anything.)"""
        book = self._contracts.get(contract_id)
        return book is not None and bool(book.every or book.below or book.above)

    def candidates(self, contract_id: str, last: Decimal) -> list[int]:
        """Ids, ascending, of the open orders of the contract that last may fill."""
        book = self._contracts.get(contract_id)
        if book is None:
            return []
        below, above = book.below, book.above
        if not book.every and (not below or last > below[-1][0]) \
                and (not above or last < above[0][0]):
            return []               # the usual quote: no threshold reached, two comparisons
        ids = [oid for _, oid in below[bisect_left(below, (last,)):]] if below else []
        if above:
            ids += [oid for _, oid in above[:bisect_right(above, (last, _LAST_ID))]]
        if book.every:
            ids += book.every
        if len(ids) > 1:
            ids.sort()
        return ids

    def __len__(self) -> int:
        return len(self._filed)
