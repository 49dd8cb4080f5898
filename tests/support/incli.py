"""riskctl run in the test's own process: the real entry point (cli.main.main) against the real
sockets, without starting a Python for each command.

run(): (exit code, stdout, stderr) through pytest's capsys, stdin given when the command reads
it (a password, a yes). completed(): what Procs.riskctl's subprocess gives (a
CompletedProcess), for the tests marked riskctl_in_process (tests/conftest.py's procs fixture):
a riskctl process costs about 0.3 s of CPU to start (round 19), and the suite ran hundreds.
completed() gives the command what the subprocess had: stdin a pipe (the input given, else
empty), stdout and stderr pipes (no terminal: the width a pipe gets, cli/fitted.py), a Python
error a traceback on stderr with exit code 1, argparse's exit its code."""
from __future__ import annotations

import io
import subprocess
import sys
import threading
import traceback

from cli.main import main


def run(capsys, *argv, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def completed(config_path: str, *args: str,
              input: str | None = None) -> subprocess.CompletedProcess:
    """`riskctl --config config_path *args` in this process, as Procs.riskctl's subprocess:
    its exit code, stdout and stderr. Only from the test's own thread: sys.stdout is the
    process's, so two at once would mix their output."""
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("incli.completed runs riskctl in the main thread only")
    argv = ["--config", config_path, *args]
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin, sys.stdout, sys.stderr, sys.__stdout__
    # sys.__stdout__ too: shutil.get_terminal_size asks it for the terminal's size; a pipe
    # (the subprocess's stdout) has none, and neither has a StringIO
    sys.stdin, sys.stdout, sys.stderr, sys.__stdout__ = io.StringIO(input or ""), out, err, out
    try:
        code = main(argv)
    except SystemExit as exc:                   # argparse: a usage error (2), --help (0)
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=err)
            code = 1
    except Exception:                           # noqa: BLE001 - what python prints and exits 1
        traceback.print_exc(file=err)
        code = 1
    finally:
        sys.stdin, sys.stdout, sys.stderr, sys.__stdout__ = saved
    return subprocess.CompletedProcess(["riskctl", *argv], code, out.getvalue(),
                                       err.getvalue())
