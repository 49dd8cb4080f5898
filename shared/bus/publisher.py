"""A publisher that stamps every message with its name, epoch, sequence number and UTC time;
on an XPUB socket it also reports the subscriptions that reach it."""
from __future__ import annotations

import os

import zmq

from shared import codec
from shared.clock import SYSTEM_CLOCK, Clock


class Publisher:
    """Numbers every message it sends; a new process is a new epoch (its start time in ns)."""

    def __init__(self, sock: zmq.Socket, name: str, clock: Clock = SYSTEM_CLOCK,
                 epoch: int | None = None):
        self.sock = sock
        self.name = name
        self.clock = clock
        self.epoch = epoch if epoch is not None else clock.now_ns() ^ (os.getpid() << 1)
        self.seq = 0

    def publish(self, topic: str, msg) -> int:
        self.seq += 1
        body = codec.encode(msg, self.name, self.epoch, self.seq, self.clock.now_ns())
        self.sock.send_multipart((topic.encode(), body), copy=False)
        return self.seq

    def frames(self, topic: str, msg) -> tuple[bytes, bytes]:
        """Number and encode without sending (for callers that batch)."""
        self.seq += 1
        return topic.encode(), codec.encode(msg, self.name, self.epoch, self.seq,
                                            self.clock.now_ns())

    def subscriptions(self) -> list[str]:
        """The topic prefixes subscribed since the last call (an XPUB socket; unsubscriptions
        and anything else are skipped). ZeroMQ has applied each one before it is handed over:
        a message sent after this call reaches that subscriber."""
        out = []
        while True:
            try:
                frame = self.sock.recv(zmq.NOBLOCK)
            except zmq.Again:
                return out
            if frame[:1] == b"\x01":
                out.append(frame[1:].decode("utf-8", "replace"))
