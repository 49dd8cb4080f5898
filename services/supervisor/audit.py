"""The audit trail of ops and admin actions: one structured log record per action and outcome.

Records go to the logger 'riskd.audit' with extra fields (audit=True, action,
role, outcome); the logging worker routes them to audit.log with its hash chain.
"""
from __future__ import annotations

import logging

audit_log = logging.getLogger("riskd.audit")


def record(action: str, role: str, outcome: str, who: str = "", **fields) -> None:
    audit_log.info("%s by %s (%s): %s", action, who or "local user", role, outcome,
                   extra={"audit": True, "action": action, "role": role, "outcome": outcome,
                          "who": who or "local user", **fields})


def audited(respond, action: str, role: str, **fields):
    """Wrap a respond callback so the outcome of an ops/admin action lands in the audit trail."""
    def wrapper(reply) -> None:
        record(action, role, "ok" if reply.ok else f"{reply.code}: {reply.reason}", **fields)
        respond(reply)
    return wrapper
