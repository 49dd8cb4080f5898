"""The setting a rule's lockout was taken under, and the note of a rule back under its limit
while that lockout holds the account.

Fresh-user trial 19a: `rules override ... daily_net_loss` took a looser limit (1,000) early
while the lockout the old one (600) had put on held the account; the rule's row then read
"daily_net_loss -629.42/-1,000.00 63%" with no note under a banner "LOCKED OUT ... by
daily_net_loss": "63 %, fine" to anyone reading the row alone. A lockout is a fact of the past
and stays (services/risk/lockstays.py says so in the override's answer); the row now says it
too: "locked by this rule under its old setting" when the rule's parameters in force differ from
the ones its lockout was taken under, else (a reading back under the limit, e.g. an open loss
that shrank before the flatten's fill) "locked by this rule".

What a lockout was taken under (engine.taken_under) is saved with the steps that change
lockouts (the store's meta 'taken_under', services/risk/store.py), those of lockouts in force
only: after a restart of risk the row still says "under its old setting" (small19b's
leftover: it read "locked by this rule")."""
from __future__ import annotations

from shared.messages.risk import LOCKED_BY_THIS_RULE, LOCKED_UNDER_OLD, LockoutState


def remember(engine, lock: LockoutState, params) -> None:
    """The rule's parameters when its lockout was taken or extended by its own breach."""
    taken = engine.taken_under
    if len(taken) > 4 * len(engine.lockouts.all()) + 64:        # ended lockouts' entries
        live = {lk.id for lk in engine.lockouts.all()}
        for key in [k for k in taken if k not in live]:
            del taken[key]
    taken[lock.id] = params


def own_lock_note(engine, account_id: int, rule: str, params) -> str:
    """The note of a rule's reading under 100 % (params: its setting in force): its own lockout
    holds the whole account, taken under another setting (LOCKED_UNDER_OLD) or this one
    (LOCKED_BY_THIS_RULE); '' when no lockout of its own holds the account."""
    held = [lk for lk in engine.lockouts.covering(account_id)
            if lk.symbol is None and lk.rule == rule and lk.by == "rule"]
    if not held:
        return ""
    taken = engine.taken_under
    if any(lk.id in taken and taken[lk.id] != params for lk in held):
        return LOCKED_UNDER_OLD
    return LOCKED_BY_THIS_RULE
