"""A rule edit's value refused by the config's checks, in the words of the edit (not the file's).

`riskctl rules set 1001 daily_realized_loss limit -100` answered as if riskd.local.toml were
broken: "riskd.local.toml: 1 problem / riskd.local.toml: accounts[0].rules.daily_realized_loss.
limit: expected a number greater than 0, got -100 (not in the file; accounts[0] starts at line
75: ...)" (fresh-user trial 21a section 5): the value came from the command line, and the
file was never written. refused_reason says that: the value is refused, why, and that nothing
was written; a problem the edit makes elsewhere (another parameter's check) is named by its
rule and parameter. Pure: the ConfigError of the edit's check and the edit's rule, parameter
and value (the supervisor's answer, services/supervisor/commands/config_edits.py, and
`--offline`'s, cli/offline.py).
"""
from __future__ import annotations

import re

from shared.config.errors import ConfigError

_WHERE = re.compile(r" \((?:not in the file|line \d+)[^()]*(?:\([^()]*\)[^()]*)*\)$")
_RULE_KEY = re.compile(r"rules\.(\w+)\.(\w+)(.*)$")


def message_of(problem) -> str:
    """The problem's message without where the file would hold it."""
    return _WHERE.sub("", problem.message)


def refused_reason(shown: str, rule: str, param: str, value: str, exc: ConfigError) -> str:
    """'Demo 1 (id 1001) daily_realized_loss.limit: refused, nothing written (the file is
    unchanged): -100 is not a value riskd takes: expected a number greater than 0, got -100'."""
    errors = [p for p in exc.problems if p.severity != "warning"] or list(exc.problems)
    own = [p for p in errors if _RULE_KEY.search(p.path or "")
           and _RULE_KEY.search(p.path).group(1, 2) == (rule, param)]
    said = [message_of(p) for p in own]
    for p in errors:
        if p in own:
            continue
        key = _RULE_KEY.search(p.path or "")
        where = f"{key.group(1)} {key.group(2)}{key.group(3)}" if key else (p.path or "the file")
        said.append(f"with it, {where}: {message_of(p)}")
    return (f"{shown}: refused, nothing written (the file is unchanged): {value} is "
            f"not a value riskd takes for {rule} {param}: " + "; ".join(said))
