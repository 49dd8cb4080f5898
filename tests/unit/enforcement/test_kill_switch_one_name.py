"""The kill switch (`riskctl flatten`) has one name everywhere, the one people read: "admin".
Enforcement logged its commands "(rule manual, mode enforce)" while risk's log said "admin
flatten by admin:root on account 1001", history's WHO "admin:root" and the alert "🛠 Admin
flatten". Its commands' rule is now "admin", enforcement's log line reads as risk's, and a
result written under the old name (a journal kept across the upgrade) is still the admin's."""
from __future__ import annotations

import attrs

from services.enforcement import killswitch
from services.risk.words import log_line
from shared.messages.enforce import CommandResult
from tests.unit.risk.desk import Desk, MNQ

ACCOUNT = 1001


def kill_switch_record(desk, cmd):
    """Risk's record of the kill switch's flatten, from the result enforcement publishes."""
    out = desk.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=cmd.account_id, status="accepted", action=cmd.action,
        rule=cmd.rule, reason=cmd.reason, by=cmd.by), desk.now)
    [d] = out.decisions
    return d


def test_enforcements_log_and_risks_log_name_it_alike():
    [cmd] = killswitch.commands([ACCOUNT], "end of desk", 5, by="admin:root")
    assert cmd.rule == "admin" and cmd.id == f"admin-5.{ACCOUNT}"
    said = killswitch.log_words(cmd)
    assert said == f"admin flatten by admin:root on account {ACCOUNT} (mode enforce)"
    assert "manual" not in said
    desk = Desk()
    desk.long(1, MNQ, 21000)
    d = kill_switch_record(desk, cmd)
    assert d.rule == cmd.rule == "admin"
    assert log_line(d).startswith(f"admin flatten by admin:root on account {ACCOUNT}")


def test_a_rules_command_still_names_its_rule():
    [cmd] = killswitch.commands([ACCOUNT], "x", 5)
    cmd = attrs.evolve(cmd, rule="max_contracts", by="")
    assert killswitch.log_words(cmd) == \
        f"flatten on account {ACCOUNT} (rule max_contracts, mode enforce)"


def test_a_result_under_the_old_name_is_still_the_admins():
    desk = Desk()
    desk.long(1, MNQ, 21000)
    [cmd] = killswitch.commands([ACCOUNT], "end of desk", 5, by="admin:root")
    d = kill_switch_record(desk, attrs.evolve(cmd, rule="manual", id=f"manual-5.{ACCOUNT}"))
    assert d.rule == "admin" and d.by == "admin:root"
