"""Warnings while a lockout holds the whole account (docs/rules.md, "Warnings while the
account is locked"): whether a reading's warn_at warning is given, and what it says then.

Given, as it would be unlocked, when the rule's breach could still close or reduce a position
the lockout left open (Rule.acts_while_locked: a cooldown keeps positions). Given too when a
trade made while locked can itself bring the breach and its lockout would end later than the
lockouts in force (Rule.locks_until: a trade made while locked still counts; riskd closes it,
realizing its PnL, and the daily limits, drawdown_guard and trade_frequency_limit's day and
week windows then lock the account until the roll, its other windows for their cooldown):
that warning says the account is locked and why it still matters. Held back otherwise: it comes when the lockout ends, if still due
(engine warn_freed). This module is the one place that compares a breach's lockout with the
ones in force, for every rule.
"""
from __future__ import annotations

from typing import Iterable, Optional

from services.risk.lockouts import end_of
from shared.lockwords import ASKED_LOCKOUTS, kind_words
from shared.messages.risk import ALERT, LockoutState
from shared.rulenumbers import ASIDE, line_word

# what a warning given while the account is locked says after its reading (its aside)
STILL_COUNTS = "a trade made while locked still counts"


def while_locked(rule, ctx, params, m, now: int,
                 holding: Iterable[LockoutState]) -> Optional[str]:
    """None: the reading's warning is held back by the lockouts holding the whole account
    (`holding`). Otherwise what the warning adds to its reading ('' for nothing): the words
    of a warning given because its breach would lock the account past those lockouts."""
    holding = [lk for lk in holding if lk.symbol is None]
    longest = max(holding, key=end_of, default=None)
    until = rule.locks_until(ctx, now, params, m)
    if longest is not None and until is not None and until > end_of(longest):
        return still_counts_words(longest, until, ctx.calendar.next_roll(now), params.mode,
                                  rule.name, rule.breach_flattens(params, m))
    if rule.acts_while_locked(ctx, now, params, m):
        return ""
    return None


def still_counts_words(longest: LockoutState, until: int, roll: int, mode: str,
                       rule: str = "", flattens: bool = True) -> str:
    """'the account is locked (timer, trade_frequency_limit), but a trade made while locked
    still counts: reaching this limit flattens it and locks it until the roll'; a breach
    that only locks (trade_frequency_limit's cooldowns): '... reaching this limit locks it
    longer'. A rule in alert mode locks nothing: its breach is recorded only."""
    held = kind_words(longest.kind, longest.rule)        # 'self-lockout' names its holder
    held = held if longest.rule in ASKED_LOCKOUTS else f"{held}, {longest.rule}"
    locks = f"locks it {'until the roll' if until == roll and flattens else 'longer'}"
    does = ((f"flattens it and {locks}" if flattens else locks)
            if mode != ALERT else "is recorded (alert mode: nothing is closed or locked)")
    return (f"the account is locked ({held}), but {STILL_COUNTS}: reaching this "
            f"{line_word(rule)} {does}")


def with_words(reason: str, words: str) -> str:
    """A warning's reason with those words as its last aside (shared/rulenumbers.py ASIDE)."""
    return f"{reason}{ASIDE}{words}" if words else reason
