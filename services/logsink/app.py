"""The logging worker process: PULL records from every process, write files, republish the tail.

Reads up to BATCH records per wake-up (never one recv per poll), writes them
with one write per file, then republishes each on its PUB as
'log.<level>.<process>' for `riskctl logs -f`. On its control socket it answers
a closing sender how many of its records are written (LogReceiptRequest, see
receipts.py) and writes a WARNING line for a sender that gave up waiting (LogLost).

Any local process may add log lines, but an audit record goes into audit.log's chain only
with the proof of this riskd's control key (shared/auditproof.py, checked against the key
the worker took at its start); one without it is kept in system.log as a rejected_audit
line and said once per sender burst (rejects.py).
"""
from __future__ import annotations

import logging
import time

import zmq

from services.logsink.receipts import Receipts
from services.logsink.rejects import QUIET_S, Bursts, kept
from services.logsink.foreign import Foreign
from services.logsink.history import MAX_LINES, Filter, history_lines
from services.logsink.route import tail_topic
from services.logsink.sink import Sink
from shared import auditproof, codec, instanceid, logsetup
from shared.messages.logs import (LogHistory, LogHistoryRequest, LogLost, LogReceiptRequest,
                                  LogRecord)
from shared.messages.system import Reply, error, ok
from shared.redact import for_config, secrets_of
from shared.worker import Worker
from shared.plural import plural

log = logging.getLogger(__name__)

BATCH = 5000
DRAIN_S = 1.0


class LoggingWorker(Worker):
    """Logging worker: structured JSON log files, rotation, audit chain, live tail."""

    name = "logging"

    def setup(self) -> None:
        cfg = self.config.logging
        self.sink = Sink(self.loaded.log_dir, cfg.rotate_bytes, cfg.keep_files,
                         for_config(self.config))
        self.pull = self.socket(zmq.PULL, bind=self.config.bus.logging_in, hwm=cfg.sink_queue)
        self.add_reader(self.pull, self._on_records)
        self.handle(LogHistoryRequest, self._on_history)
        self.handle(LogReceiptRequest, self._on_receipt)
        self.handle(LogLost, self._on_lost)
        self.receipts = Receipts()
        self.bad = 0
        self.rejected = Bursts()
        self.foreign = Foreign(instanceid.own())
        self.every(QUIET_S, self._say_rejected)
        log.info("writing logs to %s", self.loaded.log_dir)

    def on_config(self, old, new) -> None:
        self.sink.configure(new.logging.rotate_bytes, new.logging.keep_files)
        self.sink.redactor.set_secrets(secrets_of(new))

    def _on_history(self, req: LogHistoryRequest) -> Reply:
        """The stored history for riskctl logs run by a user who may not read the files (the
        records are the redacted ones anyone can follow live with riskctl logs -f)."""
        flt = Filter(req.level, req.process, req.account, req.grep, req.since)
        try:
            lines = history_lines(self.loaded.log_dir, flt, min(max(req.n, 0), MAX_LINES))
        except OSError as exc:
            return error("unreadable", f"cannot read {self.loaded.log_dir}: {exc}")
        return ok(LogHistory(lines=lines, log_dir=self.loaded.log_dir))

    def _on_receipt(self, req: LogReceiptRequest) -> Reply:
        """Records are counted once written, so a sender told 'all there' may exit."""
        return ok(self.receipts.of(req.publisher, req.epoch))

    def _on_lost(self, req: LogLost) -> Reply:
        if self.foreign.is_foreign(req.instance):
            self.foreign.drop(req.process, req.instance, req.pid)
            return error("another_riskd", "this is another riskd's logging worker")
        rec = LogRecord(ts_ns=time.time_ns(), level="WARNING", levelno=logging.WARNING,
                        process=req.process, pid=req.pid, logger="riskd.logsink",
                        message=f"{plural(req.lost, 'log record')} from {req.process}[{req.pid}] may be "
                                f"lost: {req.reason}", fields={"lost": req.lost})
        self._write([rec])
        return ok()

    def bad_frames(self) -> int:
        return self.bad

    def _on_records(self) -> None:
        records = []
        senders = []
        for _ in range(BATCH):
            try:
                frame = self.pull.recv(zmq.NOBLOCK)
            except zmq.Again:
                break
            try:
                env = codec.decode(frame)
            except codec.DecodeError as exc:
                self._bad(len(frame), str(exc))
                continue
            if not isinstance(env.msg, LogRecord):
                self._bad(len(frame), f"expected LogRecord, got {type(env.msg).__name__}")
                continue
            if self.foreign.is_foreign(env.msg.instance):    # another riskd's (foreign.py)
                self.foreign.drop(env.msg.process, env.msg.instance, env.msg.pid,
                                  env.msg.message)
                continue
            records.append(self._proven(env.msg, env.publisher))
            senders.append((env.publisher, env.epoch, env.seq))
        if not records:
            return
        self._write(records)
        for publisher, epoch, seq in senders:
            self.receipts.took(publisher, epoch, seq)

    def _proven(self, rec: LogRecord, publisher: str) -> LogRecord:
        """The record to write: its proof field taken off; an audit record without a valid
        proof of the control key kept as a plain rejected_audit line, never chained."""
        rec, proven = auditproof.opened(rec, self.control_key)
        if proven or not auditproof.is_audit(rec):
            return rec
        count = self.rejected.note(publisher)
        if count is not None:
            self._warn_rejected(publisher, count)
        return kept(rec, publisher, time.time_ns())

    def _say_rejected(self) -> None:
        for publisher, count in self.rejected.due():
            self._warn_rejected(publisher, count)

    def _warn_rejected(self, publisher: str, count: int) -> None:
        log.warning("refused %s from an unknown sender %r: no proof of this "
                    "riskd's control key, so not in audit.log (kept in system.log as "
                    "rejected_audit lines); only riskd's own processes write audit records",
                    plural(count, "audit record"), publisher,
                    extra={"rejected_audit": count, "sender": publisher})

    def _write(self, records: list[LogRecord]) -> None:
        for rec in self.sink.write(records):
            self.pub.publish(tail_topic(rec), rec)

    def _bad(self, size: int, why: str) -> None:
        self.bad += 1
        if self.bad <= 10 or self.bad % 1000 == 0:
            log.warning("bad log frame (%d bytes, %d so far): %s", size, self.bad, why)

    def teardown(self) -> None:
        """A clean stop writes what already arrived (bounded: at most DRAIN_S) before closing."""
        deadline = time.monotonic() + DRAIN_S
        while time.monotonic() < deadline and self.pull.poll(0):
            self._on_records()
        own = logsetup.shipper()
        if own is not None:      # its own records came in like anyone's; the rest: stderr
            own.confirmed_here(self.receipts.of(own.process, own.epoch),
                               "the logging worker stopped before its own records came in")
            logsetup.hand_over_to_stderr()
        self.sink.close()
