"""Rule changes that reach the trader, in words (pure): a loosening that waits for the roll,
and a change in force now (a tightening, or an admin's override).

An admin loosened a rule (RULES.md: tightening is instant, loosening waits for the next
trading-day roll, services/risk/settings.py). The notice names, per account, each rule and
parameter that waits with its value in force and the one it will take, and when that is:
"Demo 1: daily_realized_loss limit 500 -> 800, takes effect at the roll, Mon 17:00 CST".
A change in force at once is said the same way, with "in force now" (trial: `rules set
default max_contracts limit 3` and `rules override` reached no phone, while a loosening did):
"Demo 1: max_contracts limit 5 -> 3, in force now".
Values are shown as screens show them (shared/rulenumbers.py setting_text), accounts as alerts
name them (shared/accountname.py).
"""
from __future__ import annotations

from typing import Callable

import attrs

from services.risk.settings import UNGUARDED_AT_ROLL
from shared.rulenumbers import setting_text

TITLE = "🟡 Looser rule settings wait for the trading-day roll"
NOW_TITLE = "🟡 Rule settings changed: in force now"
NOW = "in force now"
DROPPED_TITLE = "🟡 A looser rule setting no longer waits for the roll"


def loosen_lines_of(waits: dict[int, tuple[tuple[str, ...], dict]],
                    name_of: Callable[[int], str], roll: str) -> tuple[list[str], list[int]]:
    """loosen_lines, and the account each line is about (a chat sees only its accounts')."""
    lines, accounts = [], []
    for account_id in sorted(waits):
        own = loosen_lines({account_id: waits[account_id]}, name_of, roll)
        lines += own
        accounts += [account_id] * len(own)
    return lines, accounts


def now_lines_of(changes: dict[int, dict], name_of: Callable[[int], str],
                 how: str = "") -> tuple[list[str], list[int]]:
    """now_lines, and the account each line is about (a chat sees only its accounts')."""
    lines, accounts = [], []
    for account_id in sorted(changes):
        own = now_lines({account_id: changes[account_id]}, name_of, how)
        lines += own
        accounts += [account_id] * len(own)
    return lines, accounts


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
            if rule == UNGUARDED_AT_ROLL:      # guarded until then: never said as done
                lines.append(stops_guarding_line(name, roll))
            elif not changed:
                lines.append(f"{name}: {rule}, {when}")
            for param, (now, later) in changed.items():
                lines.append(change_line(name, rule, param, now, later, when))
    return lines


def stops_guarding_line(name: str, roll: str) -> str:
    """A disable that waits for the roll: 'Demo 2: disabled in the config; riskd guards it until
    the roll, Mon 17:00 CST, and stops guarding it then' (fresh-user trial 2026-12-06: the phone
    read "(account no longer guarded)" while riskd still guarded it)."""
    return (f"{name}: disabled in the config; riskd guards it until the roll, {roll}, and "
            f"stops guarding it then")


def new_waits(before: dict[int, tuple[tuple[str, ...], dict]],
              after: dict[int, tuple[tuple[str, ...], dict]]) -> dict[int, tuple]:
    """What waits in `after` (RuleSettings.what_waits()) and did not wait so in `before`: the
    rules of a notice about one change, never a loosening announced already (trial: a
    `rules disable` re-announced an older waiting limit with it)."""
    out = {}
    for aid, (rules, params) in after.items():
        old_rules, old_params = before.get(aid, ((), {}))
        fresh = tuple(r for r in rules
                      if r not in old_rules or params.get(r) != old_params.get(r))
        if fresh:
            out[aid] = (fresh, {r: params[r] for r in fresh if r in params})
    return out


def change_line(name: str, rule: str, param: str, old, new, when: str) -> str:
    """'Demo 1: daily_realized_loss limit 500.00 -> 800.00, WHEN' (numbers as screens show
    them: shared/rulenumbers.py)."""
    return (f"{name}: {rule} {param} {setting_text(rule, param, old)} -> "
            f"{setting_text(rule, param, new)}, {when}")


def changed_now(before: dict[int, object], after: dict[int, object]) -> dict[int, dict]:
    """account id -> {rule: {param: (old, new)}}: what changed between two sets of rules in
    force (RulesConfig per account; an account whose rules are None is not guarded)."""
    out: dict[int, dict] = {}
    for aid, new in after.items():
        old = before.get(aid)
        if old is None or new is None or old == new:
            continue
        rules = {}
        for f in attrs.fields(type(new)):
            a, b = getattr(old, f.name), getattr(new, f.name)
            if a != b:
                rules[f.name] = {p.name: (getattr(a, p.name), getattr(b, p.name))
                                 for p in attrs.fields(type(a))
                                 if getattr(a, p.name) != getattr(b, p.name)}
        if rules:
            out[aid] = rules
    return out


def now_lines(changes: dict[int, dict], name_of: Callable[[int], str], how: str = "") -> list[str]:
    """One line per parameter in force now: "Demo 1: max_contracts limit 5 -> 3, in force
    now" (how: e.g. " (admin override by admin:ana: checked)", after it)."""
    lines = []
    for account_id, rules in sorted(changes.items()):
        name = name_of(account_id)
        for rule, params in rules.items():
            for param, (old, new) in params.items():
                lines.append(change_line(name, rule, param, old, new, NOW + how))
    return lines


def dropped_lines_of(dropped: dict[int, dict], name_of: Callable[[int], str], roll: str,
                     how: str = "") -> tuple[list[str], list[int]]:
    """A waiting loosening taken back (the parameter set back to the value in force): "Demo 2
    (strict, id 1002): daily_unrealized_loss limit 999.00 no longer waits for the roll, Mon
    17:00 CST: 200.00 stays in force (changed by admin:root: undo)" (trial 21a section 2: the
    phone's last word was the 999.00 that riskd had dropped). dropped: lastedit.dropped's
    {aid: {rule: {param: (in force, no longer waiting)}}}; and the account of each line."""
    lines, accounts = [], []
    for account_id in sorted(dropped):
        name = name_of(account_id)
        for rule, params in dropped[account_id].items():
            for param, (now, later) in params.items():
                lines.append(f"{name}: {rule} {param} {setting_text(rule, param, later)} no "
                             f"longer waits for the roll, {roll}: "
                             f"{setting_text(rule, param, now)} stays in force{how}")
                accounts.append(account_id)
    return lines, accounts
