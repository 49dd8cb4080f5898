"""Logging set-up shared by every process: stderr for warnings, a non-blocking ZeroMQ handler for all.

setup_logging(process, level, config=...) gives the standard `logging` module
two handlers on the root logger:
- stderr, WARNING and above (the supervisor or the service wrapper keeps it);
- ZmqLogHandler: every record becomes a catalog LogRecord (shared.messages.logs),
  redacted, encoded by the one codec and PUSHed to bus.logging_in with
  zmq.NOBLOCK. The socket's send queue is bounded (SNDHWM); when the logging
  worker is down records queue up to that bound, then are dropped and counted
  (`dropped`), and the next record that gets through is preceded by a warning
  saying how many were lost. A log call never blocks.

Structured fields travel with `extra=`: log.info("flattened", extra={"account": 1001,
"rule": "daily_loss", "command_id": cid, "kind": "result"}). Two logger names
route records to their own files in the logging worker: AUDIT_LOGGER (admin and
ops actions, logins) and ENFORCEMENT_LOGGER (decisions and results); a `kind`
field does the same (see services/logsink/route.py).
"""
from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any, Iterable

import zmq

from shared import codec
from shared.messages.logs import LogRecord
from shared.redact import Redactor, secrets_of

AUDIT_LOGGER = "riskd.audit"              # log.info("unlock", extra={"kind": "audit", "user": ...})
ENFORCEMENT_LOGGER = "riskd.enforcement"  # decisions and results
DEFAULT_QUEUE_LIMIT = 10_000
CLOSE_LINGER_MS = 250                     # at exit, queued records get this long to leave

_STANDARD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message", "asctime", "taskName"}
_SCALARS = (str, int, float, bool, type(None))


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The structured extras of a stdlib record (what was passed with extra=), as scalars."""
    out: dict[str, Any] = {}
    for key, value in record.__dict__.items():
        if key in _STANDARD_ATTRS or key.startswith("_"):
            continue
        out[key] = value if isinstance(value, _SCALARS) else str(value)
    return out


def _exc_text(handler: logging.Handler, record: logging.LogRecord) -> str:
    text = ""
    if record.exc_info:
        text = handler.formatter.formatException(record.exc_info) if handler.formatter else \
            logging.Formatter().formatException(record.exc_info)
    elif record.exc_text:
        text = record.exc_text
    if record.stack_info:
        text = f"{text}\n{record.stack_info}" if text else record.stack_info
    return text


class ZmqLogHandler(logging.Handler):
    """PUSH every record to the logging worker; never blocks, drops and counts when full."""

    def __init__(self, process: str, address: str, redactor: Redactor,
                 queue_limit: int = DEFAULT_QUEUE_LIMIT, ctx: zmq.Context | None = None):
        super().__init__(logging.NOTSET)
        self.process = process
        self.address = address
        self.redactor = redactor
        self.pid = os.getpid()
        self.epoch = time.time_ns() ^ (self.pid << 1)
        self.seq = 0
        self.sent = 0
        self.dropped = 0          # total records lost since start
        self._unreported = 0      # lost since the last drop warning got through
        self.close_linger_ms = CLOSE_LINGER_MS
        self._ctx = ctx or zmq.Context.instance()
        self._sock = self._ctx.socket(zmq.PUSH)
        self._sock.setsockopt(zmq.SNDHWM, queue_limit)
        self._sock.setsockopt(zmq.LINGER, CLOSE_LINGER_MS)   # never an endless wait at exit
        self._sock.connect(address)

    def make_record(self, record: logging.LogRecord) -> LogRecord:
        redact = self.redactor.redact
        return LogRecord(
            ts_ns=int(record.created * 1e9), level=record.levelname, levelno=record.levelno,
            process=self.process, pid=self.pid, logger=record.name,
            message=redact(record.getMessage()),
            fields=self.redactor.redact_fields(record_fields(record)),
            exc=redact(_exc_text(self, record)))

    def _send(self, rec: LogRecord) -> bool:
        self.seq += 1
        try:
            body = codec.encode(rec, self.process, self.epoch, self.seq, rec.ts_ns)
            self._sock.send(body, zmq.NOBLOCK)
        except zmq.ZMQError:      # Again (queue full) or a closed socket: never raise to the caller
            return False
        except Exception:         # an unencodable record: counted as dropped, never raised
            return False
        self.sent += 1
        return True

    def emit(self, record: logging.LogRecord) -> None:
        # Queue full (the logging worker is gone): count it without formatting or encoding.
        if self._sock is None or not self._sock.getsockopt(zmq.EVENTS) & zmq.POLLOUT:
            self.dropped += 1
            self._unreported += 1
            return
        try:
            rec = self.make_record(record)
        except Exception:
            self.handleError(record)
            return
        if self._unreported:
            warning = LogRecord(
                ts_ns=time.time_ns(), level="WARNING", levelno=logging.WARNING,
                process=self.process, pid=self.pid, logger="riskd.logsetup",
                message=f"{self._unreported} log record(s) were dropped while the logging "
                        f"worker was unreachable", fields={"dropped": self._unreported})
            if self._send(warning):
                self._unreported = 0
        if not self._send(rec):
            self.dropped += 1
            self._unreported += 1

    def close(self) -> None:
        self.acquire()
        try:
            if self._sock is not None:
                self._sock.close(self.close_linger_ms)
                self._sock = None
        finally:
            self.release()
        super().close()


class RedactingFormatter(logging.Formatter):
    """The human stderr format, passed through the same redaction as everything else."""

    def __init__(self, process: str, redactor: Redactor):
        super().__init__(f"%(asctime)s %(levelname)-7s {process}[%(process)d] %(name)s: "
                         f"%(message)s")
        self.redactor = redactor

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = record_fields(record)
        if fields:
            text += " " + " ".join(f"{k}={v}" for k, v in fields.items())
        return self.redactor.redact(text)


_active: dict[str, Any] = {}


def setup_logging(process: str, level: str = "INFO", *, config: Any = None,
                  address: str | None = None, secrets: Iterable[str] = (),
                  queue_limit: int | None = None) -> ZmqLogHandler | None:
    """Configure the root logger for this process; returns the ZeroMQ handler (None without one).

    config: the running Config; gives the logging worker's address (bus.logging_in), the
    queue bound (logging.queue_limit) and the literal secrets to mask. address/secrets/
    queue_limit override or complete it. Without config or address only stderr is set up.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    redactor = Redactor([*(secrets_of(config) if config is not None else ()), *secrets])
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.WARNING)
    stderr.setFormatter(RedactingFormatter(process, redactor))
    root.addHandler(stderr)
    root.setLevel(level)
    if address is None and config is not None:
        address = config.bus.logging_in
    if queue_limit is None:
        queue_limit = getattr(getattr(config, "logging", None), "queue_limit", DEFAULT_QUEUE_LIMIT)
    shipper = None
    if address:
        shipper = ZmqLogHandler(process, address, redactor, queue_limit)
        root.addHandler(shipper)
    _active.update(redactor=redactor, shipper=shipper, extra=list(secrets))
    return shipper


def refresh_secrets(config: Any) -> None:
    """After a live config reload: mask the new config's secrets from now on."""
    redactor = _active.get("redactor")
    if redactor is not None:
        redactor.set_secrets([*secrets_of(config), *_active.get("extra", ())])


def apply_config(config: Any) -> None:
    """After a live config reload: the new [logging] level and the new secrets, at once."""
    logging.getLogger().setLevel(config.logging.level)
    refresh_secrets(config)


def dropped_records() -> int:
    """How many records this process could not hand to the logging worker."""
    shipper = _active.get("shipper")
    return shipper.dropped if shipper is not None else 0
