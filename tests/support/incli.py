"""riskctl run in the test's own process: (exit code, stdout, stderr), with stdin given when the
command reads it (a password, a yes)."""
from __future__ import annotations

import io

from cli.main import main


def run(capsys, *argv, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
