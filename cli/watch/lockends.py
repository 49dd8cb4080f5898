"""How a LAST ACTIONS row's lockout ended, in history's words (pure).

trial23a finding 1: an admin's unlock ended trade_frequency_limit's cooldown at 11:08:28, and
its row kept "lock ... locked until 11:37:47" all day, beside a banner of a later, shorter
cooldown of the same rule; `riskctl history` said "ended early at Mon 11:08:28 CST by an unlock
(admin:root)". The rows of lockouts to the roll said only "flatten done". The screen keeps
today's lockout changes (risk's history, then the 'lockout' stream) and each row with a lockout
says it as history does (shared/historywords.decision_ends: the first clearing of that lockout
at or after the row, before its end): a lockout row's outcome "ended early 11:08:28", and under
a row its lock, "locked until the roll at Mon 17:00 CST, ended early at Mon 11:21:40 CST by an
unlock (admin:root)".
"""
from __future__ import annotations

import datetime as dt
from shared.historywords import decision_ends, fmt_time
from shared.lockwords import locked_words

MAX_CHANGES = 2000              # today's lockout changes kept (a day of bursts: a few hundred)
ENDED_EARLY = "ended early"     # a lockout row's outcome once its lockout ended before its end


def keep(changes: list, new) -> bool:
    """Add lockout changes (LockoutChange) not known yet, oldest first; True when any was."""
    known = {(c.lockout.id, c.change, c.ts_ns) for c in changes}
    fresh = [c for c in new if (c.lockout.id, c.change, c.ts_ns) not in known]
    if not fresh:
        return False
    changes.extend(fresh)
    changes.sort(key=lambda c: c.ts_ns)
    del changes[:-MAX_CHANGES]
    return True


def ends_of(rows: list, changes: list, tz: dt.tzinfo, now_ns: int) -> dict[int, str]:
    """id(row) -> ', ended early at Mon 11:08:28 CST by an unlock (admin:root)' for each row
    with a lockout (ActionRow.lock) cleared before its end (an extension since has a row of its
    own); rows whose lockout did not end early are not in it."""
    locked = [r for r in rows if getattr(r, "lock", None) is not None]
    if not locked or not changes:
        return {}
    ends = decision_ends(locked, changes, tz, now_ns)
    return {id(r): end for r, end in zip(locked, ends) if end}


def early_at(ended: str) -> str:
    """The clock time of 'ended early at Mon 11:08:28 CST ...': '11:08:28'."""
    after = ended.split(f"{ENDED_EARLY} at ", 1)[-1]
    return next((w for w in after.split() if w.count(":") == 2), after.split(" by ")[0])


def lock_note(row, tz: dt.tzinfo, now_ns: int, ended: str = "") -> str:
    """The line under a row whose decision locked the account: its lock as history says it,
    and how it ended early when it did ('locked until the roll at Mon 17:00 CST, ended early at
    Mon 11:21:40 CST by an unlock (admin:root)')."""
    lk = row.lock
    end = fmt_time(lk.until_ns, tz, relative=False, now_ns=now_ns, end=True) \
        if lk.until_ns else None
    return locked_words(lk.kind, row.rule, end, lk.clears_on or "", lk.symbol) + ended


__all__ = ["keep", "ends_of", "early_at", "lock_note", "ENDED_EARLY", "MAX_CHANGES"]
