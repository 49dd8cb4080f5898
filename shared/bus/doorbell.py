"""Waking a worker's poll loop from other threads, without a polling timer.

Any thread calls ring() after handing something over (a queue, a deque); the loop polls
`reader` and, when it is readable, calls clear() and THEN takes what was handed over. One byte
travels per wake however often ring() is called before the loop gets to it. An item handed over
before clear() is taken by that same turn; one handed over after it rings again.
"""
from __future__ import annotations

import itertools
import threading

import zmq

from shared.bus.sockets import make_socket

_ids = itertools.count(1)


class Doorbell:
    def __init__(self, ctx: zmq.Context, name: str = "doorbell"):
        address = f"inproc://{name}-{id(self)}-{next(_ids)}"
        self.reader = make_socket(ctx, zmq.PAIR, bind=address)
        self._writer = make_socket(ctx, zmq.PAIR, connect=address)
        self._lock = threading.Lock()       # zmq sockets are not thread-safe: one writer
        self._rung = False
        self.closed = False

    def ring(self) -> None:
        """Thread-safe: wake the loop unless a wake is already on its way."""
        with self._lock:
            if self._rung or self.closed:
                return
            self._rung = True
            try:
                self._writer.send(b"", zmq.NOBLOCK)
            except zmq.ZMQError:
                pass          # the loop is behind on wakes; it will look anyway

    def clear(self) -> None:
        """Loop side, before taking what was handed over: swallow the wake bytes."""
        with self._lock:       # one step against ring(): a byte it sends now is never swallowed
            if self._rung:     # with its _rung left set (that would silence every later ring)
                # ring() sends one byte per _rung: take it, without a second recv to learn
                # that nothing follows (zmq.Again is an exception: a few us per drain, and a
                # quote storm drains thousands of times a second)
                try:
                    self.reader.recv(zmq.NOBLOCK)
                except zmq.Again:
                    pass       # a full queue refused it; or, were it ever late, the reader
                               # stays readable and the next clear() takes it (below)
            else:              # woken without a ring of ours pending: swallow whatever is there
                while True:
                    try:
                        self.reader.recv(zmq.NOBLOCK)
                    except zmq.Again:
                        break
            self._rung = False

    def close(self) -> None:
        with self._lock:
            self.closed = True
            self._writer.close(0)
            self.reader.close(0)
