"""Records -> redacted JSON lines in system/error/enforcement/audit logs, audit lines chained."""
from __future__ import annotations

import json
import os
from typing import Iterable

import attrs

from services.logsink.files import RotatingFile
from services.logsink.route import AUDIT, FILES, files_for
from shared import auditchain
from shared.messages.logs import LogRecord, line_fields
from shared.redact import Redactor


class Sink:
    """Owns the log files of one log dir; write() takes a batch of records."""

    def __init__(self, log_dir: str, max_bytes: int, keep: int, redactor: Redactor):
        self.log_dir = log_dir
        self.redactor = redactor
        self.written = 0
        self.files = {name: RotatingFile(os.path.join(log_dir, name), max_bytes, keep,
                                         fsync=(name == AUDIT)) for name in FILES}
        self.audit_head = auditchain.last_hash(auditchain.audit_files(log_dir))

    def configure(self, max_bytes: int, keep: int) -> None:
        for f in self.files.values():
            f.max_bytes, f.keep = max_bytes, keep

    def clean(self, rec: LogRecord) -> LogRecord:
        """The second pass of the one redaction step (the sender ran the first)."""
        redact = self.redactor.redact
        return attrs.evolve(rec, message=redact(rec.message), exc=redact(rec.exc),
                            fields=self.redactor.redact_fields(rec.fields))

    def write(self, records: Iterable[LogRecord]) -> list[LogRecord]:
        """Write a batch; returns the redacted records (what the live tail republishes)."""
        per_file: dict[str, list[str]] = {}
        cleaned = []
        for rec in records:
            rec = self.clean(rec)
            cleaned.append(rec)
            fields = line_fields(rec)
            line = json.dumps(fields, ensure_ascii=False, separators=(",", ":"), default=str)
            for name in files_for(rec):
                if name == AUDIT:
                    line_a, self.audit_head = auditchain.chain_line(fields, self.audit_head)
                    per_file.setdefault(name, []).append(line_a)
                else:
                    per_file.setdefault(name, []).append(line)
        for name, lines in per_file.items():
            self.files[name].write(lines)
        self.written += len(cleaned)
        return cleaned

    def close(self) -> None:
        for f in self.files.values():
            f.close()
