"""Read-only views of the config for riskctl: rule parameters per profile and per account.

rule_rows() gives plain dicts (the fields of shared.messages.config.RuleParams): one row
per rule of each selected profile ("profile:NAME") and account ("account:KEY"), with
parameter values written as TOML and the parameters an account overrides.
"""
from __future__ import annotations

import attrs

from shared.accountname import account_called
from shared.config.accounts import DEFAULT_PROFILE, find_account, find_account_quietly
from shared.config.checks import effective_rules, profile_names, profile_rules
from shared.config.convert import toml_value_text
from shared.config.rules import COMMON_FIELDS, RULE_NAMES


def _rows(target: str, profile: str, rules, overrides: dict) -> list[dict]:
    out = []
    for name in RULE_NAMES:
        params = getattr(rules, name)
        out.append({
            "target": target, "profile": profile, "rule": name, "enabled": params.enabled,
            "mode": params.mode, "warn_at": params.warn_at,
            "params": {f.name: toml_value_text(getattr(params, f.name))
                       for f in attrs.fields(type(params)) if f.name not in COMMON_FIELDS
                       and getattr(params, f.name) is not None},
            "overridden": sorted(overrides.get(name, {})),
        })
    return out


def rule_rows(config, target: str = "") -> list[dict]:
    """Rows for every profile and account, or for one target (account ref or profile:NAME).

    Raises KeyError naming the choices when the target is unknown, AmbiguousAccount when it
    is a name two accounts go by (trial16g: `rules list --account "Demo 1"` listed both
    without a word, `"demo 1"` neither).
    """
    kind, _, name = target.partition(":") if ":" in target else ("", "", target)
    if kind in ("", "account") and name:
        find_account(config.accounts, name)       # refuses a name two accounts go by
    rows: list[dict] = []
    if kind in ("", "profile"):
        for pname in profile_names(config):
            if not name or (pname == name and kind == "profile") or (
                    pname == name and find_account_quietly(config.accounts, name) is None):
                rows += _rows(f"profile:{pname}", pname, profile_rules(config, pname), {})
    if kind in ("", "account"):
        for account in config.accounts:
            if not name or account.matches(name):
                rows += _rows(f"account:{account.key}", account.profile,
                              effective_rules(config, account), account.rules)
    if target and not rows:     # accounts named as every screen names them (trial16c:
        raise KeyError(f"no account or profile {target!r}; profiles: "  # SIM-DEMO-1 here)
                       + ", ".join(profile_names(config)) + "; accounts: "
                       + (", ".join(account_called(config.accounts, a.id, a.name)
                                    for a in config.accounts) or "none"))
    return rows


def unlisted_rows(config, name: str) -> list[dict]:
    """Rows for an account the broker reports and the config does not list: it runs the
    default profile's rules (shared/config/checks.effective_rules), shown as account:NAME."""
    return _rows(f"account:{name}", DEFAULT_PROFILE, profile_rules(config, DEFAULT_PROFILE), {})
