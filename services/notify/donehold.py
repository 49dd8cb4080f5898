"""Enforcement's outcomes held until what must reach the phone before them has (pure).

Notify hears risk's decisions and enforcement's outcomes on different publishers, and the
supervisor's "worker back" on a third; each comes as its socket delivers it. Trial15a read
"✅ Done on Demo 2 ... MNQ closed" 120 ms before the "🔒 Lockout enforced" breach alert that
decided it (risk, just restarted, sent the decision from its kept copy once notify's
subscription reached it again, while enforcement's Done came live), and "✅ Done ...:
enforcement is back" 90 ms before "🟢 Worker enforcement is back" (the supervisor says
"back" on its next pass). A phone reads the cause before the work, so an outcome waits for:

- DECISION: the decision of risk's own command ('<decision id>.1', shared/messages/risk.py
  command_key), when notify has not taken it yet;
- BACK: the "back" alert of the worker the action waited for (its breach alert said it
  waits for enforcement), when that has not come since the worker went down;
- FILLS: risk's note of what a close's orders filled (size, price, PnL: services/risk/
  closefills.py), which the Done says; not come within WAIT_S (the fills are late), the Done
  goes without it, saying nothing of it, and the note follows as its own alert.

An outcome waits at most WAIT_S; then it goes, saying what had not come (missing_line). What
it waits for may never come (a decision notify missed, a "back" the supervisor holds for the
guard): the Done is late then, never lost. Times: the caller's monotonic clock.
"""
from __future__ import annotations

from typing import Any, Optional

import attrs

from shared.retrying import is_kill_switch, try_number

WAIT_S = 2.0
DECISION, BACK, FILLS = "decision", "back", "fills"


def decision_of(result) -> Optional[str]:
    """The id of the decision risk published for this command, or None: a command risk did not
    decide on a rule's breach (the kill switch, an admin's, a retry of an older decision)."""
    cid = getattr(result, "command_id", "") or ""
    if "." not in cid or not getattr(result, "rule", "") or is_kill_switch(result.rule) \
            or getattr(result, "by", "") or try_number(cid) != 1:
        return None
    return cid.rsplit(".", 1)[0]


def missing_line(need: tuple[str, str], wait_s: float = WAIT_S) -> str:
    """What an outcome sent without what it waited for says of it."""
    kind, what = need
    if kind == FILLS:
        return ""           # the fills' note follows on its own when it comes
    if kind == DECISION:
        return (f"sent before the alert of the decision that caused it: that decision had not "
                f"reached notify {wait_s:g} s after this outcome (riskctl history shows it)")
    return (f"sent before the \"Worker {what} is back\" alert, which had not reached notify "
            f"{wait_s:g} s after this outcome")


@attrs.define
class _Held:
    msg: Any
    row: int
    since: float
    needs: set


class DoneHold:
    """Outcomes waiting for their decision or a worker's "back" (see the module's docstring)."""

    def __init__(self, wait_s: float = WAIT_S):
        self.wait_s = wait_s
        self._held: list[_Held] = []

    def hold(self, msg: Any, row: int, needs: set, now: float) -> None:
        """Hold an outcome (row: its copy in notify's held table) until each of needs is
        heard, at most wait_s."""
        self._held.append(_Held(msg, row, now, set(needs)))

    def heard(self, need: tuple[str, str]) -> list[tuple[Any, int]]:
        """A decision was taken, or a worker's "back" queued: the outcomes that now have all
        they waited for, in the order they came."""
        free = []
        for held in list(self._held):
            held.needs.discard(need)
            if not held.needs:
                self._held.remove(held)
                free.append((held.msg, held.row))
        return free

    def due(self, now: float, everything: bool = False) -> list[tuple[Any, int, list]]:
        """The outcomes held wait_s (every one with everything), each with what it still
        waits for (sorted)."""
        out = []
        for held in list(self._held):
            if everything or now - held.since >= self.wait_s:
                self._held.remove(held)
                out.append((held.msg, held.row, sorted(held.needs)))
        return out

    def __len__(self) -> int:
        return len(self._held)
