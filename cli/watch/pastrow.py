"""What a daily limit's row says when the account is past it and no lockout in force outlasts
the one its next trade would take: that trade is flattened and the account locked to the roll
(docs/rules.md, Lockouts: "An unlock ends lockouts, not limits").

Fresh-user trial 19a: with a cooldown the only lockout, `status`/`watch` showed the banner
"COOLDOWN 25m46s (until Mon 00:09:50 CST)" and the rows "daily_realized_loss -502.91/-250.00
201%" and "daily_net_loss -502.91/-400.00 126%" with no note (or "locked already, no new
action", the note of a breach recorded under a lockout an admin had since ended); the trader
read "free at 00:09:50" and the next trade then was flattened and locked the account to the
roll. trade_frequency_limit's row says what its next trade does (model.count_past); these rows
now do too."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from shared import showtime
from shared.messages.risk import AccountStatus, LockoutState, TIMER

# the rules that judge the account's day and lock it until the roll when past their limit
# (services/risk/pastlimits.py DAY_RULES)
DAY_RULES = ("daily_realized_loss", "daily_realized_profit", "daily_net_loss", "drawdown_guard")


def _outlasts_the_day(lock: LockoutState, roll_ns: int) -> bool:
    """Does the lockout hold the account at least to the roll (none set: until the roll, an
    admin's unlock or a broker condition)?"""
    if lock.until_ns is None:
        return lock.kind != TIMER
    return bool(roll_ns) and lock.until_ns >= roll_ns


def day_past(status: AccountStatus, r, tz: Optional[dt.tzinfo],
             now_ns: Optional[int], short: bool = False) -> str:
    """'over the limit: the next trade after Mon 00:09:50 CST is flattened and locks the
    account until the roll' (or '... the next trade is flattened ...' with no lockout in
    force) for a daily limit in enforce mode at or past its limit whose own lockout does not
    hold the account and that no lockout in force outlasts; '' otherwise (the row keeps
    risk's note). short: the note of a bar, which has some 20 columns at 80 ('locks at next
    trade', as "locked by this rule" fits there)."""
    if r.rule not in DAY_RULES or r.mode != "enforce" or r.progress is None \
            or float(r.progress) < 1:
        return ""
    held = [lk for lk in status.lockouts if lk.symbol is None]
    if any(lk.rule == r.rule for lk in held) \
            or any(_outlasts_the_day(lk, status.next_roll_ns) for lk in held):
        return ""
    after = ""
    if held:
        last = max(lk.until_ns or 0 for lk in held)
        after = " after " + showtime.end(last, tz or dt.timezone.utc,
                                         now_ns if now_ns is not None else last)
    if short:
        return "locks at next trade"
    return (f"over the limit: the next trade{after} is flattened and locks the account "
            "until the roll")
