"""LAST ACTIONS rows of what riskd did to an account with no command of its own (pure): a
lockout a rule (or a person) took without a broker call, and a fill taken as a close riskd had
given up on, carried out late by the broker (or the trader's own close: riskd cannot tell which).

Fresh-user trial19a section 6: a trade_frequency_limit cooldown (history: "lock the account
(timer)") never showed in LAST ACTIONS, so the screen's "what riskd did" and history's
differed. late19: a close carried out late had history's "riskd (late close)" and an alert,
and no row. The row's words: action LOCK ("lock"), outcome "locked until 02:16:49" (the day
is the row's own, said in its time column; another day's end names its day), "extended to
...", "locked already" (a lockout as long or longer held the account: nothing changed), and
the latency column NO_CALL: no broker call was made for it. A late close: action
"close_position MNQ", outcome LATE_DONE, latency NO_CALL (riskd had ended its call already).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Optional

from shared import afterclosewords, latewords, showtime
from shared.clock import from_ns
from shared.lockwords import end_words
from shared.messages.risk import LOCKED_ALREADY, OWN_EXTENDED, same_end

LOCK = "lock"                      # the action column of a lockout taken with no broker call
NO_CALL = "no call"                # the latency column: no broker call was made
# the row's status (its outcome is said by lock_outcome)
LOCKED, EXTENDED, HELD = "locked", "extended", "locked already"
LATE = "late close"                # a fill taken as a close riskd gave up on, carried out late
# its outcome: "taken as riskd's" (riskd cannot tell it from the trader's own close:
# shared/latewords.py; before, "done late by the broker", a fact riskd did not know)
LATE_DONE = latewords.TAKEN_ROW
LATE_WHO = latewords.WHO           # its rule column, as history's WHO: 'riskd (late close)'


def lock_status(mode: str, suppressed: str) -> str:
    """The status of a lockout decision with no broker action: 'alert only' (alert mode),
    EXTENDED (its lockout, or the one it shares, was extended to its end), HELD (another
    lockout as long or longer held the account: nothing changed), LOCKED (a lockout taken)."""
    if mode == "alert":
        return "alert only"
    if not suppressed:
        return LOCKED
    if OWN_EXTENDED in suppressed or suppressed.endswith(", extended"):
        return EXTENDED
    if LOCKED_ALREADY.split(",")[0] in suppressed or "already locked" in suppressed \
            or "as long or longer" in suppressed or same_end(suppressed):
        # a new count under its own timer that ends in that second changed nothing either
        # (trial23a finding 6: its row repeated the one before, "locked until 11:06:30")
        return HELD
    return LOCKED


def lock_outcome(status: str, until_ns: Optional[int], kind: str, clears_on: str,
                 symbol: Optional[str], at_ns: int, tz: dt.tzinfo, now_ns: int) -> str:
    """The OUTCOME of a lockout row: 'locked until 02:16:49', 'extended to 02:30:51', 'locked
    until the roll', 'locked already', 'alert only'. A time on the day of the row's own time
    (its column names the day) is the clock alone; another day's names its day."""
    if status not in (LOCKED, EXTENDED):
        return status
    if until_ns:
        end = showtime.up_to_second(until_ns)
        same_day = from_ns(end, tz).date() == from_ns(at_ns, tz).date()
        when = f"{from_ns(end, tz):%H:%M:%S}" if same_day else showtime.end(end, tz, now_ns)
        return f"{'locked until' if status == LOCKED else 'extended to'} {when}"
    words = end_words(kind, clears_on, symbol)
    return f"locked {words}" if status == LOCKED else f"extended: {words}"


_LATE_SYMBOL = re.compile(r"riskd's earlier (?:close|reduce) of (\S+) \(|^riskd cut \d+ (\S+) "
                          + re.escape(latewords.OVERCUT))


def late_symbol(reason: str) -> str:
    """The contract a late close closed, from risk's note (latewords.sentence): 'MNQ'."""
    m = _LATE_SYMBOL.search(reason or "")
    return (m.group(1) or m.group(2)) if m else ""


_OVERCUT = re.compile(r"^riskd cut (\d+) \S+ " + re.escape(latewords.OVERCUT))


def late_outcome(reason: str) -> str:
    """The OUTCOME of a late close's row: LATE_DONE ("taken as riskd's"), or for a reduce's
    cut carried out after riskd's next one (latewords.reduce_sentence) what it did: "cut 2 too
    many" (trial23b finding 1: "taken as riskd's" beside a position the rule had allowed, now
    gone). Short enough for the narrowest outcome column the row gets beside its rule column
    'riskd (late close)' (check23: "riskd's: cut 2 too ma…", then whole on the next line)."""
    m = _OVERCUT.search(reason or "")
    return f"cut {m.group(1)} too many" if m else LATE_DONE


def is_late_close(rule: str) -> bool:
    return rule == latewords.LATE_CLOSE


# the trader's fill that opened a position right after riskd's close of that contract (risk's
# note, services/risk/afterclose.py): its row, rule column history's WHO, action 'sell MNQ',
# outcome 'opened short 1', the note's sentence under it
OPENED = "opened after riskd's close"     # its status
OPENED_WHO = afterclosewords.WHO


def is_opened_after(rule: str) -> bool:
    return rule == afterclosewords.OPENED_AFTER


# the trader's fill made while riskd's close was in flight, the trader's after all (risk's note
# afterclosewords.DURING): its row, action 'sell MNQ', outcome 'your trade, counted'
DURING = "made during riskd's close"      # its status
DURING_WHO = afterclosewords.DURING_WHO


def is_during(rule: str) -> bool:
    return rule == afterclosewords.DURING


__all__ = ["LOCK", "NO_CALL", "LOCKED", "EXTENDED", "HELD", "LATE", "LATE_DONE", "LATE_WHO",
           "late_outcome", "lock_status",
           "lock_outcome", "late_symbol", "is_late_close", "OPENED", "OPENED_WHO",
           "is_opened_after", "DURING", "DURING_WHO", "is_during"]
