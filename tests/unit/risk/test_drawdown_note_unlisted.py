"""The drawdown note's command works for the account it is about (trial17b finding 4): for an
account the config does not list (riskd guards it with the default profile), the note told the
admin `riskctl rules set 1004 drawdown_guard line ...`, which was refused ("no profile or account
named '1004'"). `rules set` edits an [[accounts]] entry, so the note names `riskctl accounts add
1004` first, and so does the refusal. etc/riskd.toml as shipped (drawdown_guard on, no line)."""
from __future__ import annotations

import shutil

import pytest

from shared.config.edit import EditError, set_rule_param
from shared.config.load import load_config
from shared.messages.market import AccountUpdate
from tests.support.env import SHIPPED_CONFIG
from tests.unit.risk.desk import SHIPPED, chi, shipped_engine

LOADED = load_config(SHIPPED)


def _note(account_id: int, name: str) -> str:
    now = chi(2026, 12, 7, 9, 0)
    engine = shipped_engine(LOADED, now)
    out = engine.on_event(AccountUpdate(account_id=account_id, name=name, balance=50_000,
                                        can_trade=True), now)
    [w] = [w for w in out.warnings if w.rule == "drawdown_guard"]
    return w.reason


def test_the_note_of_an_unlisted_account_says_accounts_add_first():
    note = _note(1004, "SIM-DEMO-4")
    assert ("sets it for this account with `riskctl accounts add 1004`, then `riskctl rules "
            "set 1004 drawdown_guard line <the line>`") in note, note


def test_the_note_of_a_listed_account_gives_rules_set_alone():
    note = _note(1001, "SIM-DEMO-1")
    assert "accounts add" not in note, note
    assert "with `riskctl rules set 1001 drawdown_guard line <the line>`" in note, note


def test_the_refusal_of_rules_set_names_accounts_add(tmp_path):
    path = tmp_path / "riskd.toml"
    shutil.copy(SHIPPED_CONFIG, path)
    with pytest.raises(EditError) as refused:
        set_rule_param(str(path), "1004", "drawdown_guard", "line", "49500",
                       str(tmp_path / "backups"))
    assert "takes `riskctl accounts add 1004` first" in str(refused.value), str(refused.value)
