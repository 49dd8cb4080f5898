"""How a decision riskd tried again ended, in history's words (shared/historywords.py).

Risk tries a failed close, reduce, flatten or cancel of its own again while its reason holds
(services/risk/retries.py): each try is a command of the decision, '<decision id>.<n>'.
Enforcement's journal answers for every try it ran (services/enforcement/app.py,
later_tries); risk's history reply says which failed actions it still tries again (and when)
and which ended without riskd (HistoryReply.failing, .ended). History tells the decision's
end from those: "done on the 3rd attempt at ...", "FAILED on the 1st attempt, riskd tries
again at ...", "FAILED on the 2nd attempt, then closed outside riskd"; a try that failed while
riskd tries again never reads "gave up" (that is enforcement's word for its own rounds of one
try). Fresh-user trial 2026-12-06: history kept "FAILED: close_position gave up after 4
rounds" for good while status, the phone and the log said the 3rd attempt closed MNQ.
"""
from __future__ import annotations

from typing import Optional

import attrs

from shared import latewords
from shared.retrying import KILL_SWITCH_RULES, ordinal


@attrs.frozen
class Retries:
    """What risk said of the decisions' failed actions: decision id -> its FailingAction
    (riskd tries it again), decision id -> how it ended without riskd."""
    failing: dict = attrs.Factory(dict)
    ended: dict = attrs.Factory(dict)

    @classmethod
    def of(cls, body) -> "Retries":
        """From a HistoryReply (one of an older risk has neither: nothing is known)."""
        failing = {decision_of(f.command_id): f for f in getattr(body, "failing", ()) or ()
                   if f.command_id}
        return cls(failing, dict(getattr(body, "ended", None) or {}))


def decision_of(command_id: str) -> str:
    """'<decision id>' of a try '<decision id>.<n>' (the id itself when not numbered)."""
    base, dot, tail = command_id.rpartition(".")
    return base if dot and tail.isdigit() else command_id


def carried_late(clock: str) -> str:
    """How a failed action ended when a close was then taken as its own held call carried out
    late: 'taken as carried out late at 03:06:42' (history's 'FAILED ..., then ...', LAST
    ACTIONS; riskd cannot tell it from the trader's own close: shared/latewords.py)."""
    return latewords.ended(clock)


def late_endings(warnings, clock) -> dict:
    """decision id -> carried_late() of each late-close note of a close that did not end done
    (RuleWarning.late_of), from the stored history: what risk's memory said of them before
    a restart (failedlate20's leftover: it was lost then). clock(ns) -> '03:06:42'."""
    return {w.late_of: carried_late(clock(w.fill_ns or w.ts_ns))
            for w in warnings if getattr(w, "late_of", "")}


FLAT_NOW = "flat now"      # risk's word for a failed action whose target riskd closed otherwise
# the kill switch's command ids: 'admin-<ns>.<account>' ('manual-...' before it was so named)
KILL_SWITCH_IDS = tuple(f"{rule}-" for rule in KILL_SWITCH_RULES)


def try_id(command_id: str, n: int) -> str:
    """The id of the decision's n-th try, from the id of any of its tries."""
    return f"{decision_of(command_id)}.{n}"


def latest(command_id: Optional[str], outcomes: Optional[dict]) -> tuple[int, object]:
    """(n, state) of the decision's latest try enforcement knows (command_id: its 1st try's,
    '<decision>.1'), (1, None) when it knows none. The tries are walked as enforcement walks
    them ('.2', '.3', ... while they exist); the kill switch's 'admin-<ns>.<account>' ends
    with an account id, not a try."""
    outcomes = outcomes or {}
    state = outcomes.get(command_id or "")
    if not command_id or not command_id.endswith(".1") or command_id.startswith(KILL_SWITCH_IDS):
        return 1, state
    n = 1
    while try_id(command_id, n + 1) in outcomes:
        n += 1
        state = outcomes[try_id(command_id, n)]
    return n, state


def earlier(n: int) -> str:
    """The tries before the n-th, all failed: 'the 1st', 'the 1st and 2nd', 'the 3 before it'."""
    if n <= 2:
        return "the 1st"
    if n == 3:
        return "the 1st and 2nd"
    return f"the {n - 1} before it"


def not_given_up(detail: str) -> str:
    """A try's failure when riskd goes on trying (or stopped only as its reason went):
    enforcement's rounds of that try 'failed after', riskd did not give up (the status
    banner says "riskd tries again at ...")."""
    return detail.replace(" gave up after ", " failed after ")


def again_words(f, at) -> str:
    """'riskd tries again at Sun 03:15:49 CST' (at: ns -> the time in words), or 'riskd is
    trying again now' while its next try is on its way."""
    if f.next_ns:
        return f"riskd tries again at {at(f.next_ns)}"
    return "riskd is trying again now"


def attempt(n: int) -> str:
    """'on the 3rd attempt'."""
    return f"on the {ordinal(n)} attempt"
