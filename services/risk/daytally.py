"""What riskd did on each account in one trading day, for the daily summary at the roll: the
rules breached (how many times each), riskd's actions (closes, reduces, flattens, cancels, stop
moves) and the lockouts it took, counted from risk's history (services/risk/store.py) of that
day, so a restart in the day, or riskd stopped over the roll, counts the same.

A breach is a rule's decision, as the phone's "⚠️ Breach RULE" alert says it (alert mode's
too, and one whose action was left to another in flight); what acted for no rule's limit
(lockout enforcement, an admin's flatten or lockout, a self-lockout, riskd's late close's
cancel) is no breach, nor is cooldown_after_loss's later loss under the cooldown an earlier
loss of the contract started (shared/lossagain.py: it moves that cooldown's end, docs/rules.md
7 "not a second breach"; alert mode's is a new breach; trial25a N1: riskd's own flatten's
fill counted as a second cooldown_after_loss breach), nor symbol_blocks' lock of a symbol the
config lists with nothing traded in it (shared/lockwords.listed_lock; trial25a N6: "symbol_blocks
1" on every account after an admin listed CL), which is no lockout taken either. An action is a decision whose command was sent (enforce mode, not left
to another, not sent beside lockout enforcement's close of the whole contract). fresh-user
trial24a F6: every summary said "0 breaches" on days riskd had closed, flattened and locked.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable

import attrs

from shared.latewords import LATE_CLOSE
from shared.lockwords import ADMIN_LOCKOUT, SELF_LOCKOUT, listed_lock
from shared.lossagain import is_again
from shared.messages.risk import ACTION_NONE, ALERT, Decision, LockoutChange

# the decisions that answer no rule's limit (templates' _NOT_A_BREACH, and the late close)
NOT_BREACHES = frozenset({"admin", "lockout", SELF_LOCKOUT, ADMIN_LOCKOUT, LATE_CLOSE})


@attrs.define
class DayTally:
    """One account's day: breaches per rule, actions per kind (Decision.action), lockouts."""
    breaches: Counter = attrs.Factory(Counter)
    actions: Counter = attrs.Factory(Counter)
    lockouts: int = 0

    def take(self, msg) -> None:
        if isinstance(msg, LockoutChange):
            # a symbol the config lists is no lockout riskd took for anything done (N6)
            self.lockouts += msg.change == "added" and not msg.listed
            return
        if not isinstance(msg, Decision):
            return
        if msg.rule not in NOT_BREACHES and not listed_lock(msg) and not (
                msg.mode != ALERT and is_again(msg.rule, msg.reason)):
            self.breaches[msg.rule] += 1
        if msg.mode != ALERT and msg.action != ACTION_NONE and not msg.suppressed \
                and not msg.beside:
            self.actions[msg.action] += 1


def tally(rows: Iterable[tuple[int, object]]) -> dict[int, DayTally]:
    """(account id, history message) of one day, oldest first -> each account's tally."""
    days: dict[int, DayTally] = {}
    for account_id, msg in rows:
        days.setdefault(account_id, DayTally()).take(msg)
    return days
