"""A publisher that stamps every message with its name, epoch, sequence number and UTC time;
on an XPUB socket it also reports the subscriptions that reach it, and sends what it published
in its first seconds again to a subscription that arrives late (the slow joiner, below)."""
from __future__ import annotations

import logging
import os
from collections import Counter

import zmq

from shared import codec
from shared.clock import SYSTEM_CLOCK, Clock

log = logging.getLogger(__name__)

# A process that starts binds its PUB anew; the subscribers of the one before reconnect only
# after their reconnect interval (ZeroMQ's 100 ms), and a PUB drops what no subscription
# matches yet: a breach risk decides the moment it starts never reached notify (the slow
# joiner). So a publisher keeps the messages of the kept topics (shared.topics.KEPT: what an
# alert is made of) it publishes in its first KEEP_FOR_S seconds, at most KEEP_MAX of them, and
# sends them again to each subscription that arrives meanwhile, the same body on the same topic
# marked as a copy (COPY_MARK appended: every prefix the topic matches, it still matches).
# Subscribers drop a copy they have already, and a copy is no part of the stream's order: it
# makes no gap (shared.bus.subscriber.Copies). After the window nothing is
# kept, so a topic nobody subscribes to grows nothing, and a late subscriber of a running
# publisher (a restarted notify) is not sent what the one before it had.
KEEP_FOR_S = 3.0
KEEP_MAX = 1000
COPY_MARK = "\x00copy"
_COPY_MARK = COPY_MARK.encode()


class Publisher:
    """Numbers every message it sends; a new process is a new epoch (its start time in ns).
    With `keep` (topic prefixes; an XPUB socket) it keeps what it sends on them at first, for
    late subscribers (see above): subscriptions() sends it again."""

    def __init__(self, sock: zmq.Socket, name: str, clock: Clock = SYSTEM_CLOCK,
                 epoch: int | None = None, keep: tuple[str, ...] = ()):
        self.sock = sock
        self.name = name
        self.clock = clock
        self.epoch = epoch if epoch is not None else clock.now_ns() ^ (os.getpid() << 1)
        self.seq = 0
        self.keep = tuple(keep)
        # (topic, frames, sent again to a subscription of it): None once the window is over
        self._kept: list[list] | None = [] if self.keep else None
        self._keep_until = clock.monotonic() + KEEP_FOR_S
        self._joined: tuple[str, ...] = ()      # the prefixes subscribed in the window
        self._full = False

    def publish(self, topic: str, msg) -> int:
        self.seq += 1
        frames = (topic.encode(), codec.encode(msg, self.name, self.epoch, self.seq,
                                               self.clock.now_ns()))
        self.sock.send_multipart(frames, copy=False)
        if self._kept is not None and topic.startswith(self.keep):
            self._keep(topic, frames)
        return self.seq

    def frames(self, topic: str, msg) -> tuple[bytes, bytes]:
        """Number and encode without sending (for callers that batch; never kept)."""
        self.seq += 1
        return topic.encode(), codec.encode(msg, self.name, self.epoch, self.seq,
                                            self.clock.now_ns())

    def subscriptions(self) -> list[str]:
        """The topic prefixes subscribed since the last call (an XPUB socket; unsubscriptions
        and anything else are skipped). ZeroMQ has applied each one before it is handed over:
        a message sent after this call reaches that subscriber, and what was kept for late
        subscribers is sent again to it before this call returns."""
        out = []
        while True:
            try:
                frame = self.sock.recv(zmq.NOBLOCK)
            except zmq.Again:
                break
            if frame[:1] == b"\x01":
                out.append(frame[1:].decode("utf-8", "replace"))
        if out and self._kept is not None and not self.expire():
            self._joined += tuple(p for p in out if p not in self._joined)
            self._send_again(tuple(out))
        return out

    # -- kept for late subscribers ---------------------------------------------------------
    def _keep(self, topic: str, frames) -> None:
        if self.expire():
            return
        if len(self._kept) >= KEEP_MAX:
            if not self._full:
                self._full = True
                log.warning("%s: more than %d messages to keep in its first %g s: the later "
                            "ones are not sent again to a late subscriber", self.name,
                            KEEP_MAX, KEEP_FOR_S)
            return
        self._kept.append([topic, frames, topic.startswith(self._joined)])

    def _send_again(self, prefixes: tuple[str, ...]) -> None:
        sent = 0
        for entry in self._kept:
            topic, frames, _ = entry
            if topic.startswith(prefixes):
                entry[2] = True
                self.sock.send_multipart((frames[0] + _COPY_MARK, frames[1]), copy=False)
                sent += 1
        if sent:
            log.debug("%s: %d kept message(s) sent again to a late subscription of %s",
                      self.name, sent, ", ".join(repr(p) for p in prefixes))

    def expire(self) -> bool:
        """Close the window once its time is over (the owner calls it then too: Worker);
        True when nothing is kept any more."""
        if self._kept is None:
            return True
        if self.clock.monotonic() < self._keep_until:
            return False
        kept, self._kept = self._kept, None
        unseen = Counter(topic for topic, _frames, seen in kept if not seen)
        if unseen:        # said, never dropped silently
            log.info("%s: %d message(s) published at its start reached no subscription that "
                     "arrived in its first %g s (%s): no subscriber had their topics",
                     self.name, sum(unseen.values()), KEEP_FOR_S,
                     ", ".join(f"{t} x{n}" for t, n in sorted(unseen.items())))
        return True
