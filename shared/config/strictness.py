"""Which way each rule parameter is stricter, and a rule change split into the part in force
now and the part that waits for the trading-day roll (RULES.md: tightening is instant,
loosening waits). Risk applies it (services/risk/settings.py); the supervisor says it
beforehand (`riskctl accounts set ACCOUNT profile P`: what the switch changes now and what
waits). A change that is neither clearly stricter nor looser is treated as loosening.
warn_at and trade_management's tick distances are neutral (they restrict nothing).
"""
from __future__ import annotations

import attrs

LOWER, HIGHER, LOWER_0_OFF, TRUE, SUPERSET, DICT_LOWER, NEUTRAL, ACTION, TRAILING = (
    "lower", "higher", "lower0off", "true", "superset", "dict_lower", "neutral", "action",
    "trailing")
# drawdown_guard's mark, softest first: taken at each roll, or at every equity high during the
# day too (never lower, so its line never lower: trial25a N8, `trailing intraday` waited for the
# roll as "a loosening")
TRAILING_BY_STRICTNESS = ("eod", "intraday")
COMMON = {"warn_at": NEUTRAL}
# a size rule's action, softest first: a reduce cuts the contract to the limit, a close takes
# the whole contract, a flatten every position (fresh-user trial 22c: max_contracts_per_instrument
# `action close` over `reduce` was kept on reduce until the roll, "a loosening waits")
ACTIONS_BY_STRICTNESS = ("reduce", "close", "flatten")
DIRECTION: dict[str, dict[str, str]] = {
    "max_contracts": {"limit": LOWER, "action": ACTION},
    "max_contracts_per_instrument": {"limits": DICT_LOWER, "action": ACTION},
    "daily_realized_loss": {"limit": LOWER, "include_fees": TRUE},
    "daily_unrealized_loss": {"limit": LOWER},
    "max_unrealized_profit": {"target": LOWER},
    "trade_frequency_limit": {
        "per_minute": LOWER_0_OFF, "per_hour": LOWER_0_OFF, "per_session": LOWER_0_OFF,
        "per_day": LOWER_0_OFF, "per_week": LOWER_0_OFF, "per_minute_cooldown": HIGHER,
        "per_hour_cooldown": HIGHER, "per_session_cooldown": HIGHER, "flatten": TRUE},
    "cooldown_after_loss": {"flatten": TRUE},
    "no_stop_loss_grace": {"grace_seconds": LOWER},
    "session_block_outside": {"close_at_session_end": TRUE},
    "auth_loss_guard": {},
    "symbol_blocks": {"symbols": SUPERSET},
    "trade_management": {"breakeven_after_ticks": NEUTRAL, "trail_after_ticks": NEUTRAL,
                         "trail_distance_ticks": NEUTRAL},
    "daily_realized_profit": {"target": LOWER},
    "daily_net_loss": {"limit": LOWER, "include_fees": TRUE},
    "drawdown_guard": {"max_loss": LOWER, "buffer": HIGHER, "line": HIGHER,
                       "trailing": TRAILING},
}


def _cmp(kind: str, old, new) -> int:
    """-1 when new is stricter, +1 when looser, 0 when neutral (old != new)."""
    if kind == NEUTRAL:
        return 0
    if kind == LOWER:
        return -1 if new < old else 1
    if kind == HIGHER:
        if old is None or new is None:
            return -1 if old is None else 1
        return -1 if new > old else 1
    if kind == LOWER_0_OFF:
        o = float("inf") if old == 0 else old
        n = float("inf") if new == 0 else new
        return -1 if n < o else 1
    if kind == TRUE:
        return -1 if new else 1
    if kind == ACTION:
        return -1 if ACTIONS_BY_STRICTNESS.index(new) > ACTIONS_BY_STRICTNESS.index(old) else 1
    if kind == TRAILING:
        return -1 if TRAILING_BY_STRICTNESS.index(new) > TRAILING_BY_STRICTNESS.index(old) \
            else 1
    if kind == SUPERSET:
        return -1 if set(new) >= set(old) else 1
    if kind == DICT_LOWER:
        if set(old) - set(new):
            return 1
        return -1 if all(new[k] <= old[k] for k in old) else 1
    return 1


def tightens(rule: str, param: str, old, new) -> bool:
    """Whether changing one parameter from old to new restricts anything more than before, in
    any part: a lower limit, a longer cooldown, a harsher action (reduce < close < flatten), a
    new symbol with its own limit in
    max_contracts_per_instrument's limits (ES 1 -> MNQ 1: looser for ES, a new limit for MNQ),
    a symbol added to a list. A neutral one (warn_at, a tick distance) restricts nothing; one
    of no known direction may."""
    kind = {**COMMON, **DIRECTION.get(rule, {})}.get(param, "categorical")
    if old == new or kind == NEUTRAL:
        return False
    if kind == DICT_LOWER:
        return any(k not in old or new[k] < old[k] for k in new)
    if kind == SUPERSET:
        return bool(set(new) - set(old))
    if kind in (LOWER, HIGHER, LOWER_0_OFF, TRUE, ACTION, TRAILING):
        return _cmp(kind, old, new) < 0
    return True


def merge_rule(name: str, old, new, own_line=None):
    """(params in force now, params waiting for the roll or None). own_line(params): the line
    drawdown_guard works out itself when its `line` is none (risk knows it: the account's
    high-water mark; None when not known): a line set or removed is judged against the line
    in force, not against "none" (trial 21a: `line none -> 47000` below riskd's own 48,000.00
    line was applied at once, a loosening); while it is not known, against the highest it can
    be (starting_balance): a lower line waits."""
    if old == new:
        return new, None
    if not old.enabled:
        # a disabled rule restricts nothing: enabling it (with any parameters) is stricter
        return new, None
    directions = {**COMMON, **DIRECTION.get(name, {})}
    # each parameter is judged on its own against what is in force: a disable (or enforce ->
    # alert) waits for the roll, and a lower limit written with it still applies at once
    # (trial 2026-12-06: `rules disable default max_contracts`, then `rules set --account 1002
    # max_contracts limit 1` over limit 2 kept limit 2 until the roll, "a loosening waits")
    now_fields, looser = {}, not new.enabled
    if new.mode != old.mode:
        if new.mode == "alert":    # enforce -> alert: looser
            looser = True
        else:                      # alert -> enforce: stricter
            now_fields["mode"] = new.mode
    for f in attrs.fields(type(old)):
        if f.name in ("enabled", "mode"):
            continue
        a, b = getattr(old, f.name), getattr(new, f.name)
        if a == b:
            continue
        if name == "drawdown_guard" and f.name == "line" and own_line is not None:
            a = a if a is not None else own_line(old)
            b = b if b is not None else own_line(new)
            if a is None and b is not None:
                # no line set and riskd's own not known yet (no high-water mark before it
                # reads the balance): once taken it may be as high as starting_balance, never
                # higher, so only a line that high is surely no lower (round 21: "none" was
                # read as the lowest line, and a line below riskd's coming own line applied
                # at once)
                a = old.starting_balance
            if a is not None and b is not None and b >= a:   # as high, or the same line
                now_fields[f.name] = getattr(new, f.name)
                continue
        verdict = _cmp(directions.get(f.name, "categorical"), a, b)
        if verdict <= 0:
            now_fields[f.name] = b
        else:
            looser = True
    if not looser:
        return new, None
    try:
        current = attrs.evolve(old, **now_fields)
    except (ValueError, TypeError):      # the stricter half alone is not a valid rule: wait
        current = old
    return current, new
