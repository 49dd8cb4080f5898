"""tests/support/incli.completed (riskctl in the test's process, for the tests marked
riskctl_in_process) gives what Procs.riskctl's subprocess gives: the same exit code, stdout and
stderr for a screen, a refusal, a usage error, a --help, and a command that reads stdin."""
from __future__ import annotations

import sys

import pytest

from tests.support import incli
from tests.support.env import make_config
from tests.support.procs import Procs

COMMANDS = [
    ("status",),                                              # no riskd: said, exit 1
    ("workers", "--json"),
    ("no-such-command",),                                     # argparse: usage, exit 2
    ("rules", "--help"),                                      # argparse: help, exit 0
    ("login", "--role", "admin", "--password-stdin"),         # reads the password from stdin
    ("config", "validate"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_in_process_riskctl_gives_what_the_subprocess_gives(tmp_path, args):
    config = make_config(tmp_path)
    given = "a password\n" if "--password-stdin" in args else None
    procs = Procs(tmp_path)
    subprocess_run = procs.riskctl(config, *args, input=given)
    in_process = incli.completed(config, *args, input=given)
    assert (in_process.returncode, in_process.stdout, in_process.stderr) == (
        subprocess_run.returncode, subprocess_run.stdout, subprocess_run.stderr)
    assert subprocess_run.stdout + subprocess_run.stderr      # each says something


def test_a_python_error_is_a_traceback_and_exit_1(tmp_path, monkeypatch):
    """As python does for an uncaught exception in riskctl's process."""
    import cli.main

    def broken(_argv):
        raise ValueError("broken on purpose")
    monkeypatch.setattr(cli.main, "main", broken)
    monkeypatch.setattr(incli, "main", broken)
    done = incli.completed(str(tmp_path / "riskd.toml"), "status")
    assert done.returncode == 1
    assert done.stderr.startswith("Traceback") and "ValueError: broken on purpose" in done.stderr


def test_the_width_is_a_pipes_not_the_terminals(tmp_path, monkeypatch):
    """sys.__stdout__ (where the terminal's size is asked) is no terminal meanwhile, as the
    subprocess's pipe is none, even when pytest runs in a 200-column terminal; everything is
    given back afterwards."""
    import fcntl
    import os
    import pty
    import struct
    import termios
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    terminal = os.fdopen(slave, "w")
    monkeypatch.setattr(sys, "__stdout__", terminal)
    seen = {}

    def look(_argv):
        import shutil
        seen["size"] = shutil.get_terminal_size((123, 45))
        seen["isatty"] = sys.stdout.isatty() or sys.stdin.isatty()
        return 0
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    monkeypatch.setattr(incli, "main", look)
    before = sys.stdin, sys.stdout, sys.stderr, sys.__stdout__
    assert incli.completed(str(tmp_path / "riskd.toml"), "status").returncode == 0
    assert tuple(seen["size"]) == (123, 45) and seen["isatty"] is False
    assert (sys.stdin, sys.stdout, sys.stderr, sys.__stdout__) == before
    import shutil
    assert shutil.get_terminal_size((123, 45)).columns == 200       # the terminal, after
    terminal.close()
    os.close(master)


def test_only_from_the_tests_own_thread(tmp_path):
    import threading
    errors = []

    def other():
        try:
            incli.completed(str(tmp_path / "riskd.toml"), "status")
        except RuntimeError as exc:
            errors.append(exc)
    t = threading.Thread(target=other)
    t.start()
    t.join(10)
    assert errors and "main thread" in str(errors[0])
