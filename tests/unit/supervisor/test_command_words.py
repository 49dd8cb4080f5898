"""Answers name a command as the person typed it (second trial: "riskctl rules: ... RulesSet
needs an admin session"): every command that needs a session has riskctl's words."""
from __future__ import annotations

from services.supervisor.commands import REGISTRY


def test_every_command_that_needs_a_session_is_named_as_riskctl_says_it():
    needing = [c for c in REGISTRY._by_type.values() if c.role in ("ops", "admin")]
    assert needing
    for command in needing:
        assert command.said.startswith("`riskctl "), (command.name, command.said)
    said = {c.name: c.said for c in needing}
    assert said["RulesSet"] == "`riskctl rules set`"
    assert said["FlattenRequest"] == "`riskctl flatten`"
