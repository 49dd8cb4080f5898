"""Prices shown to people: the one formatter every screen uses (watch, status, positions, orders).

Tick sizes reach no screen (they are contract data, shared/symbols.py), so a price is shown
to the decimals its contract's traded prices need: a traded price (a last price, an order's
limit or stop: a multiple of the tick) with all of its own digits, at least two (20965.25,
20968.00, 1.08345), and an average of fills, which is not a multiple of the tick
(20998.03125 after eight fills), rounded to the decimals of the contract's traded prices
beside it (its last price), two when none is known: 20998.03 next to a last of 20998.25.
docs/operations.md (Prices on screens) documents it.
"""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Iterable, Optional

PLACES = 2          # the fewest decimals a price shows: 20968.00 lines up with 20965.25


def places_of(prices: Iterable[Optional[Decimal]]) -> int:
    """The decimals the given traded prices need (each a multiple of its tick), at least
    PLACES; None entries are skipped."""
    places = PLACES
    for p in prices:
        if p is None:
            continue
        exponent = Decimal(p).normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            places = max(places, -exponent)
    return places


def fmt_price(value: Optional[Decimal], like: Iterable[Optional[Decimal]] = ()) -> str:
    """A price for people ('-' when unknown). Without `like`, a traded price: all of its own
    digits, at least PLACES. With `like` (the contract's traded prices: its last), a figure
    that is not itself a traded price (an average of fills): rounded to their decimals."""
    if value is None:
        return "-"
    v = Decimal(value)
    places = places_of(like) if like else places_of((v,))
    return f"{v.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN):.{places}f}"
