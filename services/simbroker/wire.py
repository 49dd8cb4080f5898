"""How the sim broker writes values the way the ProjectX gateway does: ISO times, numbers.

Times are ISO 8601 with 7 fractional digits and +00:00 (what the .NET gateway
sends); money and prices are kept as Decimal inside and written as JSON numbers.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

from shared.clock import NS_PER_S, from_ns, parse_iso_ns


def iso(ns: int) -> str:
    """UTC ns -> '2026-11-25T10:57:26.1234567+00:00'."""
    seconds = from_ns(ns - ns % NS_PER_S)
    ticks = (ns % NS_PER_S) // 100
    return f"{seconds.strftime('%Y-%m-%dT%H:%M:%S')}.{ticks:07d}+00:00"


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


def bar_payload(t_s: int, bar: list, tick: Decimal) -> dict:
    """A bar in ticks -> {t, o, h, l, c, v} as History/retrieveBars answers it."""
    o, h, low, c, v = bar
    return {"t": iso_seconds(t_s), "o": float(o * tick), "h": float(h * tick),
            "l": float(low * tick), "c": float(c * tick), "v": v}


def iso_seconds(t_s: int) -> str:
    """UTC seconds -> '2026-12-04T14:00:00+00:00' (a bar's start)."""
    return from_ns(t_s * NS_PER_S).strftime("%Y-%m-%dT%H:%M:%S+00:00")
