"""Records from another riskd on this machine: dropped, counted, and said once.

Two riskds with one address in common reach each other's logging intake: a worker of the other
one, failing to bind its ports, still PUSHes its log lines to bus.logging_in, which a sender
connects to. Each record carries its riskd's instance id (shared/instanceid.py); one whose id
is set and is not this riskd's is not written, so this riskd's logs hold only what happened to
it. The first such record is said in this riskd's log, once, with the sending process, its pid
and the record's own first words, so an operator can tell a second riskd refused at its start
("riskd cannot start: cannot bind ...") from one still running (trial17a section 10: the line
named an instance id only); the count is kept (`dropped`). A record with no id (a local tool)
is taken as before.
"""
from __future__ import annotations

import logging

log = logging.getLogger("riskd.logsink.foreign")

SAID = "records from another riskd on this machine were ignored: check its ports"
FIRST_WORDS = 160      # characters of the first dropped record said with it


class Foreign:
    """Counts the other riskds' records this logging worker dropped."""

    def __init__(self, own: str):
        self.own = own
        self.dropped = 0

    def is_foreign(self, instance: str) -> bool:
        """One comparison for a record of this riskd (the common case)."""
        return instance != self.own and bool(instance) and bool(self.own)

    def drop(self, process: str, instance: str, pid: int = 0, message: str = "") -> None:
        self.dropped += 1
        if self.dropped == 1:
            who = f"{process} (pid {pid})" if pid else process
            text = " ".join((message or "").split())
            if len(text) > FIRST_WORDS:
                text = text[:FIRST_WORDS - 3] + "..."
            said = f', which said "{text}"' if text else ""
            log.warning("%s (the first from its %s, riskd instance %s%s; docs/operations.md, "
                        "Two riskd on one machine)", SAID, who, instance, said,
                        extra={"foreign_instance": instance, "foreign_process": process,
                               "foreign_pid": pid})
