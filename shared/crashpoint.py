"""Test-only crash points: make a worker die (os._exit) at a named moment, off by default.

The reliability suite (tests/chaos) and a few integration tests kill guard
workers at the worst moments, e.g. between sending a close and recording its
answer. A worker reaches `crash_point(name)` at each such moment; nothing
happens unless the environment variable RISKD_CRASH_DIR names a folder (it
never does in production; the check is one dict lookup at import). Then a
file named `name` in that folder arms the point: the first process to reach
it removes the file (only one wins) and exits at once with CRASH_EXIT, as a
kill -9 would leave things. The test arms a point by creating the file and
sees it fired when the file is gone.

Points: enforcement.running_recorded, enforcement.close_sent,
risk.decision_committed, risk.withdraw_committed, market.fill_received, and NAME.starting
for every worker (shared/worker.py: a new process exits before it is up, as a kill -9 of it
while it starts would).
"""
from __future__ import annotations

import os

CRASH_EXIT = 86
_DIR = os.environ.get("RISKD_CRASH_DIR") or None


def crash_point(name: str) -> None:
    """Exit now if a test armed this point (see the module docstring); else nothing."""
    if _DIR is None:
        return
    try:
        os.remove(os.path.join(_DIR, name))
    except OSError:
        return               # not armed, or another process fired it first
    os._exit(CRASH_EXIT)
