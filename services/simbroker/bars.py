"""The sim's price path as OHLCV bars: recorded from every price it publishes, read by History/retrieveBars.

Pure (no clock, no I/O; the gateway holds the lock and the history store
persists what `take_dirty` hands it). Prices are whole ticks. Every recorded
price updates one bar per base level (second, minute, hour, day; UTC,
epoch-aligned), so a minute bar is exactly the aggregate of the quotes in that
minute. A request for unit u and unitNumber k aggregates the base bars of u
into buckets of k units (weeks start on Monday, months on the 1st; day
buckets count days since the epoch). Only buckets with at least one price
exist, as on the gateway. `bars()` answers newest first, at most `limit`.
"""
from __future__ import annotations

import bisect
import datetime as dt
from typing import Iterable, Iterator, Optional

SECOND, MINUTE, HOUR, DAY, WEEK, MONTH = 1, 2, 3, 4, 5, 6
UNIT_NAMES = {SECOND: "second", MINUTE: "minute", HOUR: "hour", DAY: "day", WEEK: "week",
              MONTH: "month"}
LEVELS = {SECOND: 1, MINUTE: 60, HOUR: 3600, DAY: 86400}     # base levels kept, in seconds
MAX_BARS = 20_000
MONDAY = 4 * 86400            # 1970-01-05, the first Monday after the epoch, in seconds


class Series:
    """One contract's bars at one level: start times (s) and [o, h, l, c, v] in ticks."""

    __slots__ = ("ts", "bars")

    def __init__(self) -> None:
        self.ts: list[int] = []
        self.bars: list[list[int]] = []

    def add(self, t: int, price: int, volume: int) -> None:
        if self.ts and self.ts[-1] == t:            # the common case: the current bar
            bar = self.bars[-1]
            bar[1] = max(bar[1], price)
            bar[2] = min(bar[2], price)
            bar[3] = price
            bar[4] += volume
        elif not self.ts or t > self.ts[-1]:
            self.ts.append(t)
            self.bars.append([price, price, price, price, volume])
        else:                                        # an older time (history written late)
            i = bisect.bisect_left(self.ts, t)
            if i < len(self.ts) and self.ts[i] == t:        # written in time order: close too
                bar = self.bars[i]
                bar[1], bar[2], bar[3] = max(bar[1], price), min(bar[2], price), price
                bar[4] += volume
            else:
                self.ts.insert(i, t)
                self.bars.insert(i, [price, price, price, price, volume])

    def put(self, t: int, bar: list[int]) -> None:
        """Load a stored bar (replacing one with the same start)."""
        i = bisect.bisect_left(self.ts, t)
        if i < len(self.ts) and self.ts[i] == t:
            self.bars[i] = list(bar)
        else:
            self.ts.insert(i, t)
            self.bars.insert(i, list(bar))

    def window(self, start: int, end: int) -> tuple[int, int]:
        return bisect.bisect_left(self.ts, start), bisect.bisect_left(self.ts, end)

    def drop_before(self, t: int) -> None:
        i = bisect.bisect_left(self.ts, t)
        del self.ts[:i], self.bars[:i]


def bucket(unit: int, number: int, t: int) -> int:
    """The start (s) of the unit x number bucket holding time t (s)."""
    if unit in LEVELS:
        size = LEVELS[unit] * number
        return t - t % size
    if unit == WEEK:
        size = 7 * 86400 * number
        return t - (t - MONDAY) % size
    day = dt.datetime.fromtimestamp(t, dt.timezone.utc)
    months = (day.year * 12 + day.month - 1)
    months -= months % number
    return int(dt.datetime(months // 12, months % 12 + 1, 1, tzinfo=dt.timezone.utc).timestamp())


def bucket_end(unit: int, number: int, start: int) -> int:
    """Where the bucket starting at `start` ends (exclusive)."""
    if unit in LEVELS:
        return start + LEVELS[unit] * number
    if unit == WEEK:
        return start + 7 * 86400 * number
    day = dt.datetime.fromtimestamp(start, dt.timezone.utc)
    months = day.year * 12 + day.month - 1 + number
    return int(dt.datetime(months // 12, months % 12 + 1, 1, tzinfo=dt.timezone.utc).timestamp())


class BarStore:
    """Every contract's bars at every base level, with what changed since the last save."""

    def __init__(self, second_retention: float = 86400.0, track_dirty: bool = True):
        self.second_retention = int(second_retention)
        self.track_dirty = track_dirty          # False: nothing is saved, keep no list of it
        self._series: dict[tuple[str, int], Series] = {}
        self._levels: dict[str, tuple] = {}     # contract -> ((unit, size, Series), ...)
        self._dirty: set[tuple[str, int, int]] = set()
        self._last_second = 0

    def series(self, contract_id: str, level: int) -> Series:
        key = (contract_id, level)
        found = self._series.get(key)
        if found is None:
            found = self._series[key] = Series()
        return found

    def contracts(self) -> list[str]:
        return sorted({cid for cid, _level in self._series})

    def record(self, contract_id: str, t_ns: int, price: int, volume: int = 0,
               seconds: bool = True) -> None:
        """One published price (ticks) at t_ns, with the volume traded since the last one
        (seconds=False: not into second bars, for history older than their retention)."""
        t = t_ns // 1_000_000_000
        levels = self._levels.get(contract_id)
        if levels is None:           # a Series is never replaced: keep the contract's four
            levels = self._levels[contract_id] = tuple(
                (unit, size, self.series(contract_id, unit)) for unit, size in LEVELS.items())
        for unit, size, series in levels:
            if unit == SECOND and not seconds:
                continue
            start = t - t % size
            ts = series.ts
            if ts and ts[-1] == start:      # the common case (Series.add's first branch), inline
                bar = series.bars[-1]
                if price > bar[1]:
                    bar[1] = price
                elif price < bar[2]:
                    bar[2] = price
                bar[3] = price
                bar[4] += volume
            else:
                series.add(start, price, volume)
            if self.track_dirty:
                self._dirty.add((contract_id, unit, start))
        if t - self._last_second >= 3600:          # prune old second bars now and then
            self._last_second = t
            self.prune(t)

    def prune(self, now_s: int) -> None:
        """Drop second bars older than second_retention (minute bars and above are kept)."""
        cutoff = now_s - self.second_retention
        for (cid, level), series in self._series.items():
            if level == SECOND:
                series.drop_before(cutoff)

    def load(self, rows: Iterable[tuple[str, int, int, int, int, int, int, int]]) -> None:
        """Stored bars (contract, level, t, o, h, l, c, v) back in memory."""
        for cid, level, t, o, h, low, c, v in rows:
            self.series(cid, level).put(t, [o, h, low, c, v])

    def take_dirty(self) -> list[tuple[str, int, int, int, int, int, int, int]]:
        """The bars changed since the last call, as rows to save."""
        rows = []
        for cid, level, t in self._dirty:
            series = self._series[(cid, level)]
            i = bisect.bisect_left(series.ts, t)
            if i < len(series.ts) and series.ts[i] == t:
                rows.append((cid, level, t, *series.bars[i]))
        self._dirty.clear()
        return rows

    def bars(self, contract_id: str, unit: int, number: int, start_s: int, end_s: int,
             limit: int, include_partial: bool, now_s: int) -> list[tuple[int, list[int]]]:
        """(bucket start s, [o, h, l, c, v]) newest first: buckets starting in [start, end),
        at most `limit`; without include_partial, not the bucket still running at now_s."""
        level = unit if unit in LEVELS else DAY
        series = self._series.get((contract_id, level))
        if series is None or limit <= 0:
            return []
        lo, hi = series.window(bucket(unit, number, start_s), end_s)
        if unit in LEVELS and number == 1:
            picked = list(zip(series.ts[lo:hi], series.bars[lo:hi]))
        else:
            picked = list(_aggregate(unit, number, series.ts[lo:hi], series.bars[lo:hi]))
        if not include_partial:
            while picked and bucket_end(unit, number, picked[-1][0]) > now_s:
                picked.pop()
        picked = picked[-limit:]
        picked.reverse()
        return picked


def _aggregate(unit: int, number: int, ts: list[int],
               bars: list[list[int]]) -> Iterator[tuple[int, list[int]]]:
    current: Optional[int] = None
    acc: list[int] = []
    end = 0
    for t, (o, h, low, c, v) in zip(ts, bars):
        if current is None or t >= end:
            if current is not None:
                yield current, acc
            current = bucket(unit, number, t)
            end = bucket_end(unit, number, current)
            acc = [o, h, low, c, v]
        else:
            acc[1] = max(acc[1], h)
            acc[2] = min(acc[2], low)
            acc[3] = c
            acc[4] += v
    if current is not None:
        yield current, acc
