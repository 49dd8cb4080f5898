"""A rule edit that writes nothing new (the file already holds the value) says nothing changed,
not "saved; applied live". Fresh-user trial 18c section 8: `riskctl rules enable 1002
no_stop_loss_grace` with the rule already on in the config file answered "saved; applied live".
The answer still says what risk holds: in force, or a value risk keeps until the roll (a
disable already in the file, waiting)."""
from __future__ import annotations

import logging

from services.supervisor.commands import rules_enable
from shared.messages.config import RulesEnable
from shared.messages.risk import RulesReply
from shared.messages.system import ok
from tests.unit.supervisor.test_rule_edit_outcome import Sup, _no_write, account, audited

RULE = "no_stop_loss_grace"


def enable(tmp_path, monkeypatch, caplog, reading, enabled=True, changes=()):
    sup = Sup(tmp_path, [ok(RulesReply(accounts=[reading]))])
    monkeypatch.setattr(rules_enable, "run_edit", _no_write(rules_enable.run_edit, changes))
    got = []
    with caplog.at_level(logging.INFO, logger="riskd.audit"):
        rules_enable.COMMAND.execute(sup, RulesEnable(target="1001", rule=RULE, enabled=enabled),
                                     audited(got.append, "RulesEnable", "admin",
                                             "admin:trader", None))
        for _ in range(100):
            if got:
                break
            sup.tick()
    [reply] = got
    outcome = [r.outcome for r in caplog.records if getattr(r, "audit", False)][-1]
    return reply, outcome


def test_enabling_a_rule_already_on_says_nothing_changed(tmp_path, monkeypatch, caplog):
    reply, outcome = enable(tmp_path, monkeypatch, caplog,
                            account(1001, "SIM-DEMO-1", rule=RULE))
    assert reply.ok, reply.reason
    assert reply.reason.startswith(
        "SIM-DEMO-1 (id 1001) no_stop_loss_grace.enabled: unchanged (the file already holds "
        "that value: nothing changed)\n  in force on SIM-DEMO-1 (id 1001)"), reply.reason
    assert "applied live" not in outcome and "unchanged" in outcome, outcome


def test_a_disable_already_in_the_file_still_says_it_waits_for_the_roll(tmp_path, monkeypatch,
                                                                        caplog):
    reading = account(1001, "SIM-DEMO-1", rule=RULE, waiting={"enabled": "false"})
    reply, _ = enable(tmp_path, monkeypatch, caplog, reading, enabled=False)
    assert reply.reason.startswith("SIM-DEMO-1 (id 1001) no_stop_loss_grace.enabled: "
                                   "unchanged (the file already holds that value: nothing "
                                   "changed)\n  SIM-DEMO-1 (id 1001): riskd keeps the rule on "
                                   "until the roll"), reply.reason


def test_an_edit_that_changed_the_file_is_saved_and_applied_live(tmp_path, monkeypatch, caplog):
    reply, _ = enable(tmp_path, monkeypatch, caplog, account(1001, "SIM-DEMO-1", rule=RULE),
                      changes=("accounts[0].rules.no_stop_loss_grace.enabled: false -> true",))
    assert reply.reason.startswith("SIM-DEMO-1 (id 1001) no_stop_loss_grace.enabled: saved; "
                                   "applied live on SIM-DEMO-1 (id 1001)"), reply.reason
