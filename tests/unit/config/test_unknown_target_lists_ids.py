"""An edit naming no account lists the accounts as every other command does, with their ids
(fresh-user trial 13b: `riskctl rules set 9999 max_contracts limit 2` said "accounts:
SIM-DEMO-1, SIM-DEMO-2", while `logs --account` and `flatten` list "Demo 1 (id 1001), ...").
Run on a copy of etc/riskd.toml as shipped (its two accounts)."""
from __future__ import annotations


import pytest

from shared.config.account_edit import set_account_enabled
from shared.config.edit import EditError, set_rule_param

SHOWN = "Demo 1 (id 1001), Demo 2 (strict, id 1002)"


def test_rules_set_of_an_unknown_account_lists_the_accounts_with_ids(shipped):
    path, backups = shipped
    with pytest.raises(EditError) as refused:
        set_rule_param(path, "9999", "max_contracts", "limit", "2", backups)
    assert str(refused.value).startswith("no profile or account named '9999'; profiles: ")
    assert str(refused.value).endswith(
        f"; accounts: {SHOWN}; an account the broker reports that the config does not list "
        f"takes `riskctl accounts add 9999` first"), str(refused.value)


def test_accounts_enable_of_an_unknown_account_lists_them_so_too(shipped):
    path, backups = shipped
    with pytest.raises(EditError) as refused:
        set_account_enabled(path, "9999", True, backups)
    assert f"configured: {SHOWN} " in str(refused.value), str(refused.value)
