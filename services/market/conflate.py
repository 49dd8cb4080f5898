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

    def __len__(self) -> int:
        return len(self._events) + len(self._quotes)

    def drain(self) -> tuple[list, dict[str, dict]]:
        """Everything waiting: (events in arrival order, {contract: merged quote fields})."""
        events, quotes = list(self._events), self._quotes
        self._events.clear()
        self._quotes = {}
        return events, quotes
