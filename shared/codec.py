"""The one codec: catalog messages <-> msgpack, via one cattrs converter.

Wire form of a frame body: a msgpack array, one of
    [1, publisher, epoch, seq, ts_ns, type_name, fields]
    [2, publisher, epoch, seq, ts_ns, type_name, fields, instance]
The second is what a riskd's bus publishers send: `instance` (bytes) is the sending riskd's
instance id (shared/instanceid.py), so a subscriber drops what another riskd on this machine
publishes into its bus (shared/bus/foreign.py). A frame with no instance is written in the first
form, byte for byte as before (RPC, journals, outboxes, log records), and every frame written
before the second form existed still decodes.
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

WIRE_VERSION = 1             # the 7-field envelope: no instance id
WIRE_VERSION_INSTANCE = 2    # the 8-field envelope: the sending riskd's instance id last
MAX_FRAME_BYTES = 8 * 1024 * 1024


class DecodeError(ValueError):
    """A frame that is not a valid catalog message; never raised out of a worker loop."""


class ForeignFrame(Exception):
    """A valid envelope whose instance id is not the one decode() was told to expect: another
    riskd's (or, `instance` b"", a sender with no id). Raised before its fields are read;
    `seq` lets an asker match another riskd's answer to its request (shared/bus/rpc.py)."""

    def __init__(self, instance: bytes, publisher: str, name: str, seq: int = 0):
        self.instance, self.publisher, self.name, self.seq = instance, publisher, name, seq
        super().__init__(f"{name} from {publisher!r} of riskd instance {instance!r}")


@attrs.frozen
class Envelope:
    publisher: str
    epoch: int
    seq: int
    ts_ns: int
    msg: Any
    instance: bytes = b""       # the sending riskd's instance id; b"" when the frame has none


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


def encode(msg: Any, publisher: str = "", epoch: int = 0, seq: int = 0, ts_ns: int = 0,
           instance: bytes = b"") -> bytes:
    """One frame body; with `instance` (a bus publisher's riskd) the 8-field envelope."""
    name = CATALOG.name_of(type(msg))
    if instance:
        return msgpack.packb([WIRE_VERSION_INSTANCE, publisher, epoch, seq, ts_ns, name,
                              converter.unstructure(msg), instance], use_bin_type=True)
    return msgpack.packb(
        [WIRE_VERSION, publisher, epoch, seq, ts_ns, name, converter.unstructure(msg)],
        use_bin_type=True,
    )


def decode(frame: bytes, instance: bytes = b"") -> Envelope:
    """Decode one frame body; every problem becomes a DecodeError with a short reason.

    With `instance` (a subscriber of a riskd's bus: its own riskd's id) a valid envelope sent
    by another instance, or by none, raises ForeignFrame before its fields are read: one bytes
    comparison per frame, nothing allocated for a frame of its own riskd."""
    publisher, epoch, seq, ts_ns, name, fields, sender = head(frame, instance)
    return Envelope(publisher, epoch, seq, ts_ns, structure(name, fields), sender)


def head(frame: bytes, instance: bytes = b"") -> tuple:
    """(publisher, epoch, seq, ts_ns, type name, fields, sender instance) of a frame with a
    valid envelope, its fields not structured yet (structure(name, fields) does it; decode()
    does both): risk merges a run of quotes' fields and structures one Quote per contract
    (round 13). `instance`: as decode()'s."""
    if len(frame) > MAX_FRAME_BYTES:
        raise DecodeError(f"frame of {len(frame)} bytes is over the {MAX_FRAME_BYTES} byte limit")
    try:
        raw = msgpack.unpackb(frame, raw=False, strict_map_key=False)
    except Exception as exc:  # msgpack raises several unrelated types
        raise DecodeError(f"not msgpack: {type(exc).__name__}") from None
    if not isinstance(raw, list):
        raise DecodeError("not a riskd envelope")
    if len(raw) == 8:
        version, publisher, epoch, seq, ts_ns, name, fields, sender = raw
        expected = WIRE_VERSION_INSTANCE
    elif len(raw) == 7:
        version, publisher, epoch, seq, ts_ns, name, fields = raw
        sender, expected = b"", WIRE_VERSION
    else:
        raise DecodeError("not a riskd envelope")
    if version != expected:
        raise DecodeError(f"wire version {version!r} with {len(raw)} fields, expected "
                          f"{expected}")
    # exact types: msgpack makes no subclasses (a bool is not an int here); no generator, as
    # this runs for every quote
    if not (type(publisher) is str and type(sender) is bytes and type(epoch) is int
            and type(seq) is int and type(ts_ns) is int):
        raise DecodeError("envelope header has wrong types")
    if instance and sender != instance:
        raise ForeignFrame(sender, publisher, name if isinstance(name, str) else repr(name), seq)
    cls = CATALOG.get(name) if isinstance(name, str) else None
    if cls is None:
        raise DecodeError(f"unknown message type {name!r}")
    if not isinstance(fields, dict):
        raise DecodeError(f"{name}: fields are not a map")
    return publisher, epoch, seq, ts_ns, name, fields, sender


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
