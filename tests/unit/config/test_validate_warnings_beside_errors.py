"""`config validate` says a file's warnings beside its errors, errors first, with counts, and
an offline edit's warning says "warning:" once (fresh-user trial16g, section 7).

The file is etc/riskd.toml with 1002's display name set to 1001's ("Demo 1": the warning riskd
starts with) and, for the error, a plain-text admin password where a bcrypt hash belongs."""
from __future__ import annotations

import json

from tests.support.env import REPO
from tests.support.incli import run

DUPLICATE = 'display_name = "Demo 2 (strict)"'


def shipped_with_a_duplicate_name(tmp_path, bad_hash: bool):
    text = open(f"{REPO}/etc/riskd.toml", encoding="utf-8").read()
    assert DUPLICATE in text
    text = text.replace(DUPLICATE, 'display_name = "Demo 1"')
    if bad_hash:
        head, admin = text.split("[admin]\n", 1)
        assert 'password_hash = ""' in admin
        text = head + "[admin]\n" + admin.replace('password_hash = ""',
                                                  'password_hash = "newpass999"', 1)
    path = tmp_path / "riskd.toml"
    path.write_text(text)
    return path


def test_an_error_and_a_warning_are_both_said_errors_first(capsys, tmp_path):
    path = shipped_with_a_duplicate_name(tmp_path, bad_hash=True)
    code, out, _ = run(capsys, "config", "validate", str(path))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"{path}: 1 error, 1 warning"
    assert "admin.password_hash: expected a bcrypt hash" in lines[1]
    assert "accounts[1].display_name: warning: 'Demo 1' is already the name" in lines[2]
    assert len(lines) == 3
    code, out, _ = run(capsys, "config", "validate", str(path), "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False
    assert [(p["path"], p["severity"]) for p in report["problems"]] == [
        ("admin.password_hash", "error"), ("accounts[1].display_name", "warning")]


def test_errors_alone_keep_their_count(capsys, tmp_path):
    path = tmp_path / "riskd.toml"
    path.write_text('[trading_day]\ntimezone = "Mars/Base"\n')
    code, out, _ = run(capsys, "config", "validate", str(path))
    assert code == 1 and out.splitlines()[0] == f"{path}: 1 problem"


def test_offline_passwd_says_warning_once(capsys, tmp_path, monkeypatch):
    path = shipped_with_a_duplicate_name(tmp_path, bad_hash=False)
    code, out, err = run(capsys, "--config", str(path), "passwd", "admin", "--offline",
                         "--password-stdin", stdin="another-pass\n", monkeypatch=monkeypatch)
    assert code == 0, err
    said = [line for line in out.splitlines() if "already the name" in line]
    assert len(said) == 1 and said[0].count("warning:") == 1, out
    assert said[0].strip().startswith("accounts[1].display_name: warning: 'Demo 1'")
