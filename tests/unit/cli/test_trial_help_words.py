"""Fresh-user trial: two helps said what riskctl does not do.

(a) `riskctl restart --help` said "run `riskctl login --role ops` first", but there is no ops
    password by default: that login can only fail. The help names the admin login, as riskd's
    refusal does (shared/config/access.login_hint).
(b) `riskctl sim history --help` said `--account A ... (default: the first)`, but `sim history
    --days 5` wrote both accounts (docs/simbroker.md: "for the demo accounts (or one)"); `sim
    flatten` acts on every account too.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from cli.commands import sim
from cli.main import build_parser
from shared.config.access import login_hint


def help_of(*words: str) -> str:
    parser = build_parser(words[0])
    for word in words:
        sub = next(a for a in parser._actions if a.dest in ("command", "action"))
        parser = sub.choices[word]
    return " ".join(parser.format_help().split())


@pytest.mark.parametrize("command", ["restart", "start"])
def test_an_ops_commands_help_names_the_login_that_works_by_default(command):
    said = help_of(command)
    assert "run `riskctl login --role admin` first (an admin session serves ops commands too; " \
           "there is no ops password by default)" in said, said
    assert "`riskctl passwd ops`" in said
    # the same advice riskd gives when it refuses the command with no ops password set
    assert "an admin session serves ops commands too" in login_hint("ops", "admin")


def test_riskctls_own_help_names_the_admin_login_for_ops_commands_too():
    said = " ".join(build_parser().format_help().split())
    assert "'riskctl login --role admin', which serves [ops] commands too" in said, said
    assert "--role ops|admin" not in said


def test_an_admin_commands_help_names_the_admin_login():
    assert "Needs an admin session: run `riskctl login --role admin` first" in help_of("stop")


class Sim:
    """The sim's REST API with two demo accounts; remembers what history was asked to write."""
    def __init__(self):
        self.bodies = []

    def call(self, path, body):
        return {"accounts": [{"id": 1001, "name": "Demo 1"}, {"id": 1002, "name": "Demo 2"}]}

    accounts = sim.SimClient.accounts

    def control(self, path, body, timeout=None):
        self.bodies.append(body)
        return {"success": True, "written": ["2026-12-01"], "skipped": [], "trades": 3,
                "accounts": body["accountIds"], "seed": 7}


@pytest.mark.parametrize("action", ["history", "flatten"])
def test_sim_actions_on_every_account_say_so_in_their_help(action):
    said = help_of("sim", action)
    assert "--account A account id, name or display name (default: every account)" in said, said
    assert "the first" not in said


def test_sim_history_without_account_writes_every_account_as_its_help_says(capsys):
    fake = Sim()
    # no config file: the accounts named as the sim names them (cli/commands/sim.py)
    sim.history(SimpleNamespace(days=5, account=None, seed=None),
                SimpleNamespace(json=False, config_path="/nonexistent/riskd.toml"), fake)
    assert fake.bodies[0]["accountIds"] == [1001, 1002]
    assert "Demo 1 (id 1001), Demo 2 (id 1002)" in capsys.readouterr().out
    assert "(default: every account)" in help_of("sim", "history")


@pytest.mark.parametrize("action", ["buy", "sell"])
def test_sim_orders_go_to_the_first_account_as_their_help_says(action):
    assert "--account A account id, name or display name (default: the first)" \
        in help_of("sim", action)


@pytest.mark.parametrize("action", ["test", "status"])
def test_notify_help_says_what_it_does_and_offers_no_empty_channel(action):
    """Trial16c: `riskctl notify test --help` showed `--channel {,telegram,discord}` (an empty
    choice) and no line saying what the command does."""
    text = help_of("notify", action)
    assert "{," not in text and ",}" not in text
    assert text.split(" options: ")[0].count(".") >= 1 and "docs/alerts.md" in text, text


def test_config_sets_help_says_which_form_a_value_takes():
    # trial 21b: `config set trading_day.roll '"06:16"'` was refused ("expected a time as
    # HH:MM ..., got '"06:16"'") while lists took TOML; `config set --help` said neither
    import argparse
    parser = build_parser("config")
    config = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
                  ).choices["config"]
    setter = next(a for a in config._actions if isinstance(a, argparse._SubParsersAction)
                  ).choices["set"]
    said = " ".join(setter.format_help().split())
    assert "text bare, without TOML quotes (trading_day.roll 06:16, not '\"06:16\"')" in said
    assert "a list or table in TOML syntax, quoted for the shell" in said, said
    assert "docs/operations.md" in said
