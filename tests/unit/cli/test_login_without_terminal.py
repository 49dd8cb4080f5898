"""A password prompt with no terminal and nothing on stdin (`riskctl login </dev/null`, run with
no controlling terminal) says so in riskctl's words, not with Python's getpass warning
(fresh-user trial 13b: "GetPassWarning: Can not control echo on the terminal. ... Warning:
Password input may be echoed." before "no password typed")."""
from __future__ import annotations

import subprocess
import sys

from tests.support import env as support_env

ASK = ("from cli.errors import CliError\n"
       "from cli.session import ask_password\n"
       "try:\n"
       "    print('read', repr(ask_password('admin password: ')))\n"
       "except CliError as exc:\n"
       "    print('refused:', exc)\n")


def ask(stdin) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", ASK], cwd=support_env.REPO,
                          env=support_env.test_env(), capture_output=True, text=True,
                          timeout=30, start_new_session=True, **stdin)   # no tty at all


def test_no_terminal_and_no_input_names_password_stdin_without_getpass_s_warning():
    done = ask({"stdin": subprocess.DEVNULL})
    assert "GetPassWarning" not in done.stderr and "may be echoed" not in done.stderr, done.stderr
    assert "refused: no password typed: there is no terminal" in done.stdout, done.stdout
    assert "--password-stdin" in done.stdout


def test_no_terminal_still_takes_a_piped_line_as_before():
    done = ask({"input": "a good pw 1\n"})
    assert "read 'a good pw 1'" in done.stdout and "GetPassWarning" not in done.stderr
