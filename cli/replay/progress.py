"""A one-line progress bar on stderr: what is being fetched, how far, how long is left.

At a terminal the line is redrawn in place; elsewhere (a pipe, a log) nothing is drawn until
the end, so scripted output stays clean. The estimate is the larger of the pace so far and
what the broker's bar limit still allows (`waiting(remaining)` gives that bound).
"""
from __future__ import annotations

import sys
import time
from typing import Callable, Optional, TextIO

WIDTH = 24


class Progress:
    def __init__(self, stream: Optional[TextIO] = sys.stderr, clock=time.monotonic):
        self.stream = stream if stream is not None and _tty(stream) else None
        self.clock = clock
        self.total = 0
        self.done = 0
        self.started = clock()
        self.fetched = 0

    def add(self, n: int, _what: str = "") -> None:
        self.total += n

    def step(self, label: str, waiting: Optional[Callable[[int], float]] = None) -> None:
        self.done += 1
        if not label.endswith("(cached)"):
            self.fetched += 1
        if self.stream is None:
            return
        remaining = max(0, self.total - self.done)
        elapsed = self.clock() - self.started
        eta = elapsed / self.done * remaining if self.done else 0.0
        if waiting is not None:
            eta = max(eta, waiting(remaining))
        filled = int(WIDTH * self.done / max(1, self.total))
        line = (f"\r[{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{self.total} "
                f"{label[:48]:<48} ~{int(eta) // 60}:{int(eta) % 60:02d} left")
        self.stream.write(line)
        self.stream.flush()

    def finish(self) -> None:
        if self.stream is not None and self.total:
            self.stream.write("\r" + " " * (WIDTH + 80) + "\r")
            self.stream.flush()


def _tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
