"""The sim's contract calendar: gateway naming, the roll on its date, Contract/search order."""
from __future__ import annotations

import datetime as dt

import pytest

from services.simbroker.contracts import PRODUCTS, listed, search_rank, third_friday


def names(day: str, root: str) -> list[tuple[str, bool]]:
    return [(s.name, s.active) for s in listed(PRODUCTS, dt.date.fromisoformat(day))
            if s.root == root]


def test_third_friday():
    assert third_friday(2026, 12) == dt.date(2026, 12, 18)
    assert third_friday(2027, 3) == dt.date(2027, 3, 19)


@pytest.mark.parametrize("day, expected", [
    ("2026-12-04", [("ESZ6", True), ("ESH7", False)]),
    ("2026-12-09", [("ESZ6", True), ("ESH7", False)]),      # the day before the roll
    ("2026-12-10", [("ESZ6", False), ("ESH7", True), ("ESM7", False)]),   # roll: 8 days before
    ("2026-12-18", [("ESH7", True), ("ESM7", False)]),      # Z6 expired
])
def test_the_front_month_changes_on_the_roll_date(day, expected):
    assert names(day, "EP") == expected


def test_crude_is_monthly_and_gold_bimonthly():
    assert names("2026-12-04", "CLE") == [("CLF7", True), ("CLG7", False)]
    assert names("2026-12-16", "CLE") == [("CLF7", False), ("CLG7", True), ("CLH7", False)]
    assert names("2026-12-04", "GCE") == [("GCZ6", False), ("GCG7", True), ("GCJ7", False)]


def test_each_product_has_exactly_one_active_month_every_day():
    day = dt.date(2026, 1, 1)
    while day < dt.date(2028, 1, 1):
        specs = listed(PRODUCTS, day)
        for product in PRODUCTS:
            active = [s for s in specs if s.root == product.root and s.active]
            assert len(active) == 1, (day, product.root)
            assert active[0].expiry > day
        day += dt.timedelta(days=3)


def search(text: str) -> list[str]:
    specs = listed(PRODUCTS, dt.date(2026, 12, 4))
    ranked = sorted((r, i, s.name) for i, s in enumerate(specs)
                    if (r := search_rank(s, text)) is not None)
    return [name for _r, _i, name in ranked]


def test_search_puts_the_emini_before_the_micro():
    assert search("ES") == ["ESZ6", "ESH7", "MESZ6", "MESH7"]
    assert search("MES") == ["MESZ6", "MESH7"]
    assert search("NQ")[:3] == ["NQZ6", "NQH7", "MNQZ6"]
    assert search("es")[0] == "ESZ6"
    assert search("Gold") == ["GCG7", "GCZ6", "GCJ7", "MGCG7", "MGCZ6", "MGCJ7"]
    assert search("ZZ") == []
