"""The notice "looser rule settings wait for the trading-day roll", in words (pure).

An admin loosened a rule (RULES.md: tightening is instant, loosening waits for the next
trading-day roll, services/risk/settings.py). The notice names, per account, each rule and
parameter that waits with its value in force and the one it will take, and when that is:
"Demo 1: daily_realized_loss limit 500 -> 800, takes effect at the roll, Mon 17:00 CST".
Values are shown as TOML spells them (shared/config/convert.human_value), accounts as alerts
name them (shared/accountname.py).
"""
from __future__ import annotations

from typing import Callable

from shared.config.convert import human_value

TITLE = "🟡 Looser rule settings wait for the trading-day roll"


def loosen_lines(waits: dict[int, tuple[tuple[str, ...], dict]], name_of: Callable[[int], str],
                 roll: str) -> list[str]:
    """One line per parameter that waits. waits: RuleSettings.what_waits() (account id ->
    (rules waiting, {rule: {param: (in force, waiting)}})); roll: the roll's time as shown
    ("Mon 17:00 CST")."""
    when = f"takes effect at the roll, {roll}"
    lines = []
    for account_id, (rules, params) in sorted(waits.items()):
        name = name_of(account_id)
        for rule in rules:
            changed = params.get(rule) or {}
            if not changed:            # e.g. the account is no longer guarded at all
                lines.append(f"{name}: {rule}, {when}")
            for param, (now, later) in changed.items():
                lines.append(f"{name}: {rule} {param} {human_value(now)} -> "
                             f"{human_value(later)}, {when}")
    return lines
