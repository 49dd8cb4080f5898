"""Plausible past trading days for the demo accounts: price paths, filled orders, trades.

Pure and seeded: the same (seed, day, account) always gives the same day.
Behind `riskctl sim history --days N` (POST /sim/history): for each of the N
weekdays before the calendar day, every traded product gets a price path
(one price every PATH_STEP seconds, SESSION_START..SESSION_END UTC, a random
walk of whole ticks) and each account a sequence of round trips at the path's
prices (market orders, entry and exit, fees per fill, realized PnL on the
exit). Roughly one day in three an account breaks the default limits of
etc/riskd.toml: a position above 5 contracts, a realized loss beyond 500, or
four round trips inside a minute. Balances are left as they are (the history
is what led to them).
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Callable, Iterable, Iterator

import attrs

from services.simbroker.contracts import ContractSpec, Product
from services.simbroker.entities import BUY, FILLED, MARKET, SELL, Order, Trade
from shared.symbols import ticker_for_root

SESSION_START = dt.time(13, 30)       # UTC: the US cash session, 09:30-16:00 New York
SESSION_END = dt.time(20, 0)
PATH_STEP = 5                         # s between two prices of a path
TICKERS = ("MNQ", "ES", "NQ", "MES", "CL")
S = 1_000_000_000


@attrs.frozen
class Day:
    """One generated day: price points (contract, t_ns, ticks, volume), orders, trades."""
    day: dt.date
    points: list
    orders: list
    trades: list


def trading_days(before: dt.date, count: int) -> list[dt.date]:
    """The `count` weekdays before `before`, oldest first."""
    out: list[dt.date] = []
    day = before
    while len(out) < count:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            out.append(day)
    return out[::-1]


def day_bounds_ns(day: dt.date) -> tuple[int, int]:
    """[00:00, 24:00) UTC of a day, in ns."""
    start = int(dt.datetime.combine(day, dt.time(0), dt.timezone.utc).timestamp()) * S
    return start, start + 86400 * S


def _ns(day: dt.date, at: dt.time) -> int:
    return int(dt.datetime.combine(day, at, dt.timezone.utc).timestamp()) * S


def price_path(spec: ContractSpec, day: dt.date, seed: int) -> list[tuple[int, int, int]]:
    """(t_ns, ticks, volume) every PATH_STEP s through the session: a seeded random walk."""
    rng = random.Random(f"{seed}:{spec.root}:{day.isoformat()}")
    start = int(spec.start_price / spec.tick_size)
    ticks = start + int(start * rng.uniform(-0.01, 0.01))
    begin, end = _ns(day, SESSION_START), _ns(day, SESSION_END)
    out = []
    for t in range(begin, end, PATH_STEP * S):
        ticks = max(1, ticks + rng.choice((-2, -1, -1, 0, 1, 1, 2)))
        out.append((t, ticks, rng.randint(1, 40)))
    return out


def generate_day(day: dt.date, products: Iterable[Product], accounts: Iterable[int],
                 seed: int, new_id: Callable[[str], int]) -> Day:
    """One trading day for these accounts; ids come from new_id("order" | "trade")."""
    active = {}
    for product in products:
        for spec in product.listed(day):
            if spec.active:
                active[ticker_for_root(spec.root)] = spec     # ticker -> the day's month
    tickers = [t for t in TICKERS if t in active]
    paths = {t: price_path(active[t], day, seed) for t in tickers}
    points = [(active[t].id, tn, p, v) for t in tickers for tn, p, v in paths[t]]
    orders: list[Order] = []
    trades: list[Trade] = []
    for account in accounts:
        rng = random.Random(f"{seed}:{account}:{day.isoformat()}")
        bad = rng.random() < 0.34
        for trip in _round_trips(rng, tickers, paths, day, bad):
            spec = active[trip.ticker]
            _fill_trip(spec, account, trip, new_id, orders, trades)
    return Day(day, points, orders, trades)


@attrs.frozen
class _Trip:
    ticker: str
    side: int
    size: int
    entry_ns: int
    entry: int          # ticks
    exit_ns: int
    exit: int


def _price_at(path: list, t_ns: int) -> tuple[int, int]:
    """(t_ns, ticks) of the last path point at or before t_ns."""
    i = min(len(path) - 1, max(0, (t_ns - path[0][0]) // (PATH_STEP * S)))
    return path[i][0], path[i][1]


def _round_trips(rng: random.Random, tickers: list[str], paths: dict, day: dt.date,
                 bad: bool) -> Iterator[_Trip]:
    end = _ns(day, SESSION_END) - 60 * S
    cursor = _ns(day, SESSION_START) + rng.randint(1, 30) * 60 * S
    kind = rng.choice(("size", "loss", "flurry")) if bad else None
    n = 0
    while cursor < end:
        ticker = rng.choice(tickers)
        size = rng.randint(1, 3)
        hold = rng.randint(1, 40) * 60 * S
        losing = False
        if kind == "size" and n == 1:
            ticker, size = "MNQ" if "MNQ" in paths else ticker, rng.randint(6, 8)
        elif kind == "loss" and n in (1, 2, 3):
            ticker, size, losing = "ES" if "ES" in paths else ticker, 2, True
            hold = rng.randint(20, 60) * 60 * S
        elif kind == "flurry" and n == 1:
            hold = 10 * S
        entry_ns, entry = _price_at(paths[ticker], cursor)
        exit_ns, exit_ = _price_at(paths[ticker], min(cursor + hold, end))
        if exit_ns <= entry_ns:
            break
        side = rng.choice((BUY, SELL))
        if losing:      # the side that lost on this move (a flat move loses the fees)
            side = SELL if exit_ > entry else BUY
        yield _Trip(ticker, side, size, entry_ns, entry, exit_ns, exit_)
        n += 1
        if kind == "flurry" and n in (2, 3, 4):
            cursor = exit_ns + 2 * S                  # four round trips inside a minute
        else:
            cursor = exit_ns + rng.randint(2, 45) * 60 * S


def _fill_trip(spec: ContractSpec, account: int, trip: _Trip, new_id: Callable[[str], int],
               orders: list, trades: list) -> None:
    tick = spec.tick_size
    direction = 1 if trip.side == BUY else -1
    pnl = (Decimal(trip.exit - trip.entry) * direction * trip.size * spec.tick_value)
    for side, t_ns, ticks, realized in ((trip.side, trip.entry_ns, trip.entry, None),
                                        (1 - trip.side, trip.exit_ns, trip.exit, pnl)):
        price = tick * ticks
        order = Order(id=new_id("order"), account_id=account, contract_id=spec.id,
                      symbol_id=spec.symbol_id, type=MARKET, side=side, size=trip.size,
                      created_ns=t_ns, updated_ns=t_ns, status=FILLED, fill_volume=trip.size,
                      filled_price=price)
        orders.append(order)
        trades.append(Trade(id=new_id("trade"), account_id=account, contract_id=spec.id,
                            created_ns=t_ns, price=price, pnl=realized,
                            fees=spec.fee * trip.size, side=side, size=trip.size,
                            order_id=order.id))
