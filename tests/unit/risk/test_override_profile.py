"""`riskctl rules override --account profile:NAME` applies what waits on every account running
that profile (fresh-user trial 13b: `rules set profile:default ...` loosened, hinted at
overrides, and `rules override --account profile:default` was refused: "risk does not know
account 'profile:default'"). A profile riskd does not have is refused naming the profiles.

The real RiskWorker (tests/unit/risk/worker_rig.py) with etc/riskd.toml's rules and two
accounts on the default profile, edited with the function `riskctl rules set` uses."""
from __future__ import annotations

import pytest

from shared.config.edit import set_rule_param
from shared.messages.risk import RulesOverrideRequest
from tests.unit.risk.worker_rig import reload, risk_worker


@pytest.fixture
def worker(tmp_path):
    with risk_worker(tmp_path, [{"id": 1001, "name": "SIM-1", "display_name": "Demo 1"},
                                {"id": 1002, "name": "SIM-2", "display_name": "Demo 2"}]) as rig:
        yield rig


def override(w, account):
    return w._handlers[RulesOverrideRequest](RulesOverrideRequest(
        reason="funded, checked", by="admin:ana", account=account))


def test_an_override_of_a_profile_applies_what_waits_on_each_of_its_accounts(worker):
    w, path, backups, _sent = worker
    accounts = [w.engine.accounts[a] for a in (1001, 1002)]
    limit = w.settings.for_account(accounts[0]).daily_realized_loss.limit
    set_rule_param(path, "profile:default", "daily_realized_loss", "limit", str(limit + 300),
                   backups)
    reload(w, path)
    assert all(w.settings.pending_for(a.account_id) for a in accounts)     # a loosening waits
    reply = override(w, "profile:default")
    assert reply.ok, reply.reason
    assert "2 waiting changes taken early" in reply.reason, reply.reason
    assert "Demo 1 (id 1001)" in reply.reason and "Demo 2 (id 1002)" in reply.reason
    assert not any(w.settings.pending_for(a.account_id) for a in accounts)
    assert all(w.settings.for_account(a).daily_realized_loss.limit == limit + 300
               for a in accounts)


def test_a_profile_riskd_does_not_have_is_refused_naming_the_profiles(worker):
    w, _path, _backups, _sent = worker
    reply = override(w, "profile:nosuch")
    assert not reply.ok and reply.code == "unknown_profile"
    assert reply.reason == "no profile named 'nosuch'; profiles: default", reply.reason


def test_two_parameters_of_one_rule_are_two_changes(worker):
    """Trial22c: "1 waiting change taken early: Demo 1 ... trade_frequency_limit:
    per_minute_cooldown 120 -> 30, per_session_cooldown 3600 -> 600": two changes counted as
    one (the count was of rules). Shorter cooldowns are looser: they wait for the roll."""
    w, path, backups, _sent = worker
    acct = w.engine.accounts[1001]
    rule = w.settings.for_account(acct).trade_frequency_limit
    set_rule_param(path, "1001", "trade_frequency_limit", "per_minute_cooldown",
                   str(rule.per_minute_cooldown // 2), backups)
    set_rule_param(path, "1001", "trade_frequency_limit", "per_session_cooldown",
                   str(rule.per_session_cooldown // 2), backups)
    reload(w, path)
    reply = override(w, "1001")
    assert reply.ok, reply.reason
    assert "2 waiting changes taken early: Demo 1 (id 1001) trade_frequency_limit: " \
           "per_minute_cooldown" in reply.reason, reply.reason
    assert "per_session_cooldown" in reply.reason, reply.reason
