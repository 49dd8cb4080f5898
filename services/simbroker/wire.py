"""How the sim broker writes values the way the ProjectX gateway does: ISO times, numbers.

Times are ISO 8601 with 7 fractional digits and +00:00 (what the .NET gateway
sends); money and prices are kept as Decimal inside and written as JSON numbers.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Optional

from shared.clock import NS_PER_S, from_ns, parse_iso_ns


_second: tuple[int, str] = (-1, "")       # the last whole second written, and its text


def iso(ns: int) -> str:
    """UTC ns -> '2026-11-25T10:57:26.1234567+00:00' (the second's text is reused)."""
    global _second
    whole, ticks = divmod(ns, NS_PER_S)
    second = _second
    if second[0] != whole:
        second = _second = (whole, from_ns(whole * NS_PER_S).strftime("%Y-%m-%dT%H:%M:%S"))
    return f"{second[1]}.{ticks // 100:07d}+00:00"


def num(value: Optional[Decimal]) -> Optional[float | int]:
    """Decimal -> a JSON number (None stays None)."""
    if value is None:
        return None
    return float(value)


def to_decimal(value: Any, what: str) -> Decimal:
    """A JSON number or numeric string -> Decimal; ValueError 'expected X, got Y'."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"expected a number for {what}, got {value!r}")
    try:
        d = Decimal(str(value))
    except ArithmeticError:
        raise ValueError(f"expected a number for {what}, got {value!r}") from None
    if not d.is_finite():
        raise ValueError(f"expected a finite number for {what}, got {value!r}")
    return d


def optional_time(value: Any, what: str) -> Optional[int]:
    """An optional ISO timestamp from a request -> ns or None."""
    if value in (None, ""):
        return None
    try:
        return parse_iso_ns(value)
    except ValueError:
        raise ValueError(f"expected an ISO 8601 timestamp for {what}, got {value!r}") from None


def bars_json(rows: list, price: Callable[[int], str]) -> str:
    """History/retrieveBars bars [{t, o, h, l, c, v}] as JSON text, from (start s, [o, h, l, c,
    v] in ticks) and `price` (ticks -> the number's JSON text); written by hand with cached
    pieces, 20,000 bars at a time."""
    day_text: dict[int, str] = {}
    clock_text: dict[int, str] = {}
    out = []
    for t, (o, h, low, c, v) in rows:
        day, second = divmod(t, 86400)
        prefix = day_text.get(day)
        if prefix is None:
            prefix = day_text[day] = from_ns(day * 86400 * NS_PER_S).strftime('{"t":"%Y-%m-%dT')
        hms = clock_text.get(second)
        if hms is None:
            hh, rest = divmod(second, 3600)
            hms = clock_text[second] = f'{hh:02d}:{rest // 60:02d}:{rest % 60:02d}+00:00","o":'
        out.append(f'{prefix}{hms}{price(o)},"h":{price(h)},"l":{price(low)},"c":{price(c)},'
                   f'"v":{v}}}')
    return "[" + ",".join(out) + "]"
