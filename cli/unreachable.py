"""What riskctl says when the supervisor answers that a worker is not reachable: what riskd
knows of that worker (restarting, stopped, crashing) and the next step, instead of
"market is not reachable (not running?) [unreachable]" (fresh-user trial, 2026-12-05:
`riskctl positions` while market restarted). docs/operations.md (When market is not running,
and the sections beside it) says what each worker's absence means.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

# a worker's state (services/supervisor/policy.py) -> what it means for a command now
_STATE_WORDS = {
    "starting": ("is restarting", "try again in a few seconds"),
    "backoff": ("is restarting after it stopped", "try again in a few seconds"),
    "stopping": ("is stopping", "`riskctl start {name}` once it has stopped"),
    "stopped": ("is stopped", "`riskctl start {name}` starts it"),
    "flapping": ("keeps stopping and riskd waits longer before each restart",
                 "`riskctl logs --process {name}` says why"),
}
_WORKER = re.compile(r"^(\w+) is not reachable")


def worker_named(reason: str) -> Optional[str]:
    """The worker a supervisor's 'unreachable' reply is about ('market'), or None."""
    m = _WORKER.match(reason or "")
    return m.group(1) if m else None


def unreachable_text(reason: str, workers: Iterable) -> str:
    """The sentence for an 'unreachable' reply: `workers` are the supervisor's WorkerInfo rows
    (empty when it could not say)."""
    name = worker_named(reason)
    info = next((w for w in workers if w.name == name), None) if name else None
    words = _STATE_WORDS.get(getattr(info, "state", ""))
    if words is None:
        # running again already, or not known: the command may simply be retried
        return (f"{name or 'a riskd worker'} did not answer; try again in a few seconds "
                f"(`riskctl status` shows what riskd runs)")
    what, step = words
    return f"{name} {what}: {step.format(name=name)} (`riskctl status` shows what riskd runs)"
