"""A publisher that stamps every message with its name, epoch, sequence number and UTC time;
on an XPUB socket it also reports the subscriptions that reach it, and sends what it published
in the last seconds again to a subscription that arrives late (below)."""
from __future__ import annotations

import collections
import logging
import os

import zmq

from shared import codec, instanceid
from shared.clock import SYSTEM_CLOCK, Clock
from shared.plural import plural

log = logging.getLogger(__name__)

# A PUB drops what no subscription matches yet. Two moments made that lose alerts (guarantee 7):
# a process that starts binds its PUB anew, and the subscribers of the one before reconnect
# only after their reconnect interval (a breach risk decides the moment it starts never
# reached notify: the slow joiner); and a subscriber that restarts (notify killed) misses
# what was published until it subscribes again. So a publisher keeps the messages of the kept
# topics (shared.topics.KEPT: what an alert is made of) it published in the last KEEP_FOR_S
# seconds, at most the last KEEP_MAX of them, and sends them again to each subscription that
# arrives, the same body on the same topic marked as a copy (COPY_MARK appended: every prefix
# the topic matches, it still matches). Subscribers drop a copy they have already (notify
# remembers what it took across its own restarts: services/notify/outbox.py), and a copy is no
# part of the stream's order: it makes no gap (shared.bus.subscriber.Copies).
KEEP_FOR_S = 10.0
KEEP_MAX = 1000
COPY_MARK = "\x00copy"
_COPY_MARK = COPY_MARK.encode()


class Publisher:
    """Numbers every message it sends; a new process is a new epoch (its start time in ns).
    Every frame carries its riskd's instance id (`instance`, default this process's; b"": none),
    so a subscriber of another riskd drops it (shared/bus/foreign.py). With `keep` (topic prefixes; an XPUB socket) it keeps what it sent on them in the last
    seconds, for late subscribers (see above): subscriptions() sends it again."""

    def __init__(self, sock: zmq.Socket, name: str, clock: Clock = SYSTEM_CLOCK,
                 epoch: int | None = None, keep: tuple[str, ...] = (),
                 instance: bytes | None = None):
        self.sock = sock
        self.name = name
        self.instance = instanceid.on_wire() if instance is None else instance
        self.clock = clock
        self.epoch = epoch if epoch is not None else clock.now_ns() ^ (os.getpid() << 1)
        self.seq = 0
        self.keep = tuple(keep)
        # (sent at, monotonic s; topic; frames), oldest first
        self._kept: collections.deque = collections.deque()
        self._full = False          # said that the oldest were let go before their time
        # the topic prefixes somebody subscribes to now (an XPUB: a subscription arrives as
        # b"\x01prefix" for each subscriber, b"\x00prefix" when the last one of it left or
        # its connection ended), read by subscriptions(): what nobody reads need not be made
        self.subscribed: set[str] = set()

    def publish(self, topic: str, msg) -> int:
        self.seq += 1
        frames = (topic.encode(), codec.encode(msg, self.name, self.epoch, self.seq,
                                               self.clock.now_ns(), self.instance))
        self.sock.send_multipart(frames, copy=False)
        if self.keep and topic.startswith(self.keep):
            self._keep(topic, frames)
        return self.seq

    def frames(self, topic: str, msg) -> tuple[bytes, bytes]:
        """Number and encode without sending (for callers that batch; never kept)."""
        self.seq += 1
        return topic.encode(), codec.encode(msg, self.name, self.epoch, self.seq,
                                            self.clock.now_ns(), self.instance)

    def subscriptions(self) -> list[str]:
        """The topic prefixes subscribed since the last call (an XPUB socket; unsubscriptions
        only update `subscribed`). ZeroMQ has applied each one before it is handed over:
        a message sent after this call reaches that subscriber, and what was kept for late
        subscribers is sent again to it before this call returns."""
        out = []
        while True:
            try:
                frame = self.sock.recv(zmq.NOBLOCK)
            except zmq.Again:
                break
            prefix = frame[1:].decode("utf-8", "replace")
            if frame[:1] == b"\x01":
                out.append(prefix)
                self.subscribed.add(prefix)
            elif frame[:1] == b"\x00":
                self.subscribed.discard(prefix)
        if out and not self.expire():
            self._send_again(tuple(out))
        return out

    def read_by(self, topic_prefix: str) -> list[str]:
        """The prefixes subscribed now under which some topic starting with `topic_prefix`
        would be delivered ("" and "status" for "status.", as well as "status.1001")."""
        return [p for p in self.subscribed
                if topic_prefix.startswith(p) or p.startswith(topic_prefix)]

    # -- kept for late subscribers ---------------------------------------------------------
    def _keep(self, topic: str, frames) -> None:
        self.expire()
        self._kept.append((self.clock.monotonic(), topic, frames))
        if len(self._kept) > KEEP_MAX:
            self._kept.popleft()
            if not self._full:
                self._full = True
                log.warning("%s: more than %d messages to keep in %g s: the oldest are not "
                            "sent again to a late subscriber", self.name, KEEP_MAX, KEEP_FOR_S)
        elif self._full and len(self._kept) < KEEP_MAX // 2:
            self._full = False

    def _send_again(self, prefixes: tuple[str, ...]) -> None:
        sent = 0
        for _at, topic, frames in self._kept:
            if topic.startswith(prefixes):
                self.sock.send_multipart((frames[0] + _COPY_MARK, frames[1]), copy=False)
                sent += 1
        if sent:
            log.debug("%s: %s sent again to a late subscription of %s",
                      self.name, plural(sent, "kept message"), ", ".join(repr(p) for p in prefixes))

    def expire(self) -> bool:
        """Let go of what was kept longer than KEEP_FOR_S; True when nothing is kept."""
        until = self.clock.monotonic() - KEEP_FOR_S
        while self._kept and self._kept[0][0] <= until:
            self._kept.popleft()
        return not self._kept
