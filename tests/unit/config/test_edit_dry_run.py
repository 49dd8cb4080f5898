"""An edit run dry (shared/config/edit.py dry_run): validated, its new text returned, nothing
written and no backup made; what the supervisor hands risk to ask what an edit would do now
(services/supervisor/commands/rule_confirm.py)."""
from __future__ import annotations

import os

import pytest

from shared.config.edit import list_backups, restore_backup, set_rule_param
from shared.config.errors import ConfigError
from tests.support.env import make_config


def test_a_dry_edit_and_a_dry_restore_write_nothing(tmp_path):
    path = make_config(tmp_path, accounts=[{"id": 1001, "name": "SIM-1"}])
    backups = str(tmp_path / "backups")
    before = open(path).read()
    dry = set_rule_param(path, "1001", "max_contracts", "limit", "2", backups, dry_run=True)
    assert "limit = 2" in dry.text and dry.backup == ""
    assert "accounts[0].rules.max_contracts.limit" in dry.changed_keys
    assert open(path).read() == before and not os.path.exists(backups)
    with pytest.raises(ConfigError):          # validated as any edit
        set_rule_param(path, "1001", "max_contracts", "limit", "-1", backups, dry_run=True)
    set_rule_param(path, "1001", "max_contracts", "limit", "2", backups)      # for real
    after = open(path).read()
    stamp = list_backups(path, backups)[0].stamp
    back = restore_backup(path, stamp, backups, dry_run=True)
    assert back.text == before and open(path).read() == after
    assert len(list_backups(path, backups)) == 1
