"""A subscriber that decodes frames, counts bad ones, drops the copies a publisher sends again
to late subscribers (shared/bus/publisher.py) and tells its owner about gaps and new epochs."""
from __future__ import annotations

import logging
from typing import Optional

import attrs
import zmq

from shared import codec, topics
from shared.bus.publisher import KEEP_MAX

log = logging.getLogger(__name__)


@attrs.frozen
class Continuity:
    """What happened to a publisher's stream: 'first' contact, 'epoch' (it restarted) or 'gap'."""
    kind: str
    publisher: str
    expected: int
    got: int


@attrs.frozen
class Received:
    topic: str
    envelope: codec.Envelope
    continuity: Optional[Continuity] = None

    @property
    def msg(self):
        return self.envelope.msg


class StreamTracker:
    """Per-publisher (epoch, last seq): pure bookkeeping behind gap detection."""

    def __init__(self) -> None:
        self._last: dict[str, tuple[int, int]] = {}

    def observe(self, env: codec.Envelope) -> Optional[Continuity]:
        prev = self._last.get(env.publisher)
        self._last[env.publisher] = (env.epoch, env.seq)
        if prev is None:
            return Continuity("first", env.publisher, 0, env.seq)
        epoch, seq = prev
        if env.epoch != epoch:
            return Continuity("epoch", env.publisher, 1, env.seq)
        if env.seq != seq + 1:
            if env.seq <= seq:   # a duplicate or a replay: keep the higher mark
                self._last[env.publisher] = prev
            return Continuity("gap", env.publisher, seq + 1, env.seq)
        return None

    def reset(self, publisher: str, epoch: int, seq: int) -> None:
        """After a snapshot valid at (epoch, seq): the next expected is seq + 1."""
        self._last[publisher] = (epoch, seq)

    def position(self, publisher: str) -> Optional[tuple[int, int]]:
        return self._last.get(publisher)


class Copies:
    """The kept-topic messages (shared.topics.KEPT) seen of each publisher's epoch, so a copy
    of one, sent again to a late subscriber, is taken once. A publisher sends again only the
    first KEEP_MAX it publishes on them, and they reach a subscriber before any later one on
    them (a copy comes later, but is one of those): remembering the first KEEP_MAX seen is
    enough, and no more is remembered."""

    def __init__(self, keep: int = KEEP_MAX) -> None:
        self.keep = keep
        self._seen: dict[str, tuple[int, set[int]]] = {}
        self.dropped = 0

    def first(self, topic: str, env: codec.Envelope) -> bool:
        """False for a second copy of a kept-topic message (seen already)."""
        if not topic.startswith(topics.KEPT):
            return True
        epoch, seen = self._seen.get(env.publisher, (None, None))
        if epoch != env.epoch or seen is None:
            seen = set()
            self._seen[env.publisher] = (env.epoch, seen)
        elif env.seq in seen:
            self.dropped += 1
            return False
        if len(seen) < self.keep:
            seen.add(env.seq)
        return True


class Subscriber:
    """Wraps a SUB socket; recv() never raises on a bad frame, it counts and logs it."""

    def __init__(self, sock: zmq.Socket, track: bool = True):
        self.sock = sock
        self.track = track
        self.tracker = StreamTracker()
        self.copies = Copies()
        self.bad_frames = 0

    def subscribe(self, prefix: str = "") -> None:
        self.sock.setsockopt(zmq.SUBSCRIBE, prefix.encode())

    def recv(self, flags: int = zmq.NOBLOCK) -> Optional[Received]:
        """One message, or None when nothing is waiting or the frame was bad."""
        try:
            frames = self.sock.recv_multipart(flags)
        except zmq.Again:
            return None
        return self.decode(frames)

    def decode(self, frames: list[bytes]) -> Optional[Received]:
        if len(frames) != 2:
            self._bad(frames, f"{len(frames)} frames, expected 2")
            return None
        topic_b, body = frames
        try:
            env = codec.decode(body)
            topic = topic_b.decode("utf-8")
        except (codec.DecodeError, UnicodeDecodeError) as exc:
            self._bad(frames, str(exc))
            return None
        if not self.copies.first(topic, env):
            return None
        continuity = self.tracker.observe(env) if self.track and not self._late(topic, env) \
            else None
        return Received(topic, env, continuity)

    def _late(self, topic: str, env: codec.Envelope) -> bool:
        """A kept-topic message sent again to this late subscriber, after later ones: nothing
        was missed (the first copy never reached it), so no gap is said."""
        position = self.tracker.position(env.publisher)
        return (position is not None and position[0] == env.epoch and env.seq <= position[1]
                and topic.startswith(topics.KEPT))

    def _bad(self, frames: list[bytes], why: str) -> None:
        self.bad_frames += 1
        topic = frames[0][:64].decode("utf-8", "replace") if frames else ""
        log.warning("bad frame on topic %r (%d bytes): %s", topic,
                    sum(len(f) for f in frames), why)
