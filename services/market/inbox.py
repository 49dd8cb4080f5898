"""The hand-over from the hub and REST threads to the worker loop.

Threads call put() (the market hub's quote short cut: put_quotes(), a frame's quotes at a
time); the loop polls `reader` (a doorbell, shared/bus/doorbell.py) and calls drain(). Quotes
are conflated on the way in (services/market/conflate.py); everything else is kept in order.
One wake travels per drain however many items arrive meanwhile, so a quote storm costs one
wake per drain. While the loop holds the quotes (hold_quotes(): market publishes them at a
pace, services/market/app.py) a quote rings no wake at all; an event always does, and a drain
that leaves the quotes (drain(quotes=False)) takes the events without them.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

import zmq

from services.market.conflate import Conflator
from shared.bus.doorbell import Doorbell
from shared.projectx.realtime import EV_QUOTE, HubEvent, market_payloads

log = logging.getLogger(__name__)


class Inbox:
    def __init__(self, ctx: zmq.Context):
        self._bell = Doorbell(ctx, "market-inbox")
        self.reader = self._bell.reader
        self._lock = threading.Lock()
        self._conflator = Conflator()
        self._held = False          # quotes ring no wake: the loop takes them on its timer

    def put(self, item: Any) -> None:
        """Thread-safe. A GatewayQuote is merged into its contract's pending quote."""
        if isinstance(item, HubEvent) and item.name == EV_QUOTE:
            try:
                contract_id, payloads = market_payloads(item.args)
            except ValueError:
                contract_id, payloads = None, []
            if contract_id is not None and payloads:
                with self._lock:
                    for payload in payloads:
                        self._conflator.add_quote(contract_id, payload)
                    held = self._held
                if not held:
                    self._bell.ring()
                return
        with self._lock:
            self._conflator.add_event(item)
        self._bell.ring()

    def put_quotes(self, batch: list) -> None:
        """Thread-safe: the `arguments` of a frame's GatewayQuote records (the market hub's
        short cut), merged under one lock with one wake. A record that cannot be read is
        logged and dropped; the others are kept."""
        with self._lock:
            errors = self._conflator.add_quotes(batch)
            held = self._held
        if not held:
            self._bell.ring()
        for error in errors:
            log.warning("market: dropped an unreadable GatewayQuote record: %s", error)

    def drain(self, quotes: bool = True) -> tuple[list, dict[str, dict]]:
        """Loop side: swallow the wakes, return (events in order, conflated quotes). With
        quotes=False the quotes stay pending (returned as {}); with quotes=True the hold ends."""
        self._bell.clear()
        with self._lock:
            if not quotes:
                return self._conflator.drain_events(), {}
            self._held = False
            return self._conflator.drain()

    def hold_quotes(self) -> None:
        """Loop side: from now until the next drain(quotes=True), a quote wakes nobody (it is
        merged into its contract's pending quote); events still ring at once."""
        with self._lock:
            self._held = True

    @property
    def stats(self) -> tuple[int, int]:
        with self._lock:
            return self._conflator.quotes_in, self._conflator.quotes_merged

    @property
    def closed(self) -> bool:
        return self._bell.closed

    def close(self) -> None:
        self._bell.close()
