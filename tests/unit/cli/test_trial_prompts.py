"""User trial finding 3: end of input at a riskctl prompt (ctrl-D, or `</dev/null`) printed a
Python traceback (EOFError). Every prompt ends the command with a sentence instead."""
from __future__ import annotations

import getpass

import pytest

from cli import session
from cli.commands import init, stop
from cli.errors import CliError


def eof(*_args, **_kwargs):
    raise EOFError


def test_end_of_input_at_the_login_password_prompt_is_a_sentence(monkeypatch):
    monkeypatch.setattr(getpass, "getpass", eof)
    monkeypatch.setattr(session, "has_terminal", lambda: True)     # ctrl-D at a terminal
    with pytest.raises(CliError, match=r"no password typed \(end of input\)"):
        session.read_password("admin")


def test_end_of_input_at_a_new_password_prompt_is_a_sentence(monkeypatch):
    monkeypatch.setattr(getpass, "getpass", eof)
    monkeypatch.setattr(session, "has_terminal", lambda: True)     # ctrl-D at a terminal
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    with pytest.raises(CliError, match=r"no password typed \(end of input\); nothing was done"):
        init.read_new_password(False, "admin", "--password-stdin")


def test_end_of_input_at_a_question_is_its_default_or_a_sentence(monkeypatch):
    monkeypatch.setattr("builtins.input", eof)
    assert stop.confirm("stop market?") is False
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    with pytest.raises(CliError, match=r"end of input"):
        init.ask("account name")
