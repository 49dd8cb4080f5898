"""An edit of one rule parameter as the audit trail says it (`riskctl audit show` WHAT).

"Demo 1 (id 1001): daily_realized_loss limit 500.00 -> 800.00 (was the profile's)": the account
as riskd names it (shared/accountname.called of AccountConfig.label), the rule and parameter, and the
values in force before and after the edit, numbers as every screen shows them
(shared/rulenumbers.py). An account with no value of its own ran its profile's (the built-in
default when the profile does not set it), so that is the old value, and the line says whose
it was. Trial 2026-12-05: "accounts[0].rules.daily_realized_loss.limit: (unset) -> 800" while
500 was in force. Pure: reads the old and new config tables (tomlkit's unwrap()).
"""
from __future__ import annotations

from typing import Any, Optional

_MISSING = object()
DEFAULT_PROFILE = "default"


def rule_param_of(parts: list) -> Optional[tuple]:
    """(kind, where, rule, param) of a key under a rule's parameter: ('account', 0, R, P) for
    accounts[0].rules.R.P (and anything under it: tiers[0].loss), ('profile', NAME, R, P);
    None for any other key."""
    if len(parts) < 5 or parts[2] != "rules" or not all(isinstance(p, str) for p in parts[3:5]):
        return None
    if parts[0] == "accounts" and isinstance(parts[1], int):
        return ("account", parts[1], parts[3], parts[4])
    if parts[0] == "profiles" and isinstance(parts[1], str):
        return ("profile", parts[1], parts[3], parts[4])
    return None


def _get(node: Any, *path) -> Any:
    for key in path:
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            return _MISSING
    return node


def _builtin(rule: str, param: str) -> Any:
    """The built-in default of a rule's parameter as TOML data (RulesConfig's)."""
    from shared.config.convert import config_converter
    from shared.config.rules import RulesConfig
    params = getattr(RulesConfig(), rule, None)
    if params is None or not hasattr(params, param):
        return _MISSING
    return config_converter.unstructure(getattr(params, param))


def _profile_value(data: dict, profile: str, rule: str, param: str) -> Any:
    value = _get(data, "profiles", profile, "rules", rule, param)
    return _builtin(rule, param) if value is _MISSING else value


def _text(rule: str, param: str, value: Any) -> str:
    """As the rule-change alerts say it (shared/rulenumbers.py setting_text, UNSET for none)."""
    from shared.rulenumbers import UNSET, setting_text
    return UNSET if value is _MISSING else setting_text(rule, param, value)


def _label(entry: dict) -> str:
    """The account as riskd names it to a person (shared/accountname.called): "Demo 1 (id
    1001)" (fresh-user trial 2026-12-06: "Demo 1: max_contracts ...", a name without its id)."""
    from shared.accountname import called, label_of
    account_id = entry.get("id") if isinstance(entry.get("id"), int) else None
    return called(label_of(entry.get("display_name"), entry.get("name"), entry.get("id")),
                  account_id) or "?"


def _same_account(a: Any, b: Any) -> bool:
    return isinstance(a, dict) and isinstance(b, dict) and \
        (a.get("id"), a.get("name")) == (b.get("id"), b.get("name"))


def rule_change(old: dict, new: dict, where: tuple) -> Optional[str]:
    """The audit line of one rule parameter's edit (where: rule_param_of's tuple); None when
    it cannot be said this way (the account itself was added or removed)."""
    kind, at, rule, param = where
    if kind == "profile":
        before = _get(old, "profiles", at, "rules", rule, param)
        after = _get(new, "profiles", at, "rules", rule, param)
        note = " (was the built-in default)" if before is _MISSING else \
            " (the built-in default again)" if after is _MISSING else ""
        was, now = (_text(rule, param, _profile_value(data, at, rule, param))
                    for data in (old, new))
        return f"profile {at}: {rule} {param} {was} -> {now}{note}"
    entry_old, entry_new = _get(old, "accounts", at), _get(new, "accounts", at)
    if not _same_account(entry_old, entry_new):
        return None
    own_old = _get(entry_old, "rules", rule, param)
    own_new = _get(entry_new, "rules", rule, param)
    before = own_old if own_old is not _MISSING else _profile_value(
        old, entry_old.get("profile") or DEFAULT_PROFILE, rule, param)
    after = own_new if own_new is not _MISSING else _profile_value(
        new, entry_new.get("profile") or DEFAULT_PROFILE, rule, param)
    note = " (was the profile's)" if own_old is _MISSING else \
        " (the profile's again)" if own_new is _MISSING else ""
    return (f"{_label(entry_new)}: {rule} {param} {_text(rule, param, before)} -> "
            f"{_text(rule, param, after)}{note}")


def _in_force(data: dict, kind: str, at, rule: str, param: str) -> Any:
    """The value of a rule's parameter in force by one config's tables: an account's own, else
    its profile's, else the built-in default (_MISSING when the account is not there)."""
    if kind == "profile":
        return _profile_value(data, at, rule, param)
    entry = _get(data, "accounts", at)
    if not isinstance(entry, dict):
        return _MISSING
    own = _get(entry, "rules", rule, param)
    return own if own is not _MISSING else _profile_value(
        data, entry.get("profile") or DEFAULT_PROFILE, rule, param)


def by_own_line(old: dict, new: dict, where: tuple) -> bool:
    """Whether the edit sets or removes drawdown_guard's `line` where the other side has none:
    risk judges it against its own line (high-water mark - max_loss, known to risk only), so
    the file alone cannot say whether it tightens or loosens (services/risk/settings.py
    own_line; trial 21a: a line below riskd's own is a loosening that waits)."""
    kind, at, rule, param = where
    if rule != "drawdown_guard" or param != "line":
        return False
    if _in_force(old, kind, at, rule, "enabled") is False:
        return False
    before, after = (_in_force(data, kind, at, rule, param) for data in (old, new))
    return before is not after and (before is None) != (after is None) \
        and _MISSING not in (before, after)


def loosens(old: dict, new: dict, where: tuple) -> bool:
    """Whether one rule parameter's edit (where: rule_param_of's tuple) is a loosening, which
    risk keeps waiting until the trading-day roll (shared/config/strictness.py, as risk judges
    it: a rule switched off, enforce -> alert, a higher limit; a change of a rule that was off,
    or that restricts nothing, is in force at once). Trial 16b: a hand-edited limit 180 -> 400
    was audited "applied:" while riskd kept 180 until the roll."""
    from shared.config.strictness import COMMON, DIRECTION, NEUTRAL, _cmp
    kind, at, rule, param = where
    if _in_force(old, kind, at, rule, "enabled") is False:
        return False                # a rule that was off restricted nothing
    if by_own_line(old, new, where):
        return False                # judged by risk against its own line: by_own_line
    before, after = (_in_force(data, kind, at, rule, param) for data in (old, new))
    if before is _MISSING or after is _MISSING or before == after:
        return False
    if param == "enabled":
        return after is False
    if param == "mode":
        return after == "alert"
    direction = {**COMMON, **DIRECTION.get(rule, {})}.get(param, "categorical")
    if direction == NEUTRAL:
        return False
    try:
        return _cmp(direction, before, after) > 0
    except (TypeError, ValueError, KeyError):
        return True                 # neither clearly stricter nor looser: risk waits too
