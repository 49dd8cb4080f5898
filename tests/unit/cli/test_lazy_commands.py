"""A riskctl run imports only the command it runs (its start-up is paid by every test and
every user call), and finds that command behind any global option."""
from __future__ import annotations

import subprocess
import sys

import pytest

from cli.commands import NAMES
from cli.main import build_parser, command_named
from tests.support.env import REPO, test_env as child_env


@pytest.mark.parametrize("argv, name", [
    (["status"], "status"),
    (["--config", "x.toml", "status", "--json"], "status"),
    (["--timeout=3", "workers", "--json"], "workers"),
    (["--config=x.toml", "--timeout", "2", "restart", "notify"], "restart"),
    (["--help"], None),
    ([], None),
    (["bogus"], None),
    (["--timeout"], None),
])
def test_the_command_is_found_behind_the_global_options(argv, name):
    assert command_named(argv) == name


@pytest.mark.parametrize("name", NAMES)
def test_one_commands_parser_holds_the_same_subparser_as_the_full_one(name):
    full = build_parser()._subparsers._group_actions[0].choices
    only = build_parser(name)._subparsers._group_actions[0].choices
    assert list(only) == [name] and only[name].format_help() == full[name].format_help()


def test_a_run_imports_only_what_its_command_imports():
    code = ("import sys; import cli.commands.status; "
            "own = {m for m in sys.modules if m.startswith('cli.commands.')}; "
            "from cli.main import build_parser, command_named; "
            "build_parser(command_named(['status', '--json'])); "
            "print(sorted({m for m in sys.modules if m.startswith('cli.commands.')} - own))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=child_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", done.stdout
