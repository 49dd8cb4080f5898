"""Clocks: the one source of 'now' for every component, injectable for tests.

Wall time is UTC integer nanoseconds (what goes on the wire) or an aware
datetime; monotonic time is float seconds for deadlines and intervals.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Protocol

UTC = dt.timezone.utc
NS_PER_S = 1_000_000_000


class Clock(Protocol):
    def now_ns(self) -> int: ...
    def monotonic(self) -> float: ...


class SystemClock:
    """The real clock."""

    def now_ns(self) -> int:
        return time.time_ns()

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock:
    """A clock that moves only when told to; monotonic follows wall time."""

    def __init__(self, start: dt.datetime | int = 1_700_000_000 * NS_PER_S):
        self._lock = threading.Lock()
        self._ns = to_ns(start) if isinstance(start, dt.datetime) else int(start)
        self._mono0 = self._ns

    def now_ns(self) -> int:
        with self._lock:
            return self._ns

    def monotonic(self) -> float:
        with self._lock:
            return (self._ns - self._mono0) / NS_PER_S

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock does not go backwards")
        with self._lock:
            self._ns += int(round(seconds * NS_PER_S))

    def set(self, when: dt.datetime | int) -> None:
        ns = to_ns(when) if isinstance(when, dt.datetime) else int(when)
        with self._lock:
            if ns < self._ns:
                raise ValueError("a clock does not go backwards")
            self._ns = ns


def to_ns(when: dt.datetime) -> int:
    """Aware datetime -> UTC integer nanoseconds (naive datetimes are refused)."""
    if when.tzinfo is None:
        raise ValueError(f"naive datetime {when!r}: every time in riskd carries a zone")
    delta = when - dt.datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * NS_PER_S + delta.microseconds * 1_000


def from_ns(ns: int, tz: dt.tzinfo = UTC) -> dt.datetime:
    """UTC integer nanoseconds -> aware datetime (microsecond precision)."""
    seconds, rest = divmod(int(ns), NS_PER_S)
    return dt.datetime.fromtimestamp(seconds, tz) + dt.timedelta(microseconds=rest // 1_000)


def now(clock: Clock, tz: dt.tzinfo = UTC) -> dt.datetime:
    return from_ns(clock.now_ns(), tz)


def parse_iso_ns(text: str) -> int:
    """Parse a broker ISO 8601 timestamp (up to 9 fractional digits, Z or offset) to ns.

    Python's fromisoformat keeps only microseconds; the digits past them are
    kept here so ordering of close events is not lost.
    """
    if not isinstance(text, str) or not text:
        raise ValueError(f"expected an ISO 8601 timestamp, got {text!r}")
    s = text.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    frac_ns = 0
    dot = s.find(".")
    if dot != -1:
        end = dot + 1
        while end < len(s) and s[end].isdigit():
            end += 1
        digits = s[dot + 1:end]
        if not digits:
            raise ValueError(f"expected an ISO 8601 timestamp, got {text!r}")
        frac_ns = int((digits + "000000000")[:9])
        s = s[:dot] + s[end:]
    try:
        base = dt.datetime.fromisoformat(s)
    except ValueError:
        raise ValueError(f"expected an ISO 8601 timestamp, got {text!r}") from None
    if base.tzinfo is None:
        base = base.replace(tzinfo=UTC)
    return to_ns(base) + frac_ns


SYSTEM_CLOCK = SystemClock()
