"""`riskctl config set KEY VALUE` reads VALUE by the setting's declared type (shared/config/
declared.py), not by the type of the value the file holds now.

Fresh-user trial (trial14b): with `session_minutes = "fifteen"` hand-typed into the file,
`config set admin.session_minutes 10` answered "admin.session_minutes: expected a number, got
'10'": the edit kept the broken old value's type (a string) and wrote "10". The shipped
etc/riskd.toml, copied, with that one hand edit (the scenario); the edit function riskctl's
`config set` runs (supervisor and --offline alike)."""
from __future__ import annotations

import shutil

import pytest

from shared.config.edit import set_config_value
from shared.config.errors import ConfigError
from shared.config.load import load_config
from tests.support.env import REPO


@pytest.fixture
def broken(tmp_path):
    path = tmp_path / "riskd.toml"
    shutil.copy(f"{REPO}/etc/riskd.toml", path)
    text = path.read_text()
    start = text.index("[admin]")
    at = text.index("session_minutes = 15", start)
    path.write_text(text[:at] + 'session_minutes = "fifteen"' + text[at + len(
        "session_minutes = 15"):])
    with pytest.raises(ConfigError):
        load_config(str(path))                  # the file is broken as the trial's was
    return str(path), str(tmp_path / "backups")


def test_a_number_typed_as_text_is_set_again_as_a_number(broken):
    path, backups = broken
    set_config_value(path, "admin.session_minutes", "10", backups)
    assert load_config(path).config.admin.session_minutes == 10
    assert "session_minutes = 10\n" in open(path).read()


def test_a_value_that_really_is_wrong_is_refused_clearly_and_nothing_changes(broken):
    path, backups = broken
    before = open(path).read()
    with pytest.raises(ConfigError) as refused:
        set_config_value(path, "admin.session_minutes", "abc", backups)
    assert "admin.session_minutes: expected a number, got 'abc'" in str(refused.value)
    assert open(path).read() == before


def test_a_text_setting_stays_text(tmp_path):
    path = tmp_path / "riskd.toml"
    shutil.copy(f"{REPO}/etc/riskd.toml", path)
    backups = str(tmp_path / "backups")
    set_config_value(str(path), "accounts[0].display_name", "12345", backups)
    set_config_value(str(path), "trading_day.roll", "16:00", backups)
    config = load_config(str(path)).config
    assert config.accounts[0].display_name == "12345"
    assert config.trading_day.roll == "16:00"
