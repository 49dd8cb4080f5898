"""While riskd's supervisor is gone: notify's alert when a guard worker stops answering.

A supervisor killed hard leaves its workers guarding (services/notify/supervisorwatch.py says
so once), but nothing restarts one that stops: a risk killed then left nothing checking the
rules, and the phone's last word stayed "its workers keep guarding" (trial). Each guard worker
(market, risk or its shards, enforcement: shared/guardwords.py) publishes a Heartbeat every
second on its own PUB, which notify reads. While the supervisor is gone, one silent for
SILENT_AFTER_S gets a critical alert ("risk is not running: the accounts are NOT guarded:
nothing checks the rules") and, if its beats come again, a critical "answering again" one.
With the supervisor there, its own worker alerts say it (templates.py): none here. Notify's
own loop stalled (a tick late by more than STALL_S) counts the silence again from then.
Pure, clock-free: every call carries a monotonic `now`; docs/alerts.md lists both alerts.
"""
from __future__ import annotations

from services.notify.templates import CRITICAL, Alert
from shared import guardwords
from shared.when import duration

SILENT_AFTER_S = 5.0      # five missed beats: the worker is not running (or hangs)
STALL_S = 3.0
DOC = "docs/operations.md, When riskd's supervisor is killed"


class GuardWatch:
    """heard(name) on each guard worker's heartbeat; tick(supervisor_gone) every second; both
    return the alerts due."""

    def __init__(self, guards, now: float, silent_after_s: float = SILENT_AFTER_S):
        self.guards = [g for g in guards if guardwords.is_guard(g)]
        self.silent_after_s = silent_after_s
        self._heard = {g: now for g in self.guards}     # notify's start counts as a beat
        self._down: dict[str, float] = {}               # alerted: name -> last beat before
        self._ticked = now

    def heard(self, name: str, now: float) -> list[Alert]:
        if name not in self._heard:
            return []
        self._heard[name] = now
        if name not in self._down:
            return []
        silent = now - self._down.pop(name)
        return [Alert(kind="guard_back", severity=CRITICAL,
                      title=f"🟢 {name} is answering again after {duration(silent)} silent "
                            f"(riskd's supervisor is still not running)",
                      lines=(self._guarded_line(),))]

    def silent(self, now: float) -> tuple:
        """The guard workers silent for SILENT_AFTER_S at `now` (alerted or not)."""
        if now - self._ticked > STALL_S:          # notify stalled: tick() counts again
            return ()
        return tuple(g for g in self.guards if now - self._heard[g] >= self.silent_after_s)

    def tick(self, now: float, supervisor_gone: bool) -> list[Alert]:
        if now - self._ticked > STALL_S:          # notify's loop was stalled: count again
            for g in self._heard:
                self._heard[g] = max(self._heard[g], now)
        self._ticked = now
        if not supervisor_gone:
            self._down.clear()                    # the supervisor's own alerts say it now
            return []
        out = []
        for g in self.guards:
            silent = now - self._heard[g]
            if g in self._down or silent < self.silent_after_s:
                continue
            self._down[g] = self._heard[g]
            out.append(Alert(
                kind="guard_silent", severity=CRITICAL,
                title=f"🔴 {g} is not running: the accounts are NOT guarded: "
                      f"{guardwords.meaning(g)}",
                lines=(f"no heartbeat from {g} for {duration(silent)} while riskd's supervisor "
                       f"is not running: nothing restarts it; {guardwords.START_AGAIN} ({DOC})",)))
        return out

    def _guarded_line(self) -> str:
        if self._down:
            return "still NOT running: " + ", ".join(
                f"{g} ({guardwords.meaning(g)})" for g in sorted(self._down))
        return ("every guard worker answers again: they keep guarding, but nothing restarts "
                f"one that stops; {guardwords.START_AGAIN}")
