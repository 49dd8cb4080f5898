"""The lockout in force that a step's lockout enforcement names: followed through the step's
extensions of it (pure; risk's apply and notify's step alert both use it).

A trade made during a lockout is cut for it (lockout enforcement, its decision naming the
lockout as it was) and the same trade may extend it (trade_frequency_limit counts it): the
record and the alert must name the lockout as it is after the step, never the end the
extension replaced. Risk publishes the Position's and the Trade's outcomes apart, with the same
step time; notify holds a step's messages together (services/notify/steps.py), so it follows
the extensions the step brought as well."""
from __future__ import annotations

from typing import Optional

import attrs

from shared.lockwords import outlasted
from shared.messages.risk import Decision, LockoutChange
from shared.outcomewords import LOCKOUT_RULE

EXTENDED = "extended"


def current_ends(decisions: list[Decision], changes: list[LockoutChange]) -> list[Decision]:
    """The step's decisions, each lockout enforcement's naming the lockout in force after the
    step: a trade made during a cooldown is cut for that cooldown (its decision made first)
    and then extends it (trade_frequency_limit counts it). Trial15a: one alert read "locked
    until 12:03:44 (trade_frequency_limit)" then "🔒 Lockout enforced ...: locked until
    12:03:36", the end from before the extension, which history kept too. The lockout is
    followed from what it was (LockoutChange.was) to what it is, its rule too: another rule
    extending it takes the row over (trial25a N2: "Lockout extended ... until 17:16:29
    (trade_frequency_limit)" then "Lockout enforced ...: locked until 17:15:23
    (cooldown_after_loss)", the end the extension had replaced)."""
    grown = {_held_key(c.was.account_id, c.was): c.lockout
             for c in changes if c.change == EXTENDED and c.was is not None}
    if not grown:
        return decisions
    out = []
    for d in decisions:
        u = d.under
        if u is not None and (d.rule == LOCKOUT_RULE or outlasted(d)):
            now_lk, key, seen = None, (d.account_id, u.symbol, u.kind, u.clears_on,
                                       d.under_rule), set()
            while key in grown and key not in seen:     # several extensions in one step
                seen.add(key)
                now_lk = grown[key]
                key = _held_key(now_lk.account_id, now_lk)
            if now_lk is not None and _later(now_lk.until_ns, u.until_ns):
                d = attrs.evolve(d, under=attrs.evolve(u, kind=now_lk.kind,
                                                       until_ns=now_lk.until_ns,
                                                       clears_on=now_lk.clears_on),
                                 under_rule=now_lk.rule)
        out.append(d)
    return out


def _held_key(account_id: int, lk) -> tuple:
    """A lockout's scope, kind and rule: what a decision's under / under_rule name."""
    return account_id, lk.symbol, lk.kind, lk.clears_on, lk.rule


def _later(end: Optional[int], than: Optional[int]) -> bool:
    """Does a lockout ending at end (None: no set time) outlast one ending at than?"""
    if than is None:
        return False
    return end is None or end > than
