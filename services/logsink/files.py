"""Append-only log files that rotate at a size and keep a bounded number of old files.

name -> name.1 -> name.2 ... -> name.<keep>; the oldest is deleted. Writes come
in batches (one write call per batch and file) so a flood costs few syscalls.

A rotation can fail: on Windows a file another process holds open (riskctl
logs, an editor, an antivirus scan) cannot be renamed or deleted. Then the
file is reopened for appending and writing goes on past the size limit; the
rotation is tried again ROTATE_RETRY_S later. Lines are never dropped: if
even the reopen fails, they wait in memory for the next write.
"""
from __future__ import annotations

import logging
import os
import time
from typing import Callable, Optional

log = logging.getLogger(__name__)

ROTATE_RETRY_S = 5.0


class RotatingFile:
    """One log file; write(lines) appends newline-terminated lines, rotating before a line
    that would take the file past max_bytes (a file always holds at least one line)."""

    def __init__(self, path: str, max_bytes: int, keep: int, fsync: bool = False,
                 monotonic: Callable[[], float] = time.monotonic):
        self.path, self.max_bytes, self.keep, self.fsync = path, max_bytes, keep, fsync
        self.rotations = 0
        self.failed_rotations = 0
        self._monotonic = monotonic
        self._retry_at: Optional[float] = None
        self._unwritten: list[bytes] = []      # lines no handle could take yet (kept, not lost)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        self._repair_tail()
        self._fh: Optional[object] = open(path, "ab")
        self.size = self._fh.tell()

    def _repair_tail(self) -> None:
        """Drop a partial last line left by a crash mid-write (it was never a complete record)."""
        try:
            with open(self.path, "rb+") as fh:
                fh.seek(0, os.SEEK_END)
                size = fh.tell()
                if size == 0:
                    return
                pos = size
                while pos > 0:
                    step = min(65536, pos)
                    fh.seek(pos - step)
                    chunk = fh.read(step)
                    nl = chunk.rfind(b"\n")
                    if nl != -1:
                        end = pos - step + nl + 1
                        break
                    pos -= step
                else:
                    end = 0
                if end != size:
                    fh.truncate(end)
        except FileNotFoundError:
            pass

    def write(self, lines: list[str]) -> None:
        chunk: list[bytes] = []
        pending = 0
        for line in lines:
            data = line.encode("utf-8") + b"\n"
            if self.size + pending + len(data) > self.max_bytes and self.size + pending > 0 \
                    and self._may_rotate():
                self._flush(chunk)
                chunk, pending = [], 0
                self.rotate()
            chunk.append(data)
            pending += len(data)
        self._flush(chunk)

    def _may_rotate(self) -> bool:
        return self._retry_at is None or self._monotonic() >= self._retry_at

    def _flush(self, chunk: list[bytes]) -> None:
        if self._unwritten:
            chunk, self._unwritten = self._unwritten + chunk, []
        if not chunk:
            return
        data = b"".join(chunk)
        if self._fh is None:
            try:
                self._fh = open(self.path, "ab")
                self.size = self._fh.tell()
            except OSError as exc:
                self._unwritten = [data]
                log.error("cannot open %s (%s): %d bytes kept in memory until it can",
                          self.path, exc, len(data))
                return
        self._fh.write(data)
        self._fh.flush()
        if self.fsync:
            os.fsync(self._fh.fileno())
        self.size += len(data)

    def rotate(self) -> bool:
        """Shift the files by one; False (and writing goes on in the same file) if it failed."""
        if self._fh is not None:
            self._fh.close()          # Windows cannot rename a file this process holds open
            self._fh = None
        try:
            oldest = f"{self.path}.{self.keep}"
            if os.path.exists(oldest):
                os.remove(oldest)
            for i in range(self.keep - 1, 0, -1):
                src = f"{self.path}.{i}"
                if os.path.exists(src):
                    os.replace(src, f"{self.path}.{i + 1}")
            os.replace(self.path, f"{self.path}.1")
        except OSError as exc:
            self.failed_rotations += 1
            self._retry_at = self._monotonic() + ROTATE_RETRY_S
            if self.failed_rotations == 1 or self.failed_rotations % 100 == 0:
                log.warning("cannot rotate %s (%s; another program may hold it open): writing "
                            "on past %d bytes, trying again every %g s (%d failed so far)",
                            self.path, exc, self.max_bytes, ROTATE_RETRY_S,
                            self.failed_rotations)
            self._reopen()
            return False
        self._retry_at = None
        self._reopen()
        self.rotations += 1
        return True

    def _reopen(self) -> None:
        try:
            self._fh = open(self.path, "ab")
            self.size = self._fh.tell()
        except OSError as exc:        # the next write tries again; its lines wait in memory
            log.error("cannot reopen %s after a rotation: %s", self.path, exc)
            self._fh = None

    def close(self) -> None:
        if self._unwritten:
            self._flush([])
        if self._fh is not None:
            self._fh.close()
