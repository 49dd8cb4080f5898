"""Is riskd's supervisor still there? Notify's alert when its heartbeats stop.

A supervisor killed hard (kill -9, a crash) leaves its workers guarding (docs/operations.md,
When riskd's supervisor is killed), notify among them, but nothing told the phone, and from
then on nothing restarts a worker that stops (trial). The supervisor publishes a Heartbeat
every second (shared/worker.py) on the events PUB notify subscribes to; SupervisorWatch
alerts once when none came for SILENT_AFTER_S (ten missed beats: a busy moment of the
supervisor is no alarm) and once more, "answering again", if they come back (a supervisor
that was hung, not killed). Three things are no alarm: riskd's own stop (its "riskd is
stopping" alert came: the supervisor ends its loop, then stops notify), notify's own loop
stalled (a tick late by more than STALL_S: the heartbeats may be waiting unread, so the
silence is counted again from then) and the first SILENT_AFTER_S after notify started.
Pure, clock-free: every call carries a monotonic `now`; docs/alerts.md lists both alerts.
"""
from __future__ import annotations

from typing import Optional

from services.notify.templates import CRITICAL, INFO, WARNING, Alert
from shared.when import duration

SILENT_AFTER_S = 10.0     # no heartbeat for this long: the supervisor is not running
STALL_S = 3.0             # notify's own tick this late: it cannot tell, count again
DOC = "docs/operations.md, When riskd's supervisor is killed"


class SupervisorWatch:
    """heard() on each supervisor heartbeat, stopping() on riskd's stop alert, tick() every
    second; heard() and tick() return the alerts due."""

    def __init__(self, now: float, silent_after_s: float = SILENT_AFTER_S):
        self.silent_after_s = silent_after_s
        self._heard = now                       # notify's start counts as a sign of life
        self._ticked = now
        self._alerted_at: Optional[float] = None    # the last beat before the alert
        self._stopping = False

    def heard(self, now: float) -> list[Alert]:
        self._heard = now
        if self._alerted_at is None:
            return []
        silent = now - self._alerted_at
        self._alerted_at = None
        return [Alert(kind="supervisor_back", severity=INFO,
                      title=f"🟢 riskd's supervisor is answering again after {duration(silent)} "
                            f"silent: it restarts workers that stop again")]

    @property
    def gone(self) -> bool:
        """The supervisor's silence was alerted and it has not answered since."""
        return self._alerted_at is not None

    @property
    def silent_since(self) -> Optional[float]:
        """The monotonic time of its last heartbeat while it is gone (None: it is not)."""
        return self._alerted_at

    def stopping(self) -> None:
        """riskd is stopping on purpose (its own alert says so): its silence is no news."""
        self._stopping = True

    def tick(self, now: float, guards_silent: tuple = ()) -> list[Alert]:
        """guards_silent: the guard workers silent too (services/notify/guardwatch.py): then
        the alert does not say the workers keep guarding (their own alert follows)."""
        if now - self._ticked > STALL_S:      # notify's loop was stalled: unread beats may wait
            self._heard = max(self._heard, now)
        self._ticked = now
        silent = now - self._heard
        if self._stopping or self._alerted_at is not None or silent < self.silent_after_s:
            return []
        self._alerted_at = self._heard
        keep = (f"{', '.join(guards_silent)} not running either: the accounts are NOT guarded"
                if guards_silent else "its workers keep guarding")
        return [Alert(kind="supervisor_silent", severity=CRITICAL if guards_silent else WARNING,
                      title=f"⚠️ riskd's supervisor is not running: {keep}, "
                            "but nothing restarts one that stops: start riskd again "
                            "(`make run`, `systemctl start riskd` or `sc start riskd`)",
                      lines=(f"no heartbeat from it for {duration(silent)}: it was killed "
                             f"(kill -9), crashed or hangs; riskctl's commands cannot reach "
                             f"the workers until riskd runs again (`riskctl watch` still reads "
                             f"them; {DOC})",))]
