"""A profile edit that waits on several accounts names the one override that takes them all,
in the form `rules override` accepts (fresh-user trial 13b: `rules set profile:default ...`
printed one hint per account, the admin tried `rules override --account profile:default` and
it was refused). The accounts' own lines keep their `--account ID` form."""
from __future__ import annotations

from services.supervisor.commands.rule_outcome import RuleEdit, outcome_lines
from tests.unit.supervisor.test_rule_edit_outcome import account

NAMES = {"1001": "Demo 1", "1002": "Demo 2"}


def test_a_profile_edit_waiting_on_two_accounts_names_the_profiles_override():
    readings = [account(1001, "SIM-DEMO-1", waiting={"limit": "8"}),
                account(1002, "SIM-DEMO-2", waiting={"limit": "8"})]
    lines, settled = outcome_lines(RuleEdit("profile:default", "max_contracts", "limit", "8"),
                                   readings, "17:00 CST", NAMES)
    assert settled
    assert "`riskctl rules override --account 1001 --rule max_contracts" in lines[0]
    assert lines[2] == ("`riskctl rules override --account profile:default --rule max_contracts "
                        "--reason \"WHY\"` applies it now on every account of profile default")


def test_an_account_edit_names_no_profile():
    readings = [account(1001, "SIM-DEMO-1", waiting={"limit": "8"}),
                account(1002, "SIM-DEMO-2", waiting={"limit": "8"})]
    lines, _ = outcome_lines(RuleEdit("account:SIM-DEMO-1", "max_contracts", "limit", "8"),
                             readings, "17:00 CST", NAMES)
    assert not any("profile:" in line for line in lines), lines
