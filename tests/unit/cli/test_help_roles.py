"""Every command's help names its role once, and the role riskctl names is the supervisor's."""
from __future__ import annotations

import pytest

from cli.commands import COMMANDS
from cli.main import build_parser
from services.supervisor.commands import REGISTRY
from shared.messages.control import RestartWorker, ShutdownRequest, StartWorker, StopWorker


def help_texts() -> dict[str, tuple[str, str]]:
    """command -> (its line in `riskctl --help`, its own `riskctl COMMAND --help`)."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    lines = {a.dest: a.help for a in sub._choices_actions}
    return {name: (lines[name], p.format_help()) for name, p in sub.choices.items()}


@pytest.mark.parametrize("module", COMMANDS, ids=lambda m: m.NAME)
def test_a_command_names_its_role_once(module):
    summary, full = help_texts()[module.NAME]
    expected = 1 if getattr(module, "ROLE", "") else 0
    assert summary.count("Role:") == expected, summary
    assert full.count("Role:") == expected, full


@pytest.mark.parametrize("request_type,command", [
    (StartWorker, "start"), (RestartWorker, "restart"), (StopWorker, "stop"),
    (ShutdownRequest, "shutdown")])
def test_the_role_in_the_help_is_the_one_the_supervisor_checks(request_type, command):
    module = next(m for m in COMMANDS if m.NAME == command)
    assert module.ROLE == REGISTRY.get(request_type).role


def test_a_command_with_offline_says_it_needs_no_session_then():
    """trial15b: `riskctl passwd --help` said "Needs an admin session" with no word that
    --offline (riskd stopped) edits the file with none."""
    full = " ".join(help_texts()["passwd"][1].split())
    assert "Needs an admin session" in full and "Not with --offline" in full, full


def test_no_summary_ends_in_a_comma():
    """trial15b: `riskctl --help` listed unlock as "... Admin only," (its docstring's first
    line, cut mid-sentence)."""
    for name, (summary, _full) in help_texts().items():
        assert not summary.rstrip().endswith(","), (name, summary)
