"""--set RULE.PARAM=VALUE: try a rule change in the replay without editing any file.

Each setting is checked against the real config schema: the rule and parameter must exist
(the same check `riskctl rules set` makes) and the resulting rules must validate, so a typo
is a one-line error before anything is fetched. The value is TOML (500, true, ["CL"],
{MNQ = 3}); it applies to every replayed account, on top of its profile and overrides.
"""
from __future__ import annotations

from typing import Any

from shared.config.checks import apply_overrides
from shared.config.edit import EditError, check_rule_param, parse_value
from shared.config.errors import ConfigError

EXPECTED = "expected --set RULE.PARAM=VALUE, e.g. --set daily_realized_loss.limit=300"


class OverrideError(ValueError):
    """A --set that names no rule or parameter, or a value the schema refuses (one line)."""


def parse_sets(texts: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for text in texts or ():
        key, eq, value = text.partition("=")
        rule, dot, param = key.strip().partition(".")
        if not eq or not dot or not rule or not param or not value.strip():
            raise OverrideError(f"{EXPECTED}; got {text!r}")
        try:
            check_rule_param(rule, param)
        except EditError as exc:
            raise OverrideError(f"--set {text}: {exc}") from None
        node = out.setdefault(rule, {})
        *path, last = param.split(".")
        for part in path:
            node = node.setdefault(part, {})
        node[last] = parse_value(value.strip())
    return out


def check_sets(texts: list[str], rules_list: list) -> dict[str, dict[str, Any]]:
    """parse_sets, then each setting applied to every account's rules alone (so an error
    names the --set as typed: `--set daily_realized_loss.limit=-5: expected ...`), then all
    together (a combination the schema refuses names them all)."""
    for text in texts or ():
        one = parse_sets([text])
        for rules in rules_list:
            try:
                apply_overrides(rules, one, where="")
            except ConfigError as exc:
                raise OverrideError(f"--set {text}: "
                                    + "; ".join(p.message for p in exc.problems)) from None
    sets = parse_sets(texts)
    for rules in rules_list:
        try:
            apply_overrides(rules, sets, where="")
        except ConfigError as exc:
            raise OverrideError("--set " + " --set ".join(texts) + ": "
                                + "; ".join(str(p) for p in exc.problems)) from None
    return sets


def apply_sets(rules, sets: dict[str, dict[str, Any]]):
    """The rules with the settings applied; OverrideError says which key and what was wanted."""
    try:
        return apply_overrides(rules, sets, where="--set")
    except ConfigError as exc:
        raise OverrideError("; ".join(str(p) for p in exc.problems)) from None
