"""The hand-over from the hub and REST threads to the worker loop.

Threads call put(); the loop polls `reader` (a zmq inproc PAIR) and calls
drain(). Quotes are conflated on the way in (services/market/conflate.py);
everything else is kept in order. The wake byte is sent only when the inbox
goes from empty to non-empty, so a quote storm costs one wake per drain.
"""
from __future__ import annotations

import itertools
import logging
import threading
from typing import Any

import zmq

from services.market.conflate import Conflator
from shared.bus.sockets import make_socket
from shared.projectx.realtime import EV_QUOTE, HubEvent, market_payloads

log = logging.getLogger(__name__)
_ids = itertools.count(1)


class Inbox:
    def __init__(self, ctx: zmq.Context):
        address = f"inproc://market-inbox-{id(self)}-{next(_ids)}"
        self.reader = make_socket(ctx, zmq.PAIR, bind=address)
        self._writer = make_socket(ctx, zmq.PAIR, connect=address)
        self._lock = threading.Lock()
        self._conflator = Conflator()
        self.closed = False

    def put(self, item: Any) -> None:
        """Thread-safe. A GatewayQuote is merged into its contract's pending quote."""
        if isinstance(item, HubEvent) and item.name == EV_QUOTE:
            try:
                contract_id, payloads = market_payloads(item.args)
            except ValueError:
                contract_id, payloads = None, []
            if contract_id is not None and payloads:
                with self._lock:
                    wake = len(self._conflator) == 0
                    for payload in payloads:
                        self._conflator.add_quote(contract_id, payload)
                    self._wake(wake)
                return
        with self._lock:
            wake = len(self._conflator) == 0
            self._conflator.add_event(item)
            self._wake(wake)

    def _wake(self, wake: bool) -> None:   # called with the lock held
        if wake and not self.closed:
            try:
                self._writer.send(b"", zmq.NOBLOCK)
            except zmq.ZMQError:
                pass     # the loop is behind on wakes; it will drain anyway

    def drain(self) -> tuple[list, dict[str, dict]]:
        """Loop side: swallow the wake bytes, return (events in order, conflated quotes)."""
        while True:
            try:
                self.reader.recv(zmq.NOBLOCK)
            except zmq.Again:
                break
        with self._lock:
            return self._conflator.drain()

    @property
    def stats(self) -> tuple[int, int]:
        with self._lock:
            return self._conflator.quotes_in, self._conflator.quotes_merged

    def close(self) -> None:
        with self._lock:
            self.closed = True
            self._writer.close(0)
            self.reader.close(0)
