"""Audit records from an unknown sender: kept as a plain system.log line, said once per burst.

The intake takes log lines from any local process, but an audit record (shared/auditproof.py)
is chained into audit.log only with the proof of riskd's control key. One without it is not
lost and not audit: kept() turns it into a WARNING line of the logging worker's, in system.log
only (logger LOGGER, field rejected_audit, the sender's text and fields kept beside it as
claimed_*), never routed to audit.log, enforcement.log or error.log. Bursts tells the logging
worker when to say so in its own log (and on stderr): at a sender's first rejected record, then
at most once per QUIET_S with the count since, so a flood of forged lines gives a few warnings,
not one per line.
"""
from __future__ import annotations

import json
import logging
import os
import time
from typing import Callable, Optional

from shared.messages.logs import LogRecord, iso_utc

LOGGER = "riskd.logsink.rejected"
QUIET_S = 60.0
MAX_SENDERS = 256         # beyond this many senders at once, they are said together
MANY = "(many senders)"


def kept(rec: LogRecord, publisher: str, now_ns: int) -> LogRecord:
    """The rejected record as an ordinary line of the logging worker's: its text kept, marked
    rejected, with nothing that routes it to audit.log (or enforcement/error)."""
    return LogRecord(
        ts_ns=now_ns, level="WARNING", levelno=logging.WARNING, process="logging",
        pid=os.getpid(), logger=LOGGER,
        message=f"rejected audit record from an unknown sender (no proof of riskd's control "
                f"key; not in audit.log): {rec.process}[{rec.pid}] {rec.logger}: {rec.message}",
        fields={"rejected_audit": True, "sender": publisher, "claimed_process": rec.process,
                "claimed_pid": rec.pid, "claimed_logger": rec.logger,
                "claimed_level": rec.level, "claimed_time": iso_utc(rec.ts_ns),
                "claimed_fields": json.dumps(rec.fields, sort_keys=True, ensure_ascii=False,
                                             default=str)},
        exc=rec.exc)


class Bursts:
    """Per sender: say its first rejected record at once, then the count at most every quiet_s
    (due() says what a quiet sender left unsaid)."""

    def __init__(self, quiet_s: float = QUIET_S,
                 monotonic: Callable[[], float] = time.monotonic):
        self.quiet_s = quiet_s
        self._monotonic = monotonic
        self._senders: dict[str, list] = {}     # sender -> [said_at, unsaid count]
        self.total = 0

    def note(self, sender: str) -> Optional[int]:
        """One more rejected record from sender -> how many to say now, or None (later)."""
        self.total += 1
        now = self._monotonic()
        if sender not in self._senders and len(self._senders) >= MAX_SENDERS:
            sender = MANY
        state = self._senders.get(sender)
        if state is None or now - state[0] >= self.quiet_s:
            count = 1 + (state[1] if state else 0)
            self._senders[sender] = [now, 0]
            return count
        state[1] += 1
        return None

    def due(self) -> list[tuple[str, int]]:
        """(sender, count) for each sender with records unsaid for quiet_s; a sender quiet that
        long with nothing unsaid is forgotten (its next record starts a new burst)."""
        now = self._monotonic()
        out = []
        for sender, state in list(self._senders.items()):
            if now - state[0] < self.quiet_s:
                continue
            if state[1]:
                out.append((sender, state[1]))
                self._senders[sender] = [now, 0]
            else:
                del self._senders[sender]
        return out
