"""The "guarded again" alert owed after an alert said the accounts are still NOT guarded.

Pure bookkeeping, clock-free (every call carries `now_ns`). A guard worker's "back" alert and
riskd's "running again" wait at most 15 s for the accounts to be guarded, then go out saying
"..., but accounts are still NOT guarded: broker user hub connecting" (backalerts.py,
riskdalerts.py). When the accounts are guarded later (the hubs connect after 20 s), no other
alert said so: the phone's last word stayed "still NOT guarded" (trial18a section 3). So such
an alert owes one more: once nothing keeps the accounts unguarded, "🟢 Accounts are guarded
again after 25s unguarded", at the severity of the alert that owed it (a channel that got the
"still NOT guarded" gets its end). A later alert of the supervisor's that says "guarded again"
itself (another worker's "back") pays it: nothing more is sent.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable, Iterable, Optional

import attrs

from shared import showtime
from shared.messages.notify import NotifyEvent
from shared.when import gap

KIND = "guarded_again"
_RANK = {"info": 0, "warning": 1, "critical": 2}


@attrs.define
class GuardedAgain:
    """Owed since an alert said "still NOT guarded"; due() returns the alert that pays it."""

    since_ns: Optional[int] = None         # when the first unpaid alert said so
    gap_ns: int = 0                        # since when the accounts were unguarded then
    reasons: tuple[str, ...] = ()          # what it (and any later one) said keeps them unguarded
    severity: str = "info"

    @property
    def waiting(self) -> bool:
        return self.since_ns is not None

    def said(self, now_ns: int, reasons: Iterable[str], severity: str,
             gap_ns: Optional[int] = None) -> None:
        """An alert of the supervisor's just told the phone whether the accounts are guarded:
        reasons why not (then "guarded again" is owed), or none (it said so itself). gap_ns:
        since when they are unguarded (GuardTracker.open_gap; default now_ns)."""
        reasons = tuple(reasons)
        if not reasons:
            self.since_ns, self.reasons, self.severity = None, (), "info"
            return
        if self.since_ns is None:
            self.since_ns, self.reasons, self.severity = now_ns, reasons, severity
            self.gap_ns = now_ns if gap_ns is None else min(gap_ns, now_ns)
            return
        self.reasons = tuple(dict.fromkeys(self.reasons + reasons))
        if _RANK.get(severity, 0) > _RANK.get(self.severity, 0):
            self.severity = severity

    def due(self, now_ns: int, unguarded: Iterable[str], tz: dt.tzinfo,
            unguarded_s: Callable[[int], float]) -> Optional[NotifyEvent]:
        """The alert once nothing keeps the accounts unguarded (unguarded: GuardTracker.reasons()),
        else None. unguarded_s(since_ns): the unguarded seconds riskctl status counts from then
        to now (GuardTracker.unguarded_s), here from the gap the owing alert was in."""
        if self.since_ns is None or tuple(unguarded):
            return None
        since, reasons, severity = self.since_ns, self.reasons, self.severity
        counted = unguarded_s(self.gap_ns)
        self.since_ns, self.reasons, self.severity = None, (), "info"
        return NotifyEvent(
            kind=KIND, severity=severity,
            title=f"🟢 Accounts are guarded again after {gap(counted)} unguarded",
            lines=[f"the alert at {showtime.start(since, tz, now_ns)} said they were still NOT "
                   f"guarded: {', '.join(reasons)}; that has ended (riskctl status counts "
                   f"the same unguarded time)"],
            ts_ns=now_ns)
