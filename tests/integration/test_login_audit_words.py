"""Two auth truths the docs state (trial 2026-12-05):

- every login attempt is audited (docs/operations.md): the first `riskctl login` with no admin
  password set was refused by riskctl itself (riskd was only asked whether the password
  exists), so the refusal was missing from `riskctl audit`;
- `--password-stdin` with no input ends with "no password typed (end of input); nothing was
  done", as ctrl-D at a prompt does (passwd said "must have at least 8 characters").
"""
from __future__ import annotations

import pytest

from cli.main import main
from tests.support.auth import audited
from tests.support.env import make_config

pytestmark = pytest.mark.timeout(60)


def test_a_login_refused_for_no_admin_password_is_audited(procs, tmp_path, monkeypatch):
    monkeypatch.setenv("RISKD_SESSION_DIR", str(tmp_path / "sessions"))
    config = make_config(tmp_path, workers=["logging"])       # the audit goes through logging
    procs.riskd(config)
    procs.wait_running(config, ["logging"])
    asked = procs.riskctl(config, "login", "--role", "admin")    # stdin: nothing, no terminal
    assert asked.returncode == 3, asked.stderr
    assert "no admin password is set" in asked.stderr and "password:" not in asked.stderr
    [line] = audited(config, "refused: no admin password set")
    assert line.get("login_as") == "admin", line
    shown = procs.riskctl(config, "audit", "show")
    assert "no admin password set" in " ".join(shown.stdout.split()), \
        shown.stdout + shown.stderr                # a wide row is a wrapped block (fitted)


@pytest.mark.parametrize("stdin, says", [
    ("", "no password typed (end of input); nothing was done"),
    ("\n", "no password typed (an empty first line); nothing was done"),
])
@pytest.mark.parametrize("argv", [["passwd", "ops", "--password-stdin"],
                                  ["passwd", "admin", "--password-stdin", "--offline"],
                                  ["login", "--role", "ops", "--password-stdin"]])
def test_password_stdin_with_no_input_says_so(argv, stdin, says, tmp_path, monkeypatch, capsys):
    import io
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["--config", make_config(tmp_path, workers=[]), *argv])
    err = capsys.readouterr().err
    assert code == 1 and says in err, err
    assert "8 characters" not in err
