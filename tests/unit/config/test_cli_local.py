"""riskctl's local config commands: validate, init, offline edits and passwd (no riskd needed)."""
from __future__ import annotations

import json

import pytest

from shared.config import effective_rules, load_config
from shared.config.access import check_password
from tests.support.env import REPO
from tests.support.incli import run


def test_validate_the_embedded_default(capsys):
    code, out, _ = run(capsys, "config", "validate", f"{REPO}/etc/riskd.toml")
    assert code == 0 and out.strip().endswith("ok")
    config = load_config(f"{REPO}/etc/riskd.toml").config
    assert [a.id for a in config.accounts] == [1001, 1002]
    assert effective_rules(config, "SIM-DEMO-2").daily_realized_loss.limit == 300
    assert effective_rules(config, 1001).daily_realized_loss.limit == 500
    assert effective_rules(config, 1001).drawdown_guard.enabled


def test_validate_lists_every_problem_and_exits_1(capsys, tmp_path):
    bad = tmp_path / "riskd.toml"
    bad.write_text('[trading_day]\ntimezone = "Mars/Base"\n'
                   '[[accounts]]\nid = 5\nprofile = "nope"\n')
    code, out, _ = run(capsys, "config", "validate", str(bad), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False and report["file"] == str(bad)
    assert [p["path"] for p in report["problems"]] == ["trading_day.timezone"]
    bad.write_text('[[accounts]]\nid = 5\nprofile = "nope"\n')
    code, out, _ = run(capsys, "config", "validate", str(bad))
    assert code == 1 and "accounts[0].profile: unknown profile 'nope'" in out


def test_init_writes_a_commented_valid_config_for_a_projectx_account(capsys, tmp_path,
                                                                    monkeypatch):
    monkeypatch.delenv("PX_KEY_TEST", raising=False)
    code, out, err = run(capsys, "init", str(tmp_path), "--user-name", "trader@example.com",
                         "--api-key-env", "PX_KEY_TEST", "--account", "123456=50K combine",
                         "--account", "PRAC-V2-99", "--starting-balance", "50000",
                         "--admin-password-stdin", stdin="s3cret-pass\n",
                         monkeypatch=monkeypatch)
    assert code == 0, err
    path = tmp_path / "riskd.toml"
    text = path.read_text()
    assert "set PX_KEY_TEST" in out
    assert 'api_key = "${PX_KEY_TEST}"' in text and "s3cret-pass" not in text
    assert "# 3. Realized PnL today <= -limit" in text
    monkeypatch.setenv("PX_KEY_TEST", "key")
    config = load_config(str(path)).config
    assert config.broker.kind == "projectx" and config.broker.user_name == "trader@example.com"
    assert [(a.id, a.name, a.display_name) for a in config.accounts] == [
        (123456, "", "50K combine"), (None, "PRAC-V2-99", "")]
    assert config.profiles["default"].rules.drawdown_guard.starting_balance == 50000
    assert check_password("s3cret-pass", config.admin.password_hash)
    assert config.admin.password_hash.startswith("$2b$12$")
    # no second init over it without --force
    code, _, err = run(capsys, "init", str(tmp_path), "--user-name", "x", "--api-key-env", "K",
                       "--account", "1", "--no-admin-password")
    assert code == 1 and "exists" in err


def test_offline_rules_edit_and_passwd(capsys, tmp_path, monkeypatch):
    path = tmp_path / "riskd.toml"
    path.write_text("# mine\n[paths]\ndata_dir = \"data\"\n")
    code, out, err = run(capsys, "--config", str(path), "rules", "set", "default",
                         "daily_realized_loss", "limit", "275", "--offline")
    assert code == 0, err
    code, _, err = run(capsys, "--config", str(path), "rules", "disable", "default",
                       "cooldown_after_loss", "--offline")
    assert code == 0, err
    code, _, err = run(capsys, "--config", str(path), "passwd", "ops", "--password-stdin",
                       "--offline", stdin="another-pass\n", monkeypatch=monkeypatch)
    assert code == 0, err
    config = load_config(str(path)).config
    assert config.profiles["default"].rules.daily_realized_loss.limit == 275
    assert not config.profiles["default"].rules.cooldown_after_loss.enabled
    assert check_password("another-pass", config.ops.password_hash)
    assert path.read_text().startswith("# mine\n")
    code, out, _ = run(capsys, "--config", str(path), "config", "backups", "--offline", "--json")
    assert len(json.loads(out)["backups"]) == 3
    code, _, err = run(capsys, "--config", str(path), "rules", "set", "default",
                       "daily_realized_loss", "limit", "-1", "--offline")
    # said as the edit's value refused, not the file's problem (trial 21a section 5)
    assert code == 1 and ("default daily_realized_loss.limit: refused, nothing written (the "
                          "file is unchanged): -1 is not a value riskd takes for "
                          "daily_realized_loss limit: expected an amount from 0.01 to 1000000") in err


@pytest.mark.parametrize("password", ["short"])
def test_passwd_refuses_a_short_password(capsys, tmp_path, monkeypatch, password):
    path = tmp_path / "riskd.toml"
    path.write_text("")
    code, _, err = run(capsys, "--config", str(path), "passwd", "admin", "--password-stdin",
                       "--offline", stdin=password + "\n", monkeypatch=monkeypatch)
    assert code == 1 and "at least 8" in err
