"""The trading-day calendar of `riskctl watch`, kept to the config file as it is now.

The watch read `[trading_day]` once at its start: one left open while riskd was stopped, its
roll changed and riskd started again counted down to the old roll ("roll in 2h52m47s" where
`riskctl status`, which reads the file at each run, said "roll in 6m32s": fresh-user trial24a
F3). FileCalendar reads the file again when it changes (its size, time or inode; looked at
once a second at most) and answers as the calendar read then, so the header's countdown, the
trading day and today's actions follow the file every riskd process reads
(docs/operations.md, Moving the trading-day roll).
"""
from __future__ import annotations

import os
import time
from typing import Any, Callable, Optional

from cli.watch.source import read_tables

CHECK_S = 1.0        # seconds between looks at the file


def _signature(path: str) -> Optional[tuple]:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


class FileCalendar:
    """A TradingCalendar (its every method and attribute: the one read last) that reads the
    config file's [trading_day] again once the file changed."""

    def __init__(self, config_path: str, monotonic: Callable[[], float] = time.monotonic):
        self._path, self._monotonic = config_path, monotonic
        self._seen = _signature(config_path)
        self._calendar: Any = read_tables(config_path)[1]
        self._next = monotonic() + CHECK_S

    def current(self):
        """The calendar of the file as it is now (read again when it changed)."""
        now = self._monotonic()
        if now >= self._next:
            self._next = now + CHECK_S
            seen = _signature(self._path)
            if seen != self._seen:
                self._seen = seen
                self._calendar = read_tables(self._path)[1]
        return self._calendar

    def __getattr__(self, name: str):
        if name.startswith("_"):          # never its own fields (a half-built one)
            raise AttributeError(name)
        return getattr(self.current(), name)
