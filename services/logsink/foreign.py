"""Records from another riskd on this machine: dropped, counted, and said once.

Two riskds with one address in common reach each other's logging intake: a worker of the other
one, failing to bind its ports, still PUSHes its log lines to bus.logging_in, which a sender
connects to. Each record carries its riskd's instance id (shared/instanceid.py); one whose id
is set and is not this riskd's is not written, so this riskd's logs hold only what happened to
it. The first such record is said in this riskd's log, once, with the sending process; the
count is kept (`dropped`). A record with no id (a local tool) is taken as before.
"""
from __future__ import annotations

import logging

log = logging.getLogger("riskd.logsink.foreign")

SAID = "records from another riskd on this machine were ignored: check its ports"


class Foreign:
    """Counts the other riskds' records this logging worker dropped."""

    def __init__(self, own: str):
        self.own = own
        self.dropped = 0

    def is_foreign(self, instance: str) -> bool:
        """One comparison for a record of this riskd (the common case)."""
        return instance != self.own and bool(instance) and bool(self.own)

    def drop(self, process: str, instance: str) -> None:
        self.dropped += 1
        if self.dropped == 1:
            log.warning("%s (the first from its %s, riskd instance %s; docs/operations.md, "
                        "Two riskd on one machine)", SAID, process, instance,
                        extra={"foreign_instance": instance, "foreign_process": process})
