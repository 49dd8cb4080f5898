"""The newest quote of each contract, from the merged GatewayQuote fields the inbox hands over.

Only what a Quote carries is read: lastPrice, bestBid, bestAsk and the quote's time
(`timestamp`, else `lastUpdated`, else now); the other fields of a GatewayQuote (open, high,
volume, ...) are not parsed at all. Quotes are sparse: a field missing from an update keeps
its last value, a price never seen stays None (never 0). A price becomes a Decimal from the
JSON number's shortest repr (the JSON text for every price: tests/unit/projectx/
test_quote_shortcut.py). A field that cannot be read (a price "abc", a bad time) is logged
and keeps its last value; the other fields of the update are kept.

Same results as QuoteBook + translate.quote (tests/unit/market/test_quote_path.py), at a
fraction of the CPU: the market worker's loop runs this for every contract of every drain in a
quote storm. Not thread-safe: the loop owns it.
"""
from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation
from typing import Any, Optional

from shared.clock import parse_iso_ns
from shared.messages.market import Quote

log = logging.getLogger(__name__)

PRICES = (("lastPrice", 0), ("bestBid", 1), ("bestAsk", 2))
_TS, _LAST_UPDATED = 3, 4


def price(value: Any) -> Decimal:
    """A JSON price (float, int, Decimal or numeric text) as a finite Decimal; ValueError."""
    t = type(value)
    if t is float:
        result = Decimal(repr(value))
    elif t is int:
        return Decimal(value)
    elif t is Decimal:
        result = value
    elif t is str:
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"expected a number, got {value!r}") from None
    else:
        raise ValueError(f"expected a number, got {value!r}")
    if not result.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    return result


class LastQuotes:
    def __init__(self) -> None:
        # contract -> [last, bid, ask, timestamp ns, lastUpdated ns]
        self._quotes: dict[str, list] = {}
        self.bad_fields = 0

    def apply(self, contract_id: str, fields: dict, now_ns: int) -> Quote:
        """Merge one (conflated) update; the contract's quote as it now stands."""
        q = self._quotes.get(contract_id)
        if q is None:
            q = self._quotes[contract_id] = [None, None, None, None, None]
        for key, i in PRICES:
            value = fields.get(key)
            if value is not None:
                try:
                    q[i] = price(value)
                except ValueError as exc:
                    self._bad(contract_id, key, exc)
        value = fields.get("timestamp")
        if value is not None:
            self._time(q, _TS, contract_id, "timestamp", value)
        if not q[_TS]:              # lastUpdated counts only while there is no timestamp
            value = fields.get("lastUpdated")
            if value is not None:
                self._time(q, _LAST_UPDATED, contract_id, "lastUpdated", value)
        return Quote(contract_id=contract_id, ts_ns=q[_TS] or q[_LAST_UPDATED] or now_ns,
                     last=q[0], bid=q[1], ask=q[2])

    def _time(self, q: list, i: int, contract_id: str, key: str, value: Any) -> None:
        try:
            q[i] = parse_iso_ns(value)     # its whole second's parse kept
        except (ValueError, TypeError):
            self._bad(contract_id, key, ValueError(f"expected an ISO 8601 timestamp, "
                                                   f"got {value!r}"))

    def _bad(self, contract_id: str, key: str, exc: Exception) -> None:
        self.bad_fields += 1
        log.warning("market: ignored an unreadable GatewayQuote field %s of %s (%s); the "
                    "quote keeps its last value", key, contract_id, exc)

    def get(self, contract_id: str) -> Optional[Quote]:
        q = self._quotes.get(contract_id)
        if q is None:
            return None
        return Quote(contract_id=contract_id, ts_ns=q[_TS] or q[_LAST_UPDATED] or 0,
                     last=q[0], bid=q[1], ask=q[2])

    def time_of(self, contract_id: str) -> Optional[int]:
        """The broker's time of the contract's newest quote (timestamp, else lastUpdated), or
        None: no quote, or none with a time."""
        q = self._quotes.get(contract_id)
        return None if q is None else (q[_TS] or q[_LAST_UPDATED])

    def forget(self, contract_id: str) -> None:
        self._quotes.pop(contract_id, None)
