"""A lower limit applies at once even while a disable of the same rule waits for the roll: each
parameter is judged on its own against what is in force (services/risk/settings.py merge_rule).

Fresh-user trial 2026-12-06: `riskctl rules disable default max_contracts` (waits for the roll),
then `riskctl rules set --account 1002 max_contracts limit 1` over the limit 2 in force answered
"Demo 2 (strict): riskd keeps limit 2 until the roll at Mon 17:00 CST (a loosening waits)", and
`rules list 1002` showed limit=2 in force, "waiting: enabled=false; limit=1 at the roll": a
tightening held back as if it were a loosening.

The real RiskWorker on loopback sockets in this process (tests/unit/risk/worker_rig.py), its
accounts as etc/riskd.toml ships them (Demo 1; Demo 2 (strict) with max_contracts limit 2), the
file edited with the functions `riskctl rules disable` and `rules set` use; the supervisor's
answer is rule_outcome.outcome_lines over risk's own RulesReply, as run_edit builds it."""
from __future__ import annotations

import pytest

from services.supervisor.commands.rule_outcome import RuleEdit, outcome_lines
from shared.accountname import labels
from shared.clock import FakeClock
from shared.config.edit import set_rule_enabled, set_rule_param
from shared.messages.risk import RulesRequest
from tests.unit.risk.desk import chi
from tests.unit.risk.worker_rig import reload, risk_worker

DEMO1, DEMO2 = 1001, 1002
ROLL = "Mon 17:00 CST"
IN_FORCE_NOW = "rules_in_force_now"


@pytest.fixture
def worker(tmp_path):
    """etc/riskd.toml's two accounts, a Saturday (the roll that lands a disable is Monday's)."""
    with risk_worker(tmp_path, [
            {"id": DEMO1, "name": "SIM-DEMO-1", "display_name": "Demo 1", "profile": "default"},
            {"id": DEMO2, "name": "SIM-DEMO-2", "display_name": "Demo 2 (strict)",
             "profile": "default", "rules": {"daily_realized_loss": {"limit": 300},
                                             "max_contracts": {"limit": 2}}}],
            clock=FakeClock(chi(2026, 12, 5, 18, 0))) as rig:
        yield rig


def rules_of(w, account_id: int):
    return w.settings.for_account(w.engine.accounts[account_id]).max_contracts


def readings(w) -> list:
    return w.requests._on_rules(RulesRequest()).body.accounts


def test_a_lower_limit_applies_now_while_the_disable_of_its_rule_waits(worker):
    w, path, backups, sent = worker
    set_rule_enabled(path, "default", "max_contracts", False, backups)
    reload(w, path)
    assert (rules_of(w, DEMO2).enabled, rules_of(w, DEMO2).limit) == (True, 2)   # waits

    set_rule_param(path, "1002", "max_contracts", "limit", "1", backups)
    reload(w, path)
    in_force = rules_of(w, DEMO2)
    assert (in_force.enabled, in_force.limit) == (True, 1)        # 2 -> 1: at once
    # what waits is the disable alone, never the limit already in force
    assert w.settings.waiting(DEMO2) == {"max_contracts": {"enabled": (True, False)}}
    assert w.settings.pending_for(DEMO2) == ["max_contracts"]

    # the answer riskctl prints and the audit keeps: applied, not "a loosening waits"
    edit = RuleEdit("1002", "max_contracts", "limit", "1")
    lines, settled = outcome_lines(edit, readings(w), ROLL, labels(w.config.accounts))
    assert settled and lines == ["applied live on Demo 2 (strict, id 1002)"], lines
    row = next(v for a in readings(w) if a.account_id == DEMO2
               for v in a.rules if v.rule == "max_contracts")
    assert (row.enabled, row.params["limit"], dict(row.waiting)) == (True, "1",
                                                                      {"enabled": "false"})
    # the phone hears it as in force now
    assert any("Demo 2 (strict, id 1002): max_contracts limit 2 -> 1, in force now" in line
               for kind, _s, _t, lines_ in sent if kind == IN_FORCE_NOW for line in lines_), sent

    # Demo 1 is untouched: limit 5 in force, its disable waits too
    assert (rules_of(w, DEMO1).enabled, rules_of(w, DEMO1).limit) == (True, 5)
    assert w.settings.waiting(DEMO1) == {"max_contracts": {"enabled": (True, False)}}

    # the roll lands the disable, with the limit the file says
    w.settings.roll(0)
    assert (rules_of(w, DEMO2).enabled, rules_of(w, DEMO2).limit) == (False, 1)


def test_a_higher_limit_beside_a_waiting_disable_waits_with_it(worker):
    w, path, backups, _sent = worker
    set_rule_enabled(path, "default", "max_contracts", False, backups)
    set_rule_param(path, "1002", "max_contracts", "limit", "4", backups)
    reload(w, path)
    assert (rules_of(w, DEMO2).enabled, rules_of(w, DEMO2).limit) == (True, 2)
    assert w.settings.waiting(DEMO2) == {"max_contracts": {"enabled": (True, False),
                                                           "limit": (2, 4)}}
