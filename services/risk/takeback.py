"""A cooldown taken back: trade_frequency_limit's lockout that a fill counted as the trader's
started, when the broker's facts later name that fill riskd's (its order is one a close of
riskd's created: the engine's _close_orders, docs/rules.md "Whose trade it is").

The trader's trades without it are judged again: a sliding window (minute, hour) or the
session whose count, at one of the trader's trades, reached its limit and whose cooldown from
that trade still runs keeps the lockout as it is (its end is not made shorter); none does, and
the lockout ends ("🔓 Lockout ended ... ended by riskd", with why). A lockout another rule
extended (one row: took_over_rule) or a day's or week's lock (flattened already) stays.
"""
from __future__ import annotations

from services.risk.rules.trade_frequency_limit import SLIDING
from services.risk.state import symbol_of
from shared.messages.risk import TIMER, LockoutState

NS = 1_000_000_000
RULE = "trade_frequency_limit"
BY = "riskd"


def still_justified(acct, params, now: int) -> bool:
    """Does one of the trader's trades (riskd's left out) still start a cooldown running now?"""
    cooldowns = {"minute": (params.per_minute, params.per_minute_cooldown),
                 "hour": (params.per_hour, params.per_hour_cooldown),
                 "session": (params.per_session, params.per_session_cooldown)}
    for window, (limit, seconds) in cooldowns.items():
        if limit <= 0:
            continue
        since = now - seconds * NS
        if window in SLIDING:
            span = SLIDING[window]
            if any(acct.trades_in(t - span, t) >= limit
                   for t in acct.trade_times_in(since, now)):
                return True
        else:
            times = acct.trade_times_in(since, now)
            if times and acct.trades_today >= limit:
                return True
    return False


def cooldowns_to_end(acct, lockouts: list[LockoutState], params, fill_ns: int,
                     now: int) -> list[LockoutState]:
    """trade_frequency_limit's timed lockouts of the account, started at or after the fill
    now riskd's, that no trade of the trader's justifies any more."""
    mine = [lk for lk in lockouts if lk.rule == RULE and lk.kind == TIMER
            and lk.since_ns >= fill_ns - NS and not lk.took_over_rule]
    if not mine or still_justified(acct, params, now):
        return []
    return mine


def why(fill) -> str:
    """The line the lockout's end says: which fill it was and why it ends."""
    side = "sell" if fill.side else "buy"
    return (f"the fill that started it ({side} {fill.size} {symbol_of(fill.contract_id)}, "
            f"order {fill.order_id}) was riskd's own close, not your trade: its close's result "
            f"named that order; the cooldown is taken back")
