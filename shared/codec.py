"""The one codec: catalog messages <-> msgpack, via one cattrs converter.

Wire form of a frame body: a msgpack array
    [version, publisher, epoch, seq, ts_ns, type_name, fields]
Decimal travels as a string, datetime as integer UTC nanoseconds, nested
messages (fields annotated AnyMessage) as [type_name, fields].
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs
import cattrs
import msgpack
from cattrs.preconf.msgpack import make_converter

from shared.clock import from_ns, to_ns
from shared.messages import CATALOG
from shared.messages.catalog import AnyMessage

WIRE_VERSION = 1
MAX_FRAME_BYTES = 8 * 1024 * 1024


class DecodeError(ValueError):
    """A frame that is not a valid catalog message; never raised out of a worker loop."""


@attrs.frozen
class Envelope:
    publisher: str
    epoch: int
    seq: int
    ts_ns: int
    msg: Any


def _structure_decimal(value: Any, _: type) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"expected a decimal number, got {value!r}")
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"expected a decimal number, got {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"expected a finite decimal number, got {value!r}")
    return result


def _structure_any(value: Any, _: type) -> Any:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError("expected a nested message [type, fields]")
    name, fields = value
    cls = CATALOG.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"unknown message type {name!r}")
    return converter.structure(fields, cls)


def _unstructure_any(value: Any) -> Any:
    return [CATALOG.name_of(type(value)), converter.unstructure(value)]


def _make() -> cattrs.Converter:
    conv = make_converter()
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(dt.datetime, to_ns)
    conv.register_structure_hook(dt.datetime, lambda v, _: from_ns(int(v)))
    conv.register_unstructure_hook(AnyMessage, _unstructure_any)
    conv.register_structure_hook(AnyMessage, _structure_any)
    return conv


converter = _make()


def to_fields(msg: Any) -> dict:
    """A message's fields in wire form (also what --json output is built from)."""
    return converter.unstructure(msg)


def encode(msg: Any, publisher: str = "", epoch: int = 0, seq: int = 0, ts_ns: int = 0) -> bytes:
    name = CATALOG.name_of(type(msg))
    return msgpack.packb(
        [WIRE_VERSION, publisher, epoch, seq, ts_ns, name, converter.unstructure(msg)],
        use_bin_type=True,
    )


def decode(frame: bytes) -> Envelope:
    """Decode one frame body; every problem becomes a DecodeError with a short reason."""
    publisher, epoch, seq, ts_ns, name, fields = head(frame)
    return Envelope(publisher, epoch, seq, ts_ns, structure(name, fields))


def head(frame: bytes) -> tuple:
    """(publisher, epoch, seq, ts_ns, type name, fields) of a frame with a valid envelope, its
    fields not structured yet (structure(name, fields) does it; decode() does both): risk
    merges a run of quotes' fields and structures one Quote per contract (round 13)."""
    if len(frame) > MAX_FRAME_BYTES:
        raise DecodeError(f"frame of {len(frame)} bytes is over the {MAX_FRAME_BYTES} byte limit")
    try:
        raw = msgpack.unpackb(frame, raw=False, strict_map_key=False)
    except Exception as exc:  # msgpack raises several unrelated types
        raise DecodeError(f"not msgpack: {type(exc).__name__}") from None
    if not isinstance(raw, list) or len(raw) != 7:
        raise DecodeError("not a riskd envelope")
    version, publisher, epoch, seq, ts_ns, name, fields = raw
    if version != WIRE_VERSION:
        raise DecodeError(f"wire version {version!r}, expected {WIRE_VERSION}")
    if not (isinstance(publisher, str) and all(isinstance(x, int) and not isinstance(x, bool)
                                               for x in (epoch, seq, ts_ns))):
        raise DecodeError("envelope header has wrong types")
    cls = CATALOG.get(name) if isinstance(name, str) else None
    if cls is None:
        raise DecodeError(f"unknown message type {name!r}")
    if not isinstance(fields, dict):
        raise DecodeError(f"{name}: fields are not a map")
    return publisher, epoch, seq, ts_ns, name, fields


def structure(name: str, fields: dict) -> Any:
    """The message of a head()'s type name and fields; a DecodeError when they do not fit."""
    try:
        return converter.structure(fields, CATALOG.get(name))
    except Exception as exc:
        raise DecodeError(f"{name}: {describe_structure_error(exc)}") from None


def describe_structure_error(exc: BaseException) -> str:
    if isinstance(exc, (cattrs.ClassValidationError, cattrs.IterableValidationError)):
        return "; ".join(cattrs.transform_error(exc))
    return f"{type(exc).__name__}: {exc}"
