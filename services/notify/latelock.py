"""A breach alert sent late says the lockout in force now, not only the one decided then.

A decision alerted late (notify was down: services/notify/catchup.py) carries the lockout it
took when risk decided it ("locked until Sat 18:09:50 CST"). By the time the phone reads it a
later breach may have extended the lockout (trial 2026-12-06: the account was locked until
18:23:51 while the late alert said 18:09:50), or an unlock or its end may have lifted it. Live
alerts lead with the longest lockout in force (services/notify/steps.py); a late one gets,
in place of its "locked ..." line, that line as decided and the lockout in force now, from the
lockouts risk listed when notify caught up.

A live alert of a lockout someone asked for (a self-lockout, an admin's) shorter than one
already holding the account says so beside its own end (held_longer: its "locked until 14:34
CST" read as the account's end while a cooldown held it until 16:03); risk names that longer
lockout in the step's LockoutChange.over.
"""
from __future__ import annotations

from typing import Optional

from services.notify.templates import _lock_words as lock_words   # one wording of an end
from shared.messages.risk import LOCKED_ALREADY, Decision, LockoutState

FOREVER = 2 ** 63          # a lockout with no set end (a session, a broker condition, an admin)


def _end(lock: LockoutState) -> int:
    return lock.until_ns if lock.until_ns is not None else FOREVER


def _until(lock: LockoutState, ctx, now_ns: int) -> str:
    return lock_words(lock.kind, lock.until_ns, ctx, now_ns, lock.clears_on, lock.symbol)


def now_words(d: Decision, locks: list[LockoutState], ctx, now_ns: int) -> Optional[str]:
    """What to add about the account's lockout now ('' or None: nothing to add): locks are
    the lockouts in force now (risk's list when notify caught up), any account."""
    held = [lk for lk in locks if lk.account_id == d.account_id and lk.symbol is None]
    longest = max(held, key=_end, default=None)
    if longest is None:
        return "no lockout of the account is in force now" if d.lock is not None else None
    now = f"locked now {_until(longest, ctx, now_ns)} ({longest.rule})"
    if d.lock is None or d.lock.symbol is not None:
        return now
    if _end(longest) > _end(d.lock):
        grown = _same(longest, d.lock) and not d.suppressed.startswith(LOCKED_ALREADY)
        if longest.since_ns > d.ts_ns or grown:
            return f"extended since: {now}"
        # trial 2026-12-06: "extended since: locked now until Mon 17:00 CST (drawdown_guard)"
        # of a drawdown lockout that held the account before the decision
        return f"within a longer lockout already in force then: {now}"
    return None                         # the lockout decided is the one in force


def _same(lock: LockoutState, spec) -> bool:
    """Whether a lockout in force is the one a decision took, since grown (risk extends a
    lockout in place: the same scope and kind, its start kept: services/risk/lockouts.py)."""
    return (lock.kind, lock.symbol, lock.clears_on) == (spec.kind, spec.symbol, spec.clears_on)


def held_longer(d: Decision, lines: tuple, over: Optional[LockoutState], ctx,
                now_ns: int) -> tuple:
    """The alert's lines, its "locked ..." line followed by the longer lockout that already
    holds the account (over: risk's LockoutChange.over of the decision's own lockout), when
    that one ends later: "locked until Wed 14:34:27 CST; a longer lockout already holds the
    account: still locked until Wed 16:03:27 CST (cooldown_after_loss)". As they were when
    the decision took no lockout or none holds longer."""
    if d.lock is None or over is None or _end(over) <= _end(d.lock):
        return lines
    return _beside(lines, f"a longer lockout already holds the account: still locked "
                          f"{_until(over, ctx, now_ns)} ({over.rule})", "; ")


def _beside(lines: tuple, words: str, sep: str) -> tuple:
    """The lines with words after the one "locked ..." line (sep between), or as a line of its
    own when there is not exactly one."""
    out = list(lines)
    at = [i for i, line in enumerate(out) if line.startswith("locked ")]
    if len(at) == 1:                   # the one lockout the alert names: beside it
        out[at[0]] = f"{out[at[0]]}{sep}{words}"
        return tuple(out)
    return (*out, words)               # several breaches, or none named: a line of its own


def late_lines(d: Decision, lines: tuple, locks: Optional[list[LockoutState]], ctx,
               now_ns: int) -> tuple:
    """The alert's lines with the lockout now beside the one decided: its "locked ..." line
    reads "locked until Sat 18:09:50 CST when decided; extended since: locked now until Sat
    18:23:51 CST (trade_frequency_limit)", or, when the longer lockout held the account before
    the decision, "...; within a longer lockout already in force then: locked now until Mon
    17:00 CST (drawdown_guard)". locks None (risk could not list them): as they
    were."""
    if locks is None:
        return lines
    words = now_words(d, locks, ctx, now_ns)
    if not words:
        return lines
    return _beside(lines, words, " when decided; ")
