"""Append-only log files that rotate at a size and keep a bounded number of old files.

name -> name.1 -> name.2 ... -> name.<keep>; the oldest is deleted. Writes come
in batches (one write call per batch and file) so a flood costs few syscalls.
"""
from __future__ import annotations

import os


class RotatingFile:
    """One log file; write(lines) appends newline-terminated lines, rotating before a line
    that would take the file past max_bytes (a file always holds at least one line)."""

    def __init__(self, path: str, max_bytes: int, keep: int, fsync: bool = False):
        self.path, self.max_bytes, self.keep, self.fsync = path, max_bytes, keep, fsync
        self.rotations = 0
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        self._repair_tail()
        self._fh = open(path, "ab")
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
            if self.size + pending + len(data) > self.max_bytes and self.size + pending > 0:
                self._flush(chunk)
                chunk, pending = [], 0
                self.rotate()
            chunk.append(data)
            pending += len(data)
        self._flush(chunk)

    def _flush(self, chunk: list[bytes]) -> None:
        if not chunk:
            return
        data = b"".join(chunk)
        self._fh.write(data)
        self._fh.flush()
        if self.fsync:
            os.fsync(self._fh.fileno())
        self.size += len(data)

    def rotate(self) -> None:
        self._fh.close()
        oldest = f"{self.path}.{self.keep}"
        if os.path.exists(oldest):
            os.remove(oldest)
        for i in range(self.keep - 1, 0, -1):
            src = f"{self.path}.{i}"
            if os.path.exists(src):
                os.replace(src, f"{self.path}.{i + 1}")
        os.replace(self.path, f"{self.path}.1")
        self._fh = open(self.path, "ab")
        self.size = 0
        self.rotations += 1

    def close(self) -> None:
        self._fh.close()
