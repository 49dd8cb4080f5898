"""A rule change in force now (a tightening, a rule enabled, an admin's override) is judged at
once, on what the account holds: tightening is instant (docs/rules.md).

Fresh-user trial: holding 4 MNQ, `riskctl rules set 1001 max_contracts limit 2` answered
"applied live", the phone said "max_contracts limit 6 -> 2, in force now", the watch showed
"max_contracts 4/2 200%", and nothing was done until the next buy: the rules ran only on the
next broker event. Now each changed rule of each account it applies to runs at once, as the
step it listens to would run it, with no event invented:
- on positions, orders and open PnL (a 'position' step): max_contracts,
  max_contracts_per_instrument, daily_unrealized_loss, max_unrealized_profit,
  trade_management, daily_net_loss, drawdown_guard;
- on the clock (as the 0.1 s tick judges them): no_stop_loss_grace, session_block_outside;
- on today's trades (a 'trade' step with no trade: the rules read the day's totals, not a
  trade): daily_realized_loss, daily_realized_profit, and trade_frequency_limit's counts
  (TradeFrequencyLimit.judge_counts): per_day and per_week, and a sliding window or the
  session already at or past its limit, whose cooldown runs from the latest trade (while it
  still runs: fresh-user trial 2026-12-06, `rules enable` at 53 of 50 trades per session
  answered "nothing held breaks it now", then warned "at 106% of its limit").
Not judged here: cooldown_after_loss judges one losing trade as it comes (its time, its
loss): a rule change has no such trade; it applies from the next trade.
auth_loss_guard has no limit to tighten (the broker's canTrade); symbol_blocks is the
engine's recheck's (every reload). A decision goes through the normal path (record, alert,
history, command): an action already in flight or taken for the same lockout is not taken
twice, and a reload that changes nothing judges nothing.
"""
from __future__ import annotations

from services.risk.rules.base import CLOCK, POSITION, TRADE
from shared.config.strictness import tightens

CHANGE = "rules"        # ctx.change of a step judged because its rules changed

# rule -> (the kind of step it is judged as, ctx.change)
JUDGED_NOW: dict[str, tuple[str, str]] = {
    "max_contracts": (POSITION, CHANGE),
    "max_contracts_per_instrument": (POSITION, CHANGE),
    "daily_realized_loss": (TRADE, CHANGE),
    "daily_unrealized_loss": (POSITION, CHANGE),
    "max_unrealized_profit": (POSITION, CHANGE),
    "no_stop_loss_grace": (CLOCK, "clock"),
    "session_block_outside": (CLOCK, "clock"),
    "trade_management": (POSITION, CHANGE),
    "daily_realized_profit": (TRADE, CHANGE),
    "trade_frequency_limit": (TRADE, CHANGE),
    "daily_net_loss": (POSITION, CHANGE),
    "drawdown_guard": (POSITION, CHANGE),
}


WHOLE = None          # a change judged with every part of the rule (see tightened)


def changed_rules(changes: dict[int, dict]) -> dict[int, dict[str, frozenset | None]]:
    """account id -> {rule: what its change tightened} for the rules to judge now, from
    loosening.changed_now's or an override's {account: {rule: {param: (old, new)}}}. Only a
    change that makes a rule stricter can make a new breach: one that tightens nothing (an
    admin's override, which only loosens; a warn_at) judges nothing (fresh-user trial 22a: an
    override of trade_frequency_limit, right after the admin's unlock had ended its cooldown,
    locked the account again with no trade, and the phone said "⚠️ Breach ... 3 vs 3")."""
    out: dict[int, dict[str, frozenset | None]] = {}
    for aid, rules in changes.items():
        judged = {}
        for rule, diff in rules.items():
            if rule in JUDGED_NOW:
                made = tightened(rule, diff)
                if made is WHOLE or made:
                    judged[rule] = made
        if judged:
            out[aid] = judged
    return out


def tightened(rule: str, diff: dict) -> frozenset | None:
    """The parameters a change made stricter in any part (shared/config/strictness.py
    tightens), or WHOLE: the rule switched on (it restricted nothing before), its mode changed
    (alert mode keeps its own book of what it would have done: judged whole either way), or
    trade_management (its tick distances are neutral, and act on the stops held now)."""
    if rule == "trade_management" or "mode" in diff:
        return WHOLE
    enabled = diff.get("enabled")
    if enabled and enabled[1]:
        return WHOLE
    return frozenset(p for p, (old, new) in diff.items()
                     if p not in ("enabled", "mode") and tightens(rule, p, old, new))
