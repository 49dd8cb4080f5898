"""Reusable attrs validators whose messages read 'expected X, got Y'."""
from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal, InvalidOperation
from typing import Any, Callable
from urllib.parse import urlparse

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
_TCP = re.compile(r"^tcp://(?P<host>\[[0-9a-fA-F:]+\]|[A-Za-z0-9.\-*]+):(?P<port>\d{1,5})$")


class FieldError(ValueError):
    """A validator failure that knows which field it is about (so the key path is exact)."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def _fail(expected: str, value: Any, attribute=None) -> None:
    shown = str(value) if isinstance(value, Decimal) else repr(value)
    message = f"expected {expected}, got {shown}"
    if attribute is not None:
        raise FieldError(attribute.name, message)
    raise ValueError(message)


def positive(_inst, attribute, value) -> None:
    if value is None or value <= 0:
        _fail("a number greater than 0", value, attribute)


def non_negative(_inst, attribute, value) -> None:
    if value is None or value < 0:
        _fail("a number of 0 or more", value, attribute)


def in_range(lo, hi) -> Callable:
    def check(_inst, attribute, value) -> None:
        if value is None or not (lo <= value <= hi):
            _fail(f"a number from {lo} to {hi}", value, attribute)
    return check


def whole_number(lo: int, hi: int) -> Callable:
    """A whole number from lo to hi: not a bool, not a float, not a string of digits."""
    def check(_inst, attribute, value) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            _fail(f"a whole number from {lo} to {hi}", value, attribute)
    return check


def one_of(*choices: str) -> Callable:
    def check(_inst, attribute, value) -> None:
        if value not in choices:
            _fail("one of " + ", ".join(repr(c) for c in choices), value, attribute)
    return check


def tcp_address(_inst, attribute, value) -> None:
    m = _TCP.match(value) if isinstance(value, str) else None
    if not m or not (0 < int(m["port"]) < 65536):
        _fail("an address like tcp://127.0.0.1:5570", value, attribute)


def is_loopback(address: str) -> bool:
    m = _TCP.match(address)
    return bool(m) and (m["host"] in LOOPBACK_HOSTS or m["host"].startswith("127."))


def http_url(_inst, attribute, value) -> None:
    parsed = urlparse(value) if isinstance(value, str) else None
    if not parsed or parsed.scheme not in ("http", "https", "ws", "wss") or not parsed.netloc:
        _fail("an http(s) URL", value, attribute)


# --- values used by rule parameters and the trading day -------------------------------------

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^(?P<h>[01]\d|2[0-3]):(?P<m>[0-5]\d)$")
# A ticker traders type (MNQ, ES, EP, 6E, M2K) or a ProjectX contract id (CON.F.US.MNQ.Z26),
# or a symbol id (F.US.MNQ).
_TICKER = re.compile(r"^[A-Z0-9]{1,8}$")
_CONTRACT_ID = re.compile(r"^CON\.F\.[A-Z]{2,4}\.[A-Z0-9]{1,8}\.[A-Z]\d{1,2}$")
_SYMBOL_ID = re.compile(r"^F\.[A-Z]{2,4}\.[A-Z0-9]{1,8}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def to_money(value: Any) -> Decimal:
    """An amount of money from TOML: int, float or numeric string -> Decimal (bool is refused)."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"expected an amount of money (a number), got {value!r}")
    else:
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"expected an amount of money (a number), got {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"expected an amount of money (a finite number), got {value!r}")
    return result


def to_optional_money(value: Any) -> Decimal | None:
    return None if value is None else to_money(value)


def parse_hhmm(value: str) -> dt.time:
    """'17:00' -> time(17, 0); ValueError when it is not HH:MM (24-hour clock)."""
    m = _HHMM.match(value) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"expected a time as HH:MM (24-hour clock, e.g. \"17:00\"), got {value!r}")
    return dt.time(int(m["h"]), int(m["m"]))


def hhmm(_inst, attribute, value) -> None:
    try:
        parse_hhmm(value)
    except ValueError as exc:
        raise FieldError(attribute.name, str(exc)) from None


def known_timezone(value: Any) -> bool:
    if not isinstance(value, str) or not value or value.startswith("/") or ".." in value:
        return False
    try:
        zoneinfo.ZoneInfo(value)
        return True
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False


def timezone_name(_inst, attribute, value) -> None:
    if not known_timezone(value):
        _fail("a time zone name from the tz database (e.g. \"America/Chicago\")", value, attribute)


def weekdays(_inst, attribute, value) -> None:
    bad = [d for d in value if d not in WEEKDAYS]
    if bad or not value:
        _fail("a non-empty list of days from " + ", ".join(WEEKDAYS), list(value), attribute)
    if len(set(value)) != len(value):
        _fail("each day once", list(value), attribute)


def is_symbol(value: Any) -> bool:
    return isinstance(value, str) and bool(
        _TICKER.match(value) or _CONTRACT_ID.match(value) or _SYMBOL_ID.match(value))


def symbol_list(_inst, attribute, value) -> None:
    bad = [s for s in value if not is_symbol(s)]
    if bad:
        _fail("symbols like \"MNQ\" or contract ids like \"CON.F.US.MNQ.Z26\"", bad, attribute)
    if len(set(value)) != len(value):
        _fail("each symbol once", list(value), attribute)


def iso_date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}")


def date_list(_inst, attribute, value) -> None:
    for item in value:
        try:
            iso_date(item)
        except ValueError as exc:
            raise FieldError(attribute.name, str(exc)) from None


def fraction(_inst, attribute, value) -> None:
    if value is None or not (0 < value <= 1):
        _fail("a fraction greater than 0 and at most 1 (e.g. 0.8)", value, attribute)


def optional(check: Callable) -> Callable:
    def run(inst, attribute, value) -> None:
        if value is not None:
            check(inst, attribute, value)
    return run
