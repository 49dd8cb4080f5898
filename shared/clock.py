"""Clocks: the one source of 'now' for every component, injectable for tests.

Wall time is UTC integer nanoseconds (what goes on the wire) or an aware
datetime; monotonic time is float seconds for deadlines and intervals.
"""
from __future__ import annotations

import datetime as dt
import re
import threading
import time
from typing import Protocol

UTC = dt.timezone.utc
NS_PER_S = 1_000_000_000
# how far the broker's clock and riskd's may differ: a broker time within this of one of
# riskd's may be before or after it (one figure for every process that compares the two)
SKEW_NS = NS_PER_S


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


# the broker's usual timestamps: whole seconds, up to 9 fractional digits, an offset
_ISO = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})"
                  r"(?:\.([0-9]{1,9}))?(Z|z|[+-][0-9]{2}:[0-9]{2})?")
_SECONDS: dict[tuple, int] = {}         # (whole seconds, offset) -> their ns
_SECONDS_MAX = 256


def parse_iso_ns(text: str) -> int:
    """Parse a broker ISO 8601 timestamp (up to 9 fractional digits, Z or offset) to ns.

    Python's fromisoformat keeps only microseconds; the digits past them are
    kept here so ordering of close events is not lost. The whole second's parse is kept
    (a storm's quotes share it, and so do the Order, Trade and Position of one fill: ~15 µs
    a parse, three before market publishes a fill; docs/performance.md round 22); a text of
    any other shape, and the first of each second, go through the full parser
    (_parse_iso_full), which also says what is wrong with a bad one.
    """
    m = _ISO.fullmatch(text) if type(text) is str else None
    if m is None:
        return _parse_iso_full(text)
    whole, frac, offset = m.group(1, 2, 3)
    frac_ns = int((frac + "00000000")[:9]) if frac else 0
    key = (whole, offset)
    base = _SECONDS.get(key)
    if base is None:
        base = _parse_iso_full(text) - frac_ns
        if len(_SECONDS) >= _SECONDS_MAX:
            _SECONDS.clear()
        _SECONDS[key] = base
    return base + frac_ns


def _parse_iso_full(text: str) -> int:
    """parse_iso_ns without its kept seconds: every step of the parse, every time."""
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
