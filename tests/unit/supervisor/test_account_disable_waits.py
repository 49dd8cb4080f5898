"""`riskctl accounts disable ACCOUNT` without --now waits for the roll, and its answer (the
text riskctl prints and the audit trail records) says so. Fresh-user trial: `accounts disable
1002 --reason "t10 wait"` answered "accounts disable 1002: saved (applied live)" and then
"risk keeps guarding 1002 until the next trading-day roll". The supervisor's edit path and
audit are the real code (the Sup stand-in of test_rule_edit_outcome.py); the file write is
stood in for."""
from __future__ import annotations

import logging

from services.supervisor.audit import audited
from services.supervisor.commands import accounts_enable
from shared.config.edit import EditResult
from shared.messages.accounts import AccountEnable
from tests.unit.supervisor.test_rule_edit_outcome import Sup


def answer(tmp_path, monkeypatch, caplog, request):
    monkeypatch.setattr(accounts_enable, "set_account_enabled",
                        lambda path, account, enabled, backups, **kw: EditResult(
                            path=path, backup="", digest=""))
    got = []
    with caplog.at_level(logging.INFO, logger="riskd.audit"):
        accounts_enable.execute(Sup(tmp_path, []), request,
                                audited(got.append, "AccountEnable", "admin", "admin:x",
                                        request))
    [reply] = got
    outcome = [r.outcome for r in caplog.records if getattr(r, "audit", False)][-1]
    return reply.reason, outcome


def test_a_disable_without_now_says_it_waits_for_the_roll(tmp_path, monkeypatch, caplog):
    reason, outcome = answer(tmp_path, monkeypatch, caplog,
                             AccountEnable(account="1002", enabled=False, reason="t10 wait"))
    assert reason == ("accounts disable 1002: saved; waits for the roll (Mon 17:00 CST): risk "
                      "keeps guarding 1002 until then"), reason
    assert "applied live" not in outcome and "waits for the roll" in outcome, outcome


def test_a_disable_now_and_an_enable_are_applied_live(tmp_path, monkeypatch, caplog):
    reason, _ = answer(tmp_path, monkeypatch, caplog,
                       AccountEnable(account="1002", enabled=False, reason="gone", now=True))
    assert reason == "accounts disable 1002: saved (applied live)", reason
    reason, _ = answer(tmp_path, monkeypatch, caplog, AccountEnable(account="1002", enabled=True))
    assert reason == "accounts enable 1002: saved (applied live)", reason


def test_an_account_in_the_config_is_named_as_riskd_names_it_everywhere(tmp_path, monkeypatch,
                                                                         caplog):
    """Fresh-user trial 2026-12-06: "1002 ...: saved" beside every screen's "Demo 2 (strict)"
    (shared/accountname.called); an account the config does not list keeps what was typed."""
    reason, _ = answer(tmp_path, monkeypatch, caplog,
                       AccountEnable(account="1001", enabled=False, reason="t10 wait"))
    assert reason == ("accounts disable SIM-DEMO-1 (id 1001): saved; waits for the roll (Mon "
                      "17:00 CST): risk keeps guarding SIM-DEMO-1 (id 1001) until then"), reason
