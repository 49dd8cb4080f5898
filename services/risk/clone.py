"""The Clone pattern on risk's side: snapshot, then only the updates newer than it.

Pure bookkeeping. While a snapshot is awaited, market's updates are buffered (bounded; on
overflow the buffer is dropped and a fresh snapshot is asked for once this one lands). When
the snapshot (valid at market's epoch and sequence number) arrives, the buffered updates of
the same epoch with a higher sequence number are replayed; older ones are already in it.
A gap or a new epoch while synced means: ask again; so does a message lost after the
snapshot's position among the ones buffered (the stream's marks: shared/bus/subscriber.py).

With risk shards market's stream is several numbered streams (shared/shards.py): each
buffered update keeps its stream's name, and the snapshot names the position of each
(`streams`); an update of a stream it does not name is compared with its main `seq`.
"""
from __future__ import annotations

from typing import Any, Optional

SYNCED, WAITING = "synced", "waiting"
MAX_BUFFER = 200_000


class Clone:
    def __init__(self, max_buffer: int = MAX_BUFFER):
        self.state = WAITING
        self.max_buffer = max_buffer
        self._buffer: list[tuple[str, int, int, Any]] = []
        self._overflowed = False
        self.resyncs = 0
        self.reason = "start"

    def lost(self, reason: str) -> bool:
        """Continuity broke (gap, new epoch): True when a snapshot request should go out now."""
        self.reason = reason
        if self.state == WAITING:
            return False
        self.state = WAITING
        self._buffer.clear()
        self.resyncs += 1
        return True

    def update(self, epoch: int, seq: int, msg: Any, stream: str = "") -> Optional[Any]:
        """An update from market: returns it when it can be applied now, else buffers it."""
        if self.state == SYNCED:
            return msg
        if len(self._buffer) >= self.max_buffer:
            self._buffer.clear()
            self._overflowed = True
        else:
            self._buffer.append((stream, epoch, seq, msg))
        return None

    def snapshot(self, epoch: int, seq: int, streams: Optional[dict[str, int]] = None,
                 whole: bool = True) -> tuple[list[Any], bool]:
        """The snapshot landed: (updates to replay after it, ask again?). whole=False: a
        message after the snapshot's position was lost (StreamTracker.synced): what was read
        is replayed, and another snapshot asked for, as after an overflow."""
        at = streams or {}
        replay = [m for st, e, s, m in self._buffer if e == epoch and s > at.get(st, seq)]
        self._buffer.clear()
        again = self._overflowed or not whole
        self._overflowed = False
        if not whole:
            self.reason = "gap"
            self.resyncs += 1
        self.state = WAITING if again else SYNCED
        return replay, again
