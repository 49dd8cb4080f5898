"""A subscriber that decodes frames, counts bad ones, drops what another riskd on this machine
published (shared/bus/foreign.py) and the copies a publisher sends again to late subscribers
(shared/bus/publisher.py), and tells its owner about gaps and new epochs."""
from __future__ import annotations

import logging
from typing import Optional

import attrs
import zmq

from shared import codec, instanceid, topics
from shared.bus.foreign import FOREIGN, Foreign
from shared.bus.publisher import COPY_MARK, KEEP_MAX

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
    """Per-publisher (epoch, last seq): pure bookkeeping behind gap detection. It also keeps
    where the publisher's unbroken run read so far began (first contact, a new epoch, the
    message after a gap): a snapshot taken inside that run missed nothing (synced)."""

    def __init__(self) -> None:
        self._last: dict[str, tuple[int, int]] = {}
        self._since: dict[str, int] = {}     # the first seq of the unbroken run up to _last

    def observe(self, env: codec.Envelope) -> Optional[Continuity]:
        prev = self._last.get(env.publisher)
        self._last[env.publisher] = (env.epoch, env.seq)
        if prev is None:
            self._since[env.publisher] = env.seq
            return Continuity("first", env.publisher, 0, env.seq)
        epoch, seq = prev
        if env.epoch != epoch:
            self._since[env.publisher] = env.seq
            return Continuity("epoch", env.publisher, 1, env.seq)
        if env.seq != seq + 1:
            if env.seq <= seq:   # a duplicate or a replay: keep the higher mark
                self._last[env.publisher] = prev
            else:
                self._since[env.publisher] = env.seq
            return Continuity("gap", env.publisher, seq + 1, env.seq)
        return None

    def reset(self, publisher: str, epoch: int, seq: int) -> None:
        """After a snapshot valid at (epoch, seq): the next expected is seq + 1."""
        self._last[publisher] = (epoch, seq)
        self._since[publisher] = seq + 1

    def synced(self, publisher: str, epoch: int, seq: int) -> bool:
        """A snapshot valid at (epoch, seq) was taken: False when a message after it is lost.
        What was read after seq already (read while the answer was on its way: the caller
        buffered it to replay) still counts, the next expected follows it: set back to seq,
        the next message read as a gap (a needless re-sync at 8 of 20 starts, round 17). If
        the reading is behind seq, the messages up to seq are in the snapshot: the mark moves
        to seq, and they come as older than the mark (a Continuity 'gap' whose got is below
        its expected), for the caller to drop. Read from another epoch: as reset()."""
        last = self._last.get(publisher)
        if last is None or last[0] != epoch or last[1] <= seq:
            self.reset(publisher, epoch, seq)
            return True
        return self._since.get(publisher, seq + 1) <= seq + 1

    def position(self, publisher: str) -> Optional[tuple[int, int]]:
        return self._last.get(publisher)


class Copies:
    """Which kept-topic messages (shared.topics.KEPT) of each publisher's epoch were taken, so
    a copy of one, sent again to late subscribers (its topic ends in COPY_MARK), is taken
    once, and only by a subscriber that did not have it. A publisher sends again at most the
    last KEEP_MAX it published on those topics; a subscriber took each of them at most once,
    after the ones before: remembering the last `keep` (>= KEEP_MAX) taken is enough.
    remember() loads what a previous run of the same subscriber took (notify keeps it on disk:
    its restart must not alert twice what the run before it alerted)."""

    def __init__(self, keep: int = 2 * KEEP_MAX) -> None:
        self.keep = keep
        self._seen: dict[str, tuple[int, dict[int, None]]] = {}    # insertion order: oldest
        self.dropped = 0

    def take(self, topic: str, env: codec.Envelope) -> Optional[tuple[str, bool]]:
        """(the topic, is it a copy) of a message to take; None for a copy of one taken."""
        if not topic.startswith(topics.KEPT):
            return topic, False
        copy = topic.endswith(COPY_MARK)
        if copy:
            topic = topic[:-len(COPY_MARK)]
        seen = self._epoch(env.publisher, env.epoch)
        if copy and env.seq in seen:
            self.dropped += 1
            return None
        self._add(seen, env.seq)
        return topic, copy

    def remember(self, publisher: str, epoch: int, seq: int) -> None:
        """A message of that publisher's epoch taken before (by a previous run)."""
        self._add(self._epoch(publisher, epoch), seq)

    def _epoch(self, publisher: str, epoch: int) -> dict[int, None]:
        known, seen = self._seen.get(publisher, (None, None))
        if known != epoch or seen is None:
            seen = {}
            self._seen[publisher] = (epoch, seen)
        return seen

    def _add(self, seen: dict[int, None], seq: int) -> None:
        seen[seq] = None
        if len(seen) > self.keep:
            del seen[next(iter(seen))]


class Subscriber:
    """Wraps a SUB socket; recv() never raises on a bad frame, it counts and logs it.
    `instance`: the riskd whose messages it takes (default: this process's, b"" without a
    supervisor: every sender's); another's are dropped and said by `foreign`."""

    def __init__(self, sock: zmq.Socket, track: bool = True, instance: bytes | None = None,
                 foreign: Foreign = FOREIGN):
        self.sock = sock
        self.track = track
        self.instance = instanceid.on_wire() if instance is None else instance
        self.foreign = foreign
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
            env = codec.decode(body, self.instance)
            topic = topic_b.decode("utf-8")
        except codec.ForeignFrame as frame:
            self.foreign.drop(frame, topic_b)     # before the stream's order: not our worker
            return None
        except (codec.DecodeError, UnicodeDecodeError) as exc:
            self._bad(frames, str(exc))
            return None
        taken = self.copies.take(topic, env)
        if taken is None:
            return None
        topic, copy = taken
        # a copy is out of the stream's order (sent again to a late subscriber): it neither
        # makes nor hides a gap
        continuity = self.tracker.observe(env) if self.track and not copy else None
        return Received(topic, env, continuity)

    def _bad(self, frames: list[bytes], why: str) -> None:
        self.bad_frames += 1
        topic = frames[0][:64].decode("utf-8", "replace") if frames else ""
        log.warning("bad frame on topic %r (%d bytes): %s", topic,
                    sum(len(f) for f in frames), why)
