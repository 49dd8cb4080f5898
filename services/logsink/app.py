"""The logging worker process: PULL records from every process, write files, republish the tail.

Reads up to BATCH records per wake-up (never one recv per poll), writes them
with one write per file, then republishes each on its PUB as
'log.<level>.<process>' for `riskctl logs -f`.
"""
from __future__ import annotations

import logging
import time

import zmq

from services.logsink.history import MAX_LINES, Filter, history_lines
from services.logsink.route import tail_topic
from services.logsink.sink import Sink
from shared import codec
from shared.messages.logs import LogHistory, LogHistoryRequest, LogRecord
from shared.messages.system import Reply, error, ok
from shared.redact import for_config, secrets_of
from shared.worker import Worker

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
        self.bad = 0
        log.info("writing logs to %s", self.loaded.log_dir)

    def on_config(self, old, new) -> None:
        self.sink.configure(new.logging.rotate_bytes, new.logging.keep_files)
        self.sink.redactor.set_secrets(secrets_of(new))

    def _on_history(self, req: LogHistoryRequest) -> Reply:
        """The stored history for riskctl logs run by a user who may not read the files (the
        records are the redacted ones anyone can follow live with riskctl logs -f)."""
        flt = Filter(req.level, req.process, req.account, req.grep)
        try:
            lines = history_lines(self.loaded.log_dir, flt, min(max(req.n, 0), MAX_LINES))
        except OSError as exc:
            return error("unreadable", f"cannot read {self.loaded.log_dir}: {exc}")
        return ok(LogHistory(lines=lines, log_dir=self.loaded.log_dir))

    def bad_frames(self) -> int:
        return self.bad

    def _on_records(self) -> None:
        records = []
        for _ in range(BATCH):
            try:
                frame = self.pull.recv(zmq.NOBLOCK)
            except zmq.Again:
                break
            try:
                msg = codec.decode(frame).msg
            except codec.DecodeError as exc:
                self._bad(len(frame), str(exc))
                continue
            if not isinstance(msg, LogRecord):
                self._bad(len(frame), f"expected LogRecord, got {type(msg).__name__}")
                continue
            records.append(msg)
        if not records:
            return
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
        self.sink.close()
