"""What `riskctl accounts set ACCOUNT profile P` changes: each rule parameter the account runs
that differs under the new profile, split as risk applies it (shared/config/strictness.py):
what is stricter applies now, what is looser waits for the trading-day roll, and a rule that
goes off is named on its own (fresh-user trial 15b, finding 4: the switch to a profile without
drawdown_guard answered "saved (applied live)"; only an info alert in the log said the guard
goes off at the roll). The supervisor asks first when anything loosens, as other loosening
edits are asked about, and lists it all in the answer (services/supervisor/commands/
accounts_set.py). Pure: the config in force and the account's ref and new profile in.
"""
from __future__ import annotations

from typing import Optional

import attrs

from shared.config.accounts import find_account
from shared.config.checks import apply_overrides, effective_rules, profile_rules
from shared.config.rules import RULE_NAMES
from shared.config.strictness import merge_rule
from shared.rulenumbers import setting_text


@attrs.frozen
class Switch:
    """now / at_roll: 'max_contracts limit 5 -> 2'; off: rules that go off at the roll;
    own_line: drawdown_guard's line set or removed where the other profile has none, which
    risk judges against its own line (high-water mark - max_loss, known to risk only)."""
    now: tuple[str, ...] = ()
    at_roll: tuple[str, ...] = ()
    off: tuple[str, ...] = ()
    own_line: tuple[str, ...] = ()

    @property
    def loosens(self) -> bool:
        """It loosens a rule, or may (a line judged by risk: asked about, as a loosening)."""
        return bool(self.at_roll or self.own_line)


def _diff(rule: str, a, b) -> list[str]:
    out = []
    for f in attrs.fields(type(a)):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if x != y:
            if f.name == "enabled":
                out.append(f"{rule} {'on' if x else 'off'} -> {'on' if y else 'off'}")
            else:
                out.append(f"{rule} {f.name} {setting_text(rule, f.name, x)} -> "
                           f"{setting_text(rule, f.name, y)}")
    return out


def profile_switch(config, ref: str, profile: str) -> Optional[Switch]:
    """The switch of account ref to profile; None when riskd cannot tell (no such account or
    profile, or overrides the new profile refuses: the edit itself refuses those)."""
    try:
        account = find_account(config.accounts, ref)
        if account is None:
            return None
        old = effective_rules(config, account)
        new = apply_overrides(profile_rules(config, profile), account.rules)
    except Exception:  # noqa: BLE001 -- the edit's validation says what is wrong
        return None
    now, at_roll, off, own_line = [], [], [], []
    for name in RULE_NAMES:
        a, b = getattr(old, name), getattr(new, name)
        if a == b:
            continue
        if judged_by_own_line(name, a, b):
            # "none" is riskd's own line, not the lowest (round 22: `line none -> 47000`
            # was listed in force now, though below riskd's own line it waits for the roll)
            own_line += _diff(name, attrs.evolve(b, line=a.line), b)
            b = attrs.evolve(b, line=a.line)
            if a == b:
                continue
        in_force, later = merge_rule(name, a, b)
        now += _diff(name, a, in_force)
        if later is not None:
            at_roll += _diff(name, in_force, later)
            if a.enabled and not later.enabled:
                off.append(name)
    return Switch(tuple(now), tuple(at_roll), tuple(off), tuple(own_line))


def judged_by_own_line(rule: str, a, b) -> bool:
    """drawdown_guard on in both, its line set on one side only: risk judges the change against
    its own line (strictness.merge_rule's own_line), which the config alone cannot tell
    (as shared/config/changewords.by_own_line for a file edit)."""
    return rule == "drawdown_guard" and a.enabled and b.enabled \
        and (a.line is None) != (b.line is None)


def switch_lines(switch: Switch, account: str, profile: str, roll: str) -> list[str]:
    """The answer's lines: what applies now, what waits, and a WARNING per rule that goes off."""
    lines = []
    if switch.now:
        lines.append(f"in force now on {account}: " + "; ".join(switch.now))
    if switch.at_roll:
        lines.append(f"waits for the roll at {roll} (a loosening): " + "; ".join(switch.at_roll)
                     + f"; `riskctl rules override --account {account_ref(account)} --reason "
                       "\"WHY\"` applies it now")
    if switch.own_line:
        lines.append(f"judged by riskd against its own drawdown line (high-water mark - "
                     f"max_loss) on {account}: " + "; ".join(switch.own_line)
                     + f": in force now if the new line is no lower, else it waits for the roll "
                       f"at {roll} (riskd's rule-change alert says which)")
    for rule in switch.off:
        lines.append(f"WARNING: {rule} goes OFF for {account} at the roll ({roll}): profile "
                     f"{profile} does not run it")
    if not lines:
        lines.append(f"no rule changes: profile {profile} runs the same rules on {account}")
    return lines


def switch_question(switch: Switch, profile: str, lines: list[str]) -> str:
    """What the admin is asked before a switch that loosens (or may: a line risk judges);
    lines: switch_lines'. What it tightens is listed too: the header says both (trial17a
    section 9: "loosens rules:" over a line of tightenings)."""
    how = "loosens rules (they wait for the roll)" if switch.at_roll else \
        "may loosen drawdown_guard's line (riskd judges it against its own line)"
    return f"the switch to profile {profile} {how}; all it changes:\n  " + "\n  ".join(lines)


def account_ref(shown: str) -> str:
    """The id inside 'Demo 1 (id 1001)' (the form commands take), else the text."""
    import re
    found = re.search(r"id (\d+)\)$", shown)
    return found.group(1) if found else shown
