"""Conflation between the hub threads and the worker loop (pure; the caller holds the lock).

Quotes are sparse updates: while the loop is busy, the updates for one
contract are merged field by field into one pending quote (the newest value
of each field wins; a null is no value), so at most one quote per contract waits. Every other
item (fills, orders, positions, accounts, connection signals) is kept, in
arrival order, never dropped.
"""
from __future__ import annotations

from collections import deque
from typing import Any

from shared.projectx.realtime import market_payloads


class Conflator:
    def __init__(self) -> None:
        self._events: deque = deque()
        self._quotes: dict[str, dict] = {}
        self.quotes_in = 0        # sparse quote updates received
        self.quotes_merged = 0    # of those, merged into one still waiting

    def add_event(self, item: Any) -> None:
        self._events.append(item)

    def add_quote(self, contract_id: str, fields: dict) -> None:
        self.quotes_in += 1
        pending = self._quotes.get(contract_id)
        if pending is None:
            self._quotes[contract_id] = {k: v for k, v in fields.items() if v is not None}
        else:
            self.quotes_merged += 1
            pending.update((k, v) for k, v in fields.items() if v is not None)

    def add_quotes(self, batch: list) -> list[str]:
        """The `arguments` of several GatewayQuote records, `(contractId, payload)` each (the
        market hub's quote short cut hands over a frame's worth at once): one dict update per
        record. Returns what could not be read (the caller logs it, outside its lock); the
        other records are merged."""
        quotes, errors = self._quotes, []
        merged = 0
        for args in batch:
            payload = args[1] if type(args) is list and len(args) == 2 else None
            if type(payload) is dict and type(args[0]) is str and "data" not in payload:
                pairs: Any = ((args[0], payload),)
            else:                                   # wrapped, a list, or not a quote at all
                try:
                    cid, payloads = market_payloads(args)
                except ValueError as exc:
                    errors.append(f"{exc} (arguments {str(args)[:200]})")
                    continue
                if cid is None or not payloads:
                    if payloads or not isinstance(args, list) or len(args) != 2:
                        errors.append(f"no contract id (arguments {str(args)[:200]})")
                    continue
                pairs = [(cid, p) for p in payloads]
            for cid, payload in pairs:
                if None in payload.values():        # a null is no value
                    payload = {k: v for k, v in payload.items() if v is not None}
                pending = quotes.get(cid)
                if pending is None:
                    quotes[cid] = dict(payload)
                else:
                    merged += 1
                    pending.update(payload)
                self.quotes_in += 1
        self.quotes_merged += merged
        return errors

    def __len__(self) -> int:
        return len(self._events) + len(self._quotes)

    def drain_events(self) -> list:
        """The events waiting, in arrival order; the pending quotes stay (market's quote pace)."""
        events = list(self._events)
        self._events.clear()
        return events

    def drain(self) -> tuple[list, dict[str, dict]]:
        """Everything waiting: (events in arrival order, {contract: merged quote fields})."""
        events, quotes = list(self._events), self._quotes
        self._events.clear()
        self._quotes = {}
        return events, quotes
