"""Two accounts going by one name in the config riskd runs: said at start, on screens, once
to the phone.

A file that had such names before round 15 (shared/config/checks.duplicate_name_problems) is
loaded with them as warnings: riskd guards both accounts and refuses the name only where one
is used (round 15 refused to start on it, leaving every account unguarded). The supervisor
logs each at start and on a reload, status/workers/watch show them (ConfigHealth.warnings),
and one alert names the line to fix once notify runs (a reload that still has them alerts
nothing new; one that adds a name is refused: checks.new_duplicate_names).
"""
from __future__ import annotations

from shared.messages.notify import NotifyEvent

MARK = "is already the name of account"


def name_warnings(warnings) -> list[str]:
    """The loaded config's duplicate-name warnings, as riskd says them (line to fix included)."""
    return [str(w) for w in warnings if MARK in w.message]


def names_event(warnings: list[str], path: str, ts_ns: int) -> NotifyEvent:
    more = "" if len(warnings) == 1 else f" ({len(warnings)} names)"
    return NotifyEvent(kind="config_duplicate_names", severity="warning",
                       title="⚠️ Two accounts go by one name in riskd's config" + more,
                       lines=[*warnings, f"file: {path}",
                              "riskd guards both accounts; a command naming an account by "
                              "that name is refused until one is renamed (docs/operations.md, "
                              "\"Account names\")"],
                       ts_ns=ts_ns)
