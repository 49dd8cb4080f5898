"""Bars from the recorded price path: true aggregates at every unit, limit, partial bar, order."""
from __future__ import annotations

import datetime as dt
import random

from services.simbroker.bars import DAY, HOUR, MINUTE, MONTH, SECOND, WEEK, BarStore, bucket

S = 1_000_000_000
T0 = int(dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc).timestamp())     # a Monday


def path(n: int = 5000, step: int = 37, seed: int = 3):
    rng = random.Random(seed)
    price, out = 24000, []
    for i in range(n):
        price += rng.choice((-1, 1))
        out.append((T0 + i * step, price, rng.randint(1, 5)))
    return out


def store_of(points) -> BarStore:
    store = BarStore(second_retention=10**9)
    for t, p, v in points:
        store.record("C", t * S, p, v)
    return store


def expected(points, unit: int, number: int) -> list:
    """Brute force: group the raw points by bucket, newest first."""
    groups: dict = {}
    for t, p, v in points:
        groups.setdefault(bucket(unit, number, t), []).append((p, v))
    return [(b, [ps[0][0], max(x for x, _ in ps), min(x for x, _ in ps), ps[-1][0],
                 sum(v for _, v in ps)]) for b, ps in sorted(groups.items(), reverse=True)]


def test_every_unit_is_the_true_aggregate_of_the_quotes():
    points = path()
    store = store_of(points)
    end = points[-1][0] + 10**8
    for unit, number in ((SECOND, 1), (SECOND, 30), (MINUTE, 1), (MINUTE, 5), (HOUR, 1),
                         (HOUR, 4), (DAY, 1), (DAY, 2), (WEEK, 1), (MONTH, 1), (MONTH, 3)):
        got = store.bars("C", unit, number, T0 - 10**8, end, 20_000, True, end)
        assert got == expected(points, unit, number), (unit, number)


def test_weeks_start_on_monday_and_months_on_the_first():
    assert bucket(WEEK, 1, T0 + 3 * 86400) == T0
    first = int(dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc).timestamp())
    assert bucket(MONTH, 1, T0 + 10 * 86400) == first


def test_window_limit_and_partial_bar():
    points = path(600, step=10)                # 100 minutes, one price every 10 s
    store = store_of(points)
    now = points[-1][0]                        # inside the last minute: it is partial
    full = store.bars("C", MINUTE, 1, T0, now + 60, 20_000, True, now)
    assert len(full) == 100 and full[0][0] > full[-1][0]          # newest first
    closed = store.bars("C", MINUTE, 1, T0, now + 60, 20_000, False, now)
    assert closed == full[1:]
    assert store.bars("C", MINUTE, 1, T0, now + 60, 7, True, now) == full[:7]
    window = store.bars("C", MINUTE, 1, T0 + 600, T0 + 1200, 20_000, True, now)
    assert [t for t, _ in window] == list(range(T0 + 1140, T0 + 599, -60))
    assert store.bars("X", MINUTE, 1, T0, now, 10, True, now) == []


def test_saved_rows_load_back_to_the_same_bars():
    points = path(2000)
    store = store_of(points)
    rows = store.take_dirty()
    assert store.take_dirty() == []
    again = BarStore(second_retention=10**9)
    again.load(rows)
    end = points[-1][0] + 1
    for unit in (SECOND, MINUTE, HOUR, DAY, WEEK):
        assert again.bars("C", unit, 1, T0, end, 20_000, True, end) == \
            store.bars("C", unit, 1, T0, end, 20_000, True, end)


def test_second_bars_are_pruned_after_their_retention_minute_bars_kept():
    store = BarStore(second_retention=3600)
    for t, p, v in path(2000, step=10):
        store.record("C", t * S, p, v)
    end = T0 + 20_000
    seconds = store.bars("C", SECOND, 1, T0, end, 20_000, True, end)
    assert seconds and min(t for t, _ in seconds) >= T0 + 20_000 - 2 * 3600
    assert len(store.bars("C", MINUTE, 1, T0, end, 20_000, True, end)) == 334
