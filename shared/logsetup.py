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

At exit (the handler's close(), which logging's own atexit shutdown calls) the
records still queued are not left to ZeroMQ's linger: pyzmq does not terminate
its contexts at interpreter exit, so a linger is never waited for and whatever
sits in the send queue dies with the process, silently. Instead the handler
asks the logging worker's control socket how many of its records are written
(LogReceiptRequest, keyed by this process's publisher name and epoch) until
all are, for at most close_timeout_s (CLOSE_TIMEOUT_S). If that bound passes
or the worker does not answer within answer_timeout_s, the records not
confirmed are counted (`lost_at_exit`), written as a line on stderr and, when
the worker answers, as a WARNING line in the log (LogLost). docs/operations.md,
"Lost log records".

Every record carries this process's riskd's instance id (shared/instanceid.py): the logging
worker of another riskd on this machine, reached through a shared port, drops it.

Structured fields travel with `extra=`: log.info("flattened", extra={"account": 1001,
"rule": "daily_loss", "command_id": cid, "kind": "result"}). Two logger names
route records to their own files in the logging worker: AUDIT_LOGGER (admin and
ops actions, logins) and ENFORCEMENT_LOGGER (decisions and results); a `kind`
field does the same (see services/logsink/route.py). An audit record is chained only
with the proof of riskd's control key (sign_audit; shared/auditproof.py).
"""
from __future__ import annotations

import logging
import os
import socket
import sys
import time
from typing import Any, Iterable

import zmq

from shared import auditproof, codec, instanceid
from shared.bus.rpc import RpcClient, RpcTimeout
from shared.messages.logs import (LogLost, LogReceipt, LogReceiptRequest, LogRecord, iso_utc,
                                  shown_utc)
from shared.redact import Redactor, secrets_of
from shared.plural import plural

AUDIT_LOGGER = auditproof.AUDIT_LOGGER   # log.info("unlock", extra={"kind": "audit", "user": ...})
ENFORCEMENT_LOGGER = "riskd.enforcement"  # decisions and results
DEFAULT_QUEUE_LIMIT = 10_000
CLOSE_TIMEOUT_S = 3.0      # at exit, the most to wait for the logging worker to confirm
ANSWER_TIMEOUT_S = 1.0     # a logging worker silent this long at exit is taken as gone
CONFIRM_POLL_S = 0.02

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
                 queue_limit: int = DEFAULT_QUEUE_LIMIT, ctx: zmq.Context | None = None,
                 confirm_address: str | None = None):
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
        self.last_sent_seq = 0    # the envelope seq of the last record the queue took
        self.lost_at_exit = 0     # sent, but not confirmed written when close() gave up
        self.confirm_address = confirm_address   # the logging worker's control socket
        self.audit_key = ""       # riskd's control key: audit records carry its proof (sign_audit)
        self.instance = instanceid.own()         # every record says which riskd sent it
        self.worker_configured = True            # False: [supervisor] workers leaves it out
        self.close_timeout_s = CLOSE_TIMEOUT_S
        self.answer_timeout_s = ANSWER_TIMEOUT_S
        self._own_receipt: tuple[LogReceipt, str] | None = None    # see confirmed_here()
        self._ctx = ctx or zmq.Context.instance()
        self._sock = self._ctx.socket(zmq.PUSH)
        self._sock.setsockopt(zmq.SNDHWM, queue_limit)
        self._sock.setsockopt(zmq.LINGER, 0)     # close() confirms delivery itself (see above)
        self._sock.connect(address)

    def make_record(self, record: logging.LogRecord) -> LogRecord:
        redact = self.redactor.redact
        return auditproof.signed(LogRecord(
            ts_ns=int(record.created * 1e9), level=record.levelname, levelno=record.levelno,
            process=self.process, pid=self.pid, logger=record.name,
            message=redact(record.getMessage()),
            fields=self.redactor.redact_fields(record_fields(record)),
            exc=redact(_exc_text(self, record)), instance=self.instance), self.audit_key)

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
        self.last_sent_seq = self.seq
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
                message=f"{plural(self._unreported, 'log record was', 'log records were')} dropped while the logging "
                        f"worker was unreachable", fields={"dropped": self._unreported},
                instance=self.instance)
            if self._send(warning):
                self._unreported = 0
        if not self._send(rec):
            self.dropped += 1
            self._unreported += 1

    def close(self) -> None:
        self.acquire()
        try:
            if self._sock is not None:
                self._confirm_or_report()
                self._sock.close(0)
                self._sock = None
        finally:
            self.release()
        super().close()

    def confirmed_here(self, receipt: LogReceipt, why_not_later: str) -> None:
        """The logging worker's own handler: it cannot ask itself once its loop has stopped,
        so it says at teardown what it wrote; anything sent after that is reported at close."""
        self._own_receipt = (receipt, why_not_later)

    def _confirm_or_report(self) -> None:
        """Wait until the logging worker has written every record sent (bounded); count and
        report the rest, never a silent loss."""
        if not self.sent:
            return
        if self._own_receipt is not None:
            receipt, why = self._own_receipt
            if receipt.last_seq < self.last_sent_seq:
                self._report(self.sent - receipt.received, why, None)
            return
        if not self.worker_configured:   # a riskd run without a logging worker (or one whose
            self.lost_at_exit = self.sent  # start was refused before it ran): counted, not said
            return                         # nor waited for (nothing was to be written)
        if self.confirm_address is None:
            self._report(self.sent, "no logging worker control address to confirm them with",
                         None)
            return
        if not _listening(self.confirm_address, self.answer_timeout_s):
            self._report(self.sent, "the logging worker is not running (it confirmed none "
                                    "since this process started)", None)
            return
        deadline = time.monotonic() + self.close_timeout_s
        receipt: LogReceipt | None = None
        with RpcClient(self.confirm_address, "logging", timeout=self.answer_timeout_s,
                       retries=0, ctx=self._ctx, name=self.process,
                       say=False) as client:     # no log line from the log's own shipper
            while True:
                try:
                    reply = client.call(LogReceiptRequest(publisher=self.process,
                                                          epoch=self.epoch))
                except RpcTimeout:
                    self._report(self.sent - (receipt.received if receipt else 0),
                                 f"the logging worker did not answer within "
                                 f"{self.answer_timeout_s:g} s at exit", None)
                    return
                if not reply.ok or not isinstance(reply.body, LogReceipt):
                    self._report(self.sent, f"the logging worker cannot confirm records "
                                            f"({reply.code}: {reply.reason})", client)
                    return
                receipt = reply.body
                if receipt.last_seq >= self.last_sent_seq:
                    return
                if time.monotonic() >= deadline:
                    self._report(self.sent - receipt.received,
                                 f"the logging worker had written {receipt.received} of "
                                 f"{self.sent} within {self.close_timeout_s:g} s at exit", client)
                    return
                time.sleep(CONFIRM_POLL_S)

    def _report(self, lost: int, reason: str, client: RpcClient | None) -> None:
        """Say how many records may be lost: on stderr always, in the log when the worker
        answers (client)."""
        lost = max(lost, 0)
        if not lost:
            return
        self.lost_at_exit = lost
        sys.stderr.write(f"{self.process}[{self.pid}]: up to {plural(lost, 'log record')} may be lost: "
                         f"{reason}\n")
        sys.stderr.flush()
        if client is not None:
            try:
                client.call(LogLost(process=self.process, pid=self.pid, epoch=self.epoch,
                                    lost=lost, reason=reason, instance=self.instance))
            except RpcTimeout:
                pass              # said on stderr already


def _listening(address: str, timeout: float) -> bool:
    """False when nothing accepts at a tcp:// address (a stopped logging worker: known at
    once, not after answer_timeout_s of silence); True for other transports."""
    if not address.startswith("tcp://"):
        return True
    host, _, port = address[len("tcp://"):].rpartition(":")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except (OSError, ValueError):
        return False
    return True


class RedactingFormatter(logging.Formatter):
    """The human stderr format, passed through the same redaction as everything else; times
    in UTC and marked so (2026-12-05 03:51:34.891Z), like `riskctl logs` (shown_utc)."""

    def __init__(self, process: str, redactor: Redactor):
        super().__init__(f"%(asctime)s %(levelname)-7s {process}[%(process)d] %(name)s: "
                         f"%(message)s")
        self.redactor = redactor

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return shown_utc(iso_utc(int(record.created * 1e9)))

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
        confirm = config.bus.control_of("logging") if config is not None else None
        shipper = ZmqLogHandler(process, address, redactor, queue_limit, confirm_address=confirm)
        workers = getattr(getattr(config, "supervisor", None), "workers", None)
        shipper.worker_configured = workers is None or "logging" in workers
        root.addHandler(shipper)
    _active.update(redactor=redactor, shipper=shipper, extra=list(secrets))
    return shipper


def no_logging_worker_ran() -> None:
    """This process's riskd never ran its logging worker (a start refused before any worker
    started: a port taken). What it logged has no log of its own to be written to, and its
    warnings and errors are on stderr already: nothing is waited for at exit and no loss is
    said. Fresh-user trial 13b: after "riskd cannot start: cannot bind ..." the supervisor
    waited 3 s on the OTHER riskd's logging worker (the shared port), then printed "up to 1
    log record may be lost", while nothing of its own was running."""
    handler = _active.get("shipper")
    if handler is not None:
        handler.worker_configured = False


def refresh_secrets(config: Any) -> None:
    """After a live config reload: mask the new config's secrets from now on."""
    redactor = _active.get("redactor")
    if redactor is not None:
        redactor.set_secrets([*secrets_of(config), *_active.get("extra", ())])


def apply_config(config: Any) -> None:
    """After a live config reload: the new [logging] level and the new secrets, at once."""
    logging.getLogger().setLevel(config.logging.level)
    refresh_secrets(config)


def sign_audit(key: str) -> None:
    """From now on this process's audit records carry the proof of riskd's control key
    (shared/auditproof.py); the logging worker chains no audit record without it. The
    supervisor calls it once it has made the key, a worker once it has taken it."""
    own = _active.get("shipper")
    if own is not None:
        own.audit_key = key


def shipper() -> ZmqLogHandler | None:
    """This process's ZeroMQ handler (None without one)."""
    return _active.get("shipper")


def hand_over_to_stderr() -> None:
    """When the logging worker stops for good (riskd's shutdown stops it last; the logging
    worker itself at teardown): confirm what this process shipped (close() waits for it, or
    reports), then send every later record, at the root level, to stderr (the journal or the
    service log) instead of to a worker that is gone."""
    root = logging.getLogger()
    own = _active.get("shipper")
    if own is not None:
        root.removeHandler(own)
        own.close()
        _active["shipper"] = None
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler) and \
                getattr(handler, "stream", None) is sys.stderr:
            handler.setLevel(logging.NOTSET)


def dropped_records() -> int:
    """How many records this process could not hand to the logging worker."""
    shipper = _active.get("shipper")
    return shipper.dropped if shipper is not None else 0
