"""`riskctl rules list` keeps the '*' (the account's own value) on the value in force while a
looser one waits for the roll (round 21, admin21: Demo 1's own max_contracts limit 4 in force
listed as "limit=4" beside "limit=6* at the roll", as if 4 were the profile's).

Risk says which values in force are the account's own (RuleValue.own, from Settings'
record of where each value in force came from: a value kept while the config's waits keeps
the word of the file it came from). The real RiskWorker (tests/unit/risk/worker_rig.py) on
etc/riskd.toml's default profile (max_contracts limit 5), the file edited with the function
`riskctl rules set` uses, the cells as `rules list` builds them (cli/commands/rules.py)."""
from __future__ import annotations

import pytest

from cli.commands.rules import param_cells
from shared.config.edit import set_rule_param
from shared.messages.risk import RulesRequest
from tests.unit.risk.worker_rig import risk_worker

DEMO1, DEMO2 = 1001, 1002
ACCOUNTS = [{"id": DEMO1, "name": "SIM-DEMO-1", "display_name": "Demo 1", "profile": "default",
             "rules": {"max_contracts": {"limit": 4}}},
            {"id": DEMO2, "name": "SIM-DEMO-2", "display_name": "Demo 2", "profile": "default"}]


@pytest.fixture
def worker(tmp_path):
    with risk_worker(tmp_path, ACCOUNTS) as rig:
        yield rig


def cells(w, path, account_id: int) -> tuple[str, str]:
    """The parameters and waiting cells of max_contracts as `rules list` shows them."""
    from shared.config import load_config
    from shared.config.views import rule_rows
    row = next(r for r in rule_rows(load_config(path).config, str(account_id))
               if r["rule"] == "max_contracts")
    v = next(value for a in w.requests._on_rules(RulesRequest()).body.accounts
             if a.account_id == account_id for value in a.rules if value.rule == "max_contracts")
    shown = {**row["params"], **v.params} if v.waiting else row["params"]
    params, waits = param_cells("max_contracts", shown, row["overridden"], dict(v.waiting),
                                v.own)
    return params.split("; ")[0], waits


def edit(w, path, backups, target: str, value: str) -> None:
    result = set_rule_param(path, target, "max_contracts", "limit", value, backups)
    assert w.reload_config(result.digest)


def test_the_accounts_own_value_in_force_keeps_its_star_while_its_looser_one_waits(worker):
    w, path, backups, _sent = worker
    assert cells(w, path, DEMO1) == ("limit=4*", "")
    edit(w, path, backups, "1001", "6")                 # a loosening: waits for the roll
    assert cells(w, path, DEMO1) == ("limit=4*", "limit=6*")


def test_the_profiles_value_in_force_has_none_while_the_accounts_own_waits(worker):
    w, path, backups, _sent = worker
    edit(w, path, backups, "1002", "7")                 # over the profile's 5: waits
    assert cells(w, path, DEMO2) == ("limit=5", "limit=7*")
    edit(w, path, backups, "1002", "3")                 # a tightening: in force, its own
    assert cells(w, path, DEMO2) == ("limit=3*", "")
    edit(w, path, backups, "1002", "8")                 # waits; 3 in force is still its own
    assert cells(w, path, DEMO2) == ("limit=3*", "limit=8*")


def test_the_profiles_looser_value_waits_beside_the_accounts_former_own(worker):
    """Demo 1's own 4 removed (its profile's 5 is looser: waits): 4 in force is still the
    account's own, 5 waiting the profile's."""
    w, path, backups, _sent = worker
    text = open(path).read()
    assert "limit = 4" in text
    from shared.config.edit import edit_config

    def drop(doc):
        del doc["accounts"][0]["rules"]["max_contracts"]["limit"]
    result = edit_config(path, drop, backups)
    assert w.reload_config(result.digest)
    assert cells(w, path, DEMO1) == ("limit=4*", "limit=5")


def test_the_kept_values_star_survives_a_restart_of_risk(tmp_path):
    """The mark is saved beside the rules in force (the store's meta 'rules_own', same commit):
    after a restart the value kept in force while the file's waits keeps its word (round 22,
    small22a: "limit=3" without '*' until the roll; Demo 1's 4 "limit=4" beside the
    profile's 5)."""
    with risk_worker(tmp_path, ACCOUNTS) as (w, path, backups, _sent):
        edit(w, path, backups, "1002", "3")                 # a tightening: in force, its own
        edit(w, path, backups, "1002", "8")                 # waits; 3 in force is its own

        def drop(doc):                                      # Demo 1's own 4 removed: 5 waits
            del doc["accounts"][0]["rules"]["max_contracts"]["limit"]
        from shared.config.edit import edit_config
        assert w.reload_config(edit_config(path, drop, backups).digest)
        before = cells(w, path, DEMO2), cells(w, path, DEMO1)
        assert before == (("limit=3*", "limit=8*"), ("limit=4*", "limit=5")), before
        w._flush_marks()                                    # what a running risk has saved
    with risk_worker(tmp_path, ACCOUNTS, path=path) as (w, path, backups, _sent):
        assert (cells(w, path, DEMO2), cells(w, path, DEMO1)) == before
