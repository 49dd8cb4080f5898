"""Log messages: the records every process ships to the logging worker, and its live tail.

A LogRecord is already redacted by the sender (shared.logsetup) and again by
the logging worker. `fields` carries the structured extras (account, rule,
command_id, kind, ...) as plain scalars.
"""
from __future__ import annotations

import time
from typing import Any

import attrs


@attrs.frozen(kw_only=True)
class LogRecord:
    """One log record; PUSHed to bus.logging_in, republished on topic 'log.<level>.<process>'."""
    ts_ns: int
    level: str                 # DEBUG | INFO | WARNING | ERROR | CRITICAL
    levelno: int
    process: str               # riskd process name: market, risk, supervisor, riskctl ...
    pid: int
    logger: str
    message: str
    fields: dict[str, Any] = attrs.Factory(dict)   # scalars only: str, int, float, bool, None
    exc: str = ""              # formatted traceback, if any
    instance: str = ""         # the sender's riskd (shared/instanceid.py); '' a tool's


@attrs.frozen(kw_only=True)
class LogHistoryRequest:
    """The last `n` stored records matching the filter, asked of the logging worker's control
    socket (riskctl logs for a user who may not read the log files: docs/windows.md)."""
    n: int = 50
    level: str | None = None
    process: str | None = None
    account: str | None = None
    grep: str | None = None
    since: str | None = None      # only records from then on: their "time" form (iso_utc)


@attrs.frozen(kw_only=True)
class LogHistory:
    lines: list[str] = attrs.Factory(list)     # JSON lines exactly as stored, oldest first
    log_dir: str = ""


@attrs.frozen(kw_only=True)
class LogReceiptRequest:
    """How many records of one sender (publisher name + epoch) the logging worker has taken in:
    a closing ZmqLogHandler asks until everything it sent is there (shared/logsetup.py)."""
    publisher: str
    epoch: int


@attrs.frozen(kw_only=True)
class LogReceipt:
    received: int = 0          # records of that publisher and epoch taken in so far
    last_seq: int = 0          # the highest envelope sequence number among them


@attrs.frozen(kw_only=True)
class LogLost:
    """A closing sender gave up waiting: `lost` records it sent may never arrive. The logging
    worker writes a WARNING line for it, so the loss is in the log and not silent."""
    process: str
    pid: int
    epoch: int
    lost: int
    reason: str = ""
    instance: str = ""         # the sender's riskd (shared/instanceid.py)


ALL = (LogRecord, LogHistoryRequest, LogHistory, LogReceiptRequest, LogReceipt, LogLost)


CORE_KEYS = ("time", "level", "process", "pid", "logger", "message")
RESERVED = ("exc", "prev", "hash")     # exc: the traceback; prev/hash: the audit chain


def iso_utc(ts_ns: int) -> str:
    """2026-11-25T10:57:26.123456Z"""
    seconds, rest = divmod(int(ts_ns), 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{rest // 1000:06d}Z"


def shown_utc(iso: str) -> str:
    """A log line's time as people read it, still UTC and saying so: 2026-11-25T10:57:26.123456Z
    -> 2026-11-25 10:57:26.123Z (the stderr lines, riskctl logs; docs/operations.md (Times and time zones))."""
    text = str(iso or "")
    if not text.endswith("Z"):
        return text.replace("T", " ")      # not ours: shown as stored, zone and all
    return text[:-1].replace("T", " ")[:23] + "Z"


def line_fields(rec: LogRecord) -> dict[str, Any]:
    """The JSON-line form of a record: core keys first, structured fields flattened beside them
    (a field named like a core or reserved key is kept as x_<name>), then exc when there is a
    traceback."""
    out: dict[str, Any] = {"time": iso_utc(rec.ts_ns), "level": rec.level, "process": rec.process,
                           "pid": rec.pid, "logger": rec.logger, "message": rec.message}
    for key, value in rec.fields.items():
        out[f"x_{key}" if key in out or key in RESERVED else key] = value
    if rec.exc:
        out["exc"] = rec.exc
    return out
