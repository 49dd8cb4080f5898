"""The async snapshot request to market (the Clone pattern's first step), never blocking the loop.

One REQ socket at a time with a deadline; on silence it is closed and the request sent again,
SNAPSHOT_ATTEMPTS times, then risk waits SNAPSHOT_BACKOFF and starts over (every give-up is
logged with the peer's name). The reply goes to worker.on_snapshot(MarketSnapshot), only when
it comes from this riskd's market: another riskd's market on market's free port answers too,
and its answer is dropped and said once (shared/bus/foreign.py).
"""
from __future__ import annotations

import logging
from typing import Optional

import zmq

from shared import codec, instanceid
from shared.bus.foreign import FOREIGN
from shared.messages.market import MarketSnapshot, SnapshotRequest

log = logging.getLogger(__name__)

SNAPSHOT_TIMEOUT = 2.0     # s per attempt
SNAPSHOT_ATTEMPTS = 3      # then back off
SNAPSHOT_BACKOFF = 5.0     # s


class SnapshotAsk:
    """One outstanding async SnapshotRequest to market (Lazy Pirate without blocking)."""

    def __init__(self, worker, address: str):
        self.worker, self.address = worker, address
        self.sock: Optional[zmq.Socket] = None
        self.deadline = 0.0
        self.attempts = 0
        self.waiting = False
        self.resume_at = 0.0

    def send(self) -> None:
        self._close()
        self.sock = self.worker.ctx.socket(zmq.REQ)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(self.address)
        self.worker.add_reader(self.sock, self._readable)
        engine = getattr(self.worker, "engine", None)     # a broker read it wants afresh
        ask = SnapshotRequest(read_after_ns=engine.read_after() if engine is not None else 0)
        self.sock.send(codec.encode(ask, self.worker.name, 0, 0,
                                    self.worker.clock.now_ns()))
        self.attempts += 1
        self.waiting = True
        self.deadline = self.worker.clock.monotonic() + SNAPSHOT_TIMEOUT

    def check(self) -> None:
        now = self.worker.clock.monotonic()
        if not self.waiting:
            if self.resume_at and now >= self.resume_at:
                self.resume_at = 0.0
                self.attempts = 0
                self.send()
            return
        if now < self.deadline:
            return
        self._close()
        self.waiting = False
        if self.attempts < SNAPSHOT_ATTEMPTS:
            self.send()
        else:
            log.error("market did not answer the snapshot request within %g s (%d attempts); "
                      "asking again in %g s", SNAPSHOT_TIMEOUT, self.attempts, SNAPSHOT_BACKOFF)
            self.resume_at = now + SNAPSHOT_BACKOFF

    def _readable(self) -> None:
        try:
            frame = self.sock.recv(zmq.NOBLOCK)
        except zmq.Again:
            return
        self._close()
        self.waiting = False
        self.attempts = 0
        try:
            reply = codec.decode(frame, instanceid.on_wire()).msg
        except codec.ForeignFrame as foreign:
            # another riskd's market on this riskd's free port (shared/bus/foreign.py): its
            # accounts and positions are not ours to judge; ask again until ours answers
            FOREIGN.drop(foreign, answer_to=f"risk's snapshot request at {self.address}")
            self.resume_at = self.worker.clock.monotonic() + 1.0
            return
        except codec.DecodeError as exc:
            log.error("market sent an unreadable snapshot: %s", exc)
            self.resume_at = self.worker.clock.monotonic() + 1.0
            return
        if not getattr(reply, "ok", False) or not isinstance(reply.body, MarketSnapshot):
            log.error("market refused the snapshot: %s", getattr(reply, "reason", reply))
            self.resume_at = self.worker.clock.monotonic() + 1.0
            return
        self.worker.on_snapshot(reply.body)

    def _close(self) -> None:
        if self.sock is not None:
            self.worker.remove_reader(self.sock)
            self.sock.close(0)
            self.sock = None
