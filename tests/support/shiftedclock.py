"""A clock that runs at the real pace from a set day and hour: for tests whose worker runs on
wall time (sockets, sleeps) yet whose answers name the next roll or a weekday, so they do not
depend on the hour they run (CI after 17:00 CT read "Tue 17:00 CST" where a test expected
"Mon 17:00 CST")."""
from __future__ import annotations

import datetime as dt
import time

from shared.clock import to_ns


class ShiftedClock:
    """now_ns: the system clock moved so that it read `start` when made; monotonic: the
    system's."""

    def __init__(self, start: dt.datetime):
        self._offset = to_ns(start) - time.time_ns()

    def now_ns(self) -> int:
        return time.time_ns() + self._offset

    def monotonic(self) -> float:
        return time.monotonic()
