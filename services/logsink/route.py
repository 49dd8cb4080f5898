"""Which files a record goes to (pure).

The rule:
- system.log: every record;
- error.log: level ERROR and above;
- enforcement.log: records whose logger is riskd.enforcement (or below it), or whose
  `kind` field is one of ENFORCEMENT_KINDS (every decision and every result);
- audit.log: records whose logger is riskd.audit (or below it), or whose `kind` field
  is one of AUDIT_KINDS (admin and ops actions, logins that succeeded or failed);
  shared/auditproof.is_audit. The logging worker takes such a record only with the proof
  of riskd's control key (services/logsink/app.py).
"""
from __future__ import annotations

import logging

from shared.auditproof import is_audit
from shared.logsetup import ENFORCEMENT_LOGGER
from shared.messages.logs import LogRecord

SYSTEM, ERROR, ENFORCEMENT, AUDIT = "system.log", "error.log", "enforcement.log", "audit.log"
FILES = (SYSTEM, ERROR, ENFORCEMENT, AUDIT)
ENFORCEMENT_KINDS = frozenset({"decision", "result", "breach", "action", "lockout", "unlock",
                               "enforcement"})


def _under(logger: str, parent: str) -> bool:
    return logger == parent or logger.startswith(parent + ".")


def files_for(rec: LogRecord) -> tuple[str, ...]:
    out = [SYSTEM]
    if rec.levelno >= logging.ERROR:
        out.append(ERROR)
    kind = rec.fields.get("kind")
    if _under(rec.logger, ENFORCEMENT_LOGGER) or kind in ENFORCEMENT_KINDS:
        out.append(ENFORCEMENT)
    if is_audit(rec):            # shared/auditproof.py: the one rule, for the sender's proof too
        out.append(AUDIT)
    return tuple(out)


def tail_topic(rec: LogRecord) -> str:
    """The live-tail topic: log.<level>.<process>, level in lower case."""
    return f"log.{rec.level.lower()}.{rec.process}"
