"""Reusable attrs validators whose messages read 'expected X, got Y'."""
from __future__ import annotations

import re
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
    message = f"expected {expected}, got {value!r}"
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
