"""The audit trail's WHAT of a rule edit names the account and the value in force (fresh-user
trial 2026-12-05: `riskctl rules set 1001 daily_realized_loss limit 800` was recorded as
"accounts[0].rules.daily_realized_loss.limit: (unset) -> 800" while the profile's 500 was in
force). The config is the shipped one (etc/riskd.toml's rules) with one account, Demo 1."""
from __future__ import annotations

from shared.config.edit import set_rule_param
from tests.support.env import make_config

ACCOUNT = {"id": 1001, "name": "SIM-DEMO-1", "display_name": "Demo 1"}


def edit(tmp_path, target, rule, param, value):
    path = make_config(tmp_path, accounts=[ACCOUNT])
    return set_rule_param(path, target, rule, param, value, str(tmp_path / "backups")).changes


def test_an_account_value_names_the_account_and_the_profiles_value_it_replaces(tmp_path):
    changes = edit(tmp_path, "1001", "daily_realized_loss", "limit", "800")
    assert changes == ("Demo 1 (id 1001): daily_realized_loss limit 500.00 -> 800.00 "
                       "(was the profile's)",), changes


def test_the_account_is_named_with_its_id_as_everywhere_else(tmp_path):
    """Fresh-user trial 2026-12-06: "target=1001 ... Demo 1: max_contracts ..." (a name without
    its id, shared/accountname.called); a name ending in a bracket keeps one bracket."""
    path = make_config(tmp_path, accounts=[ACCOUNT, {"id": 1002, "name": "SIM-DEMO-2",
                                                     "display_name": "Demo 2 (strict)"}])
    changes = set_rule_param(path, "1002", "max_contracts", "limit", "4",
                             str(tmp_path / "backups")).changes
    assert changes[0].startswith("Demo 2 (strict, id 1002): max_contracts limit "), changes


def test_a_profile_edit_and_tiers_read_as_screens_show_them(tmp_path):
    changes = edit(tmp_path, "profile:default", "cooldown_after_loss", "tiers",
                   "[{loss = 50, seconds = 60}]")
    assert changes == ("profile default: cooldown_after_loss tiers 100.00->5m00s, "
                       "200.00->15m00s, 300.00->30m00s -> 50.00->1m00s",), changes
    assert not any("(unset)" in c or "[0]" in c for c in changes)
