"""Generated history: seeded, weekdays only, round trips that close, fees on every fill."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from services.simbroker.contracts import PRODUCTS
from services.simbroker.history import generate_day, trading_days


def ids():
    counter = itertools.count(1)
    return lambda kind: next(counter)


def test_trading_days_are_the_weekdays_before():
    assert trading_days(dt.date(2026, 12, 7), 3) == [
        dt.date(2026, 12, 2), dt.date(2026, 12, 3), dt.date(2026, 12, 4)]   # Mon: skip weekend


def test_the_same_seed_gives_the_same_day_and_every_trip_closes():
    day = dt.date(2026, 12, 3)
    a = generate_day(day, PRODUCTS, [1001, 1002], 9, ids())
    b = generate_day(day, PRODUCTS, [1001, 1002], 9, ids())
    assert a == b and a.trades and a.points
    c = generate_day(day, PRODUCTS, [1001, 1002], 10, ids())
    assert c.trades != a.trades
    for account in (1001, 1002):
        net: dict = {}
        for t in a.trades:
            if t.account_id == account:
                net[t.contract_id] = net.get(t.contract_id, 0) + (t.size if t.side == 0 else -t.size)
                assert t.fees > 0
        assert set(net.values()) == {0}                      # flat at the end of the day
    exits = [t for t in a.trades if t.pnl is not None]
    assert len(exits) * 2 == len(a.trades)
    assert all(isinstance(t.pnl, Decimal) for t in exits)
    assert {o.id for o in a.orders} == {t.order_id for t in a.trades}
