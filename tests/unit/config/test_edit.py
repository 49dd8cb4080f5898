"""Safe config edits: comments survive, invalid edits change nothing, crashes leave the old file."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from shared.config.edit import (EditError, atomic_write, edit_config, list_backups,
                                restore_backup, set_config_value, set_key, set_rule_enabled,
                                set_rule_param, split_key)
from shared.config.errors import ConfigError
from shared.config.load import load_config
from tests.support import env as support

HAND_WRITTEN = """\
# riskd for my funded account -- DO NOT LOSE THIS COMMENT
[paths]
data_dir = "data"   # beside this file

[[accounts]]
id = 1001
name = "SIM-DEMO-1"   # the demo

# my rules
[profiles.default.rules.daily_realized_loss]
limit = 400  # what my firm allows minus a margin

# next rule
[profiles.default.rules.max_contracts]
limit = 3
"""


@pytest.fixture
def cfg(tmp_path):
    path = tmp_path / "riskd.toml"
    path.write_text(HAND_WRITTEN)
    return str(path), str(tmp_path / "backups")


def test_rule_edit_keeps_comments_and_order(cfg):
    path, backups = cfg
    set_rule_param(path, "default", "daily_realized_loss", "limit", "300", backups)
    set_rule_param(path, "default", "daily_realized_loss", "mode", "alert", backups)
    set_rule_param(path, "SIM-DEMO-1", "max_contracts", "limit", "2", backups)
    text = open(path).read()
    for line in ("# riskd for my funded account -- DO NOT LOSE THIS COMMENT",
                 'data_dir = "data"   # beside this file', 'name = "SIM-DEMO-1"   # the demo',
                 "limit = 300  # what my firm allows minus a margin"):
        assert line in text
    # the comment above a header stays above that header
    assert "# next rule\n[profiles.default.rules.max_contracts]" in text
    config = load_config(path).config
    assert config.profiles["default"].rules.daily_realized_loss.mode == "alert"
    assert config.accounts[0].rules == {"max_contracts": {"limit": 2}}


def test_enable_disable_and_quoted_keys(cfg):
    path, backups = cfg
    set_rule_enabled(path, "profile:default", "daily_realized_profit", True, backups)
    set_config_value(path, 'profiles.default.rules.max_contracts_per_instrument.limits.'
                           '"CON.F.US.EP.Z26"', "1", backups)
    rules = load_config(path).config.profiles["default"].rules
    assert rules.daily_realized_profit.enabled
    assert rules.max_contracts_per_instrument.limits == {"CON.F.US.EP.Z26": 1}
    set_rule_enabled(path, "account:1001", "daily_realized_profit", False, backups)
    assert load_config(path).config.accounts[0].rules == {
        "daily_realized_profit": {"enabled": False}}


def test_invalid_edit_leaves_the_file_untouched(cfg):
    path, backups = cfg
    before = open(path, "rb").read()
    with pytest.raises(ConfigError) as info:
        set_rule_param(path, "default", "daily_realized_loss", "limit", "-50", backups)
    assert info.value.problems[0].path == "profiles.default.rules.daily_realized_loss.limit"
    assert open(path, "rb").read() == before
    assert list_backups(path, backups) == []


def test_bad_targets_are_refused_with_the_choices(cfg):
    path, backups = cfg
    with pytest.raises(EditError, match="unknown rule"):
        set_rule_param(path, "default", "max_loss", "limit", "1", backups)
    with pytest.raises(EditError, match="no parameter 'limt'.*limit"):
        set_rule_param(path, "default", "max_contracts", "limt", "1", backups)
    with pytest.raises(EditError, match="no profile or account named 'ghost'"):
        set_rule_param(path, "ghost", "max_contracts", "limit", "1", backups)


def test_eleven_edits_leave_ten_backups_newest_first(cfg):
    path, backups = cfg
    for n in range(1, 12):
        set_rule_param(path, "default", "max_contracts", "limit", str(n), backups)
    found = list_backups(path, backups)
    assert len(found) == 10
    assert found == sorted(found, key=lambda b: b.stamp, reverse=True)
    # the newest backup holds the file as it was before the last edit (limit 10)
    assert "limit = 10" in open(found[0].path).read()


def test_restore_is_validated_and_backs_up_the_current_file(cfg):
    path, backups = cfg
    set_rule_param(path, "default", "max_contracts", "limit", "4", backups)
    first = list_backups(path, backups)[0]
    restore_backup(path, first.stamp, backups)
    assert load_config(path).config.profiles["default"].rules.max_contracts.limit == 3
    assert len(list_backups(path, backups)) == 2
    # a backup that is no longer valid is refused like any edit
    with open(first.path, "w") as fh:
        fh.write("[logging]\nlevel = 'LOUD'\n")
    before = open(path, "rb").read()
    with pytest.raises(ConfigError):
        restore_backup(path, first.stamp, backups)
    assert open(path, "rb").read() == before
    with pytest.raises(EditError, match="no backup"):
        restore_backup(path, "20000101T000000000000Z", backups)


def test_failed_rename_leaves_the_old_file_and_no_temp_file(cfg):
    path, backups = cfg
    before = open(path, "rb").read()

    def crash(_src, _dst):
        raise OSError("power cut")
    with pytest.raises(OSError, match="power cut"):
        edit_config(path, lambda doc: set_key(doc, "logging.level", "DEBUG"), backups,
                    replace=crash)
    assert open(path, "rb").read() == before
    assert [n for n in os.listdir(os.path.dirname(path)) if n.endswith(".tmp")] == []


CRASH_BEFORE_RENAME = """
import os, signal, sys
from shared.config.edit import atomic_write
def die(_src, _dst):
    os.kill(os.getpid(), signal.SIGKILL)
atomic_write(sys.argv[1], "broken = [\\n", replace=die)
"""


def test_process_killed_between_temp_write_and_rename_leaves_the_old_file(cfg):
    path, _ = cfg
    before = open(path, "rb").read()
    proc = subprocess.run([sys.executable, "-c", CRASH_BEFORE_RENAME, path], cwd=support.REPO,
                          env=support.test_env(), timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert open(path, "rb").read() == before
    load_config(path)    # still valid


def test_atomic_write_replaces_content(tmp_path):
    target = tmp_path / "f.toml"
    target.write_text("a = 1\n")
    atomic_write(str(target), "a = 2\n")
    assert target.read_text() == "a = 2\n"


def test_split_key():
    assert split_key('accounts[0].rules."CON.F.US.EP.Z26"') == [
        "accounts", 0, "rules", "CON.F.US.EP.Z26"]
    with pytest.raises(EditError):
        split_key("a..b")


def test_backups_are_as_private_as_the_config(cfg):
    path, backups = cfg
    os.chmod(path, 0o600)
    set_rule_param(path, "default", "max_contracts", "limit", "2", backups)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert os.stat(backups).st_mode & 0o777 == 0o700
    assert os.stat(list_backups(path, backups)[0].path).st_mode & 0o777 == 0o600


def test_edits_keep_env_references_and_never_write_the_secret(tmp_path, monkeypatch):
    path = tmp_path / "riskd.toml"
    path.write_text('[broker]\napi_key = "${PX_EDIT_KEY}"\n')
    monkeypatch.setenv("PX_EDIT_KEY", "the-real-key")
    set_config_value(str(path), "logging.level", "DEBUG", str(tmp_path / "b"))
    text = path.read_text()
    assert 'api_key = "${PX_EDIT_KEY}"' in text and "the-real-key" not in text
    monkeypatch.delenv("PX_EDIT_KEY")
    with pytest.raises(ConfigError, match="PX_EDIT_KEY is not set"):
        set_config_value(str(path), "logging.level", "INFO", str(tmp_path / "b"))


def test_a_key_set_where_the_file_shows_it_commented_out_takes_the_example_s_place(tmp_path):
    """Trial 2026-12-06: `riskctl rules set default drawdown_guard line 48000` on the shipped
    etc/riskd.toml wrote "line = 48000" ABOVE its example "# line = 48000  # optional: ...",
    which stayed as if the line were still unset. The key now takes the example's place, with
    its note at the same column."""
    shipped = os.path.join(os.path.dirname(__file__), "..", "..", "..", "etc", "riskd.toml")
    text = open(shipped, encoding="utf-8").read()
    [example] = [ln for ln in text.splitlines() if ln.startswith("# line = 48000")]
    path = tmp_path / "riskd.toml"
    path.write_text(text.replace('data_dir = "../var"', 'data_dir = "var"'))
    set_rule_param(str(path), "default", "drawdown_guard", "line", "48100", str(tmp_path / "b"))
    lines = open(path).read().splitlines()
    assert not any(ln.lstrip().startswith("# line =") for ln in lines), lines
    [line] = [ln for ln in lines if ln.startswith("line = ")]
    assert line.startswith("line = 48100 ") and line.endswith(
        "# optional: the firm's current max-loss line (its dashboard)"), line
    assert line.index("# optional") == example.index("# optional"), (line, example)
    assert lines[lines.index(line) - 1].startswith("starting_balance = 50000"), lines
    assert load_config(str(path)).config.profiles["default"].rules.drawdown_guard.line == 48100
