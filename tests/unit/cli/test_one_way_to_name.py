"""One way to name an account, in every riskctl answer and alert: 'Demo 1 (id 1001)'.

Fresh-user trial 2026-12-06: one session read "SIM-DEMO-1 (1001)" (riskctl sim), "1002
max_contracts.limit: saved" (riskctl rules set), "Demo 1 (id 1001)" (an alert's body) and "Demo
2 (strict)" (an alert's title, the status header) for the same two accounts.
shared/accountname.called says it for every screen, answer and alert.
"""
from __future__ import annotations

from types import SimpleNamespace

from cli.commands.sim import _account_label
from services.notify.templates import build, context_for
from services.supervisor.commands.config_edits import rule_target_words
from shared.accountname import called
from shared.config.load import load_config
from shared.messages.risk import Decision
from tests.unit.risk.desk import SHIPPED

LOADED = load_config(SHIPPED)          # etc/riskd.toml: 1001 "Demo 1", 1002 "Demo 2 (strict)"


def test_the_one_way():
    assert called("Demo 1", 1001) == "Demo 1 (id 1001)"
    assert called("Demo 2 (strict)", 1002) == "Demo 2 (strict, id 1002)"   # no comma outside
    assert called("1003", 1003) == "1003"


def test_riskctl_sim_names_the_account_by_the_config_not_the_sims_name():
    ctx = SimpleNamespace(config_path=SHIPPED)
    assert _account_label({"id": 1001, "name": "SIM-DEMO-1"}, ctx) == "Demo 1 (id 1001)"
    assert _account_label({"id": 1003, "name": "SIM-DEMO-3"}, ctx) == "SIM-DEMO-3 (id 1003)"


def test_a_rule_edit_names_its_account_target_and_leaves_a_profile_as_typed():
    config = LOADED.config
    assert rule_target_words(config, "1002") == "Demo 2 (strict, id 1002)"
    assert rule_target_words(config, "account:SIM-DEMO-1") == "Demo 1 (id 1001)"
    assert rule_target_words(config, "profile:default") == "profile:default"


def test_an_alerts_title_names_it_as_its_body_and_every_screen_do():
    d = Decision(id="d1", ts_ns=0, rule="max_contracts", account_id=1002, action="flatten",
                 by="admin:ana", reason="4 contracts open (gross), limit 2")
    alert = build(d, context_for(LOADED.config))
    assert alert.title == "⚠️ Breach max_contracts on Demo 2 (strict, id 1002)", alert.title


def test_an_account_added_by_its_id_alone_is_named_by_the_brokers_name():
    """trial17b: after `riskctl accounts add 1004` (no --name), `rules set 1004 ...` answered
    "1004 drawdown_guard.line: saved" while `accounts list` showed the broker's SIM-DEMO-4."""
    import attrs

    from shared.config.accounts import AccountConfig
    config = attrs.evolve(load_config(SHIPPED).config, accounts=[AccountConfig(id=1004)])
    assert rule_target_words(config, "1004", {1004: "SIM-DEMO-4"}) == "SIM-DEMO-4 (id 1004)"
    assert rule_target_words(config, "1004") == "1004"
