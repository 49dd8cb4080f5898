"""An edit keeps the file readable: the shipped comment block stays above the table it describes
and tables stay apart (trial17b: after `rules set 1002 drawdown_guard line 49790`, `accounts add
1004` and `config set broker.sim.accounts ...`, etc/riskd.local.toml read "# The default profile:
the loss limits and account guards are on ..." above `[accounts.rules.drawdown_guard]` and the new
`[[accounts]] id = 1004`, with no blank line before `[profiles.default]`). The edits riskctl
makes, on a copy of etc/riskd.toml as shipped."""
from __future__ import annotations

import shutil

from shared.config.account_edit import add_account
from shared.config.edit import set_config_value, set_rule_param
from shared.config.load import parse_toml
from tests.support.env import SHIPPED_CONFIG

PROFILE_NOTE = "# The default profile: the loss limits and account guards are on; the rules that"


def test_tables_an_edit_adds_go_above_the_comment_of_the_next_table(tmp_path):
    path = str(tmp_path / "riskd.toml")
    shutil.copy(SHIPPED_CONFIG, path)
    backups = str(tmp_path / "backups")
    set_rule_param(path, "1002", "drawdown_guard", "line", "49790", backups)
    add_account(path, "1004", backups)
    set_config_value(path, "broker.sim.accounts", '[{id = 1001, name = "SIM-DEMO-1"}, '
                     '{id = 1002, name = "SIM-DEMO-2"}, {id = 1003, name = "SIM-DEMO-3"}]',
                     backups)
    text = open(path, encoding="utf-8").read()
    lines = text.splitlines()
    note = lines.index(PROFILE_NOTE)
    # the comment block, whole, then its table; a blank line above it
    block_end = note
    while lines[block_end].startswith("#"):
        block_end += 1
    assert lines[block_end] == "[profiles.default]", lines[note - 3:block_end + 1]
    assert lines[note - 1] == "", lines[note - 6:note + 1]
    # the added tables are above it, each where it belongs
    assert "[accounts.rules.max_contracts]\nlimit = 2\n[accounts.rules.drawdown_guard]\n" \
           "line = 49790\n\n[[accounts]]\nid = 1004\n" in text, text
    assert "[broker.sim]\nport = 5600\n\n[[broker.sim.accounts]]\nid = 1001\n" in text, text
    assert "name = \"SIM-DEMO-3\"\n\n[supervisor]\n" in text
    data = parse_toml(text, path)
    assert data["accounts"][1]["rules"]["drawdown_guard"] == {"line": 49790}
    assert data["accounts"][2]["id"] == 1004
    assert "drawdown_guard" not in data["profiles"]["default"]["rules"] or \
        "line" not in data["profiles"]["default"]["rules"]["drawdown_guard"]
