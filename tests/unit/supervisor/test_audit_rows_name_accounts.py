"""The audit trail's rows of the admin's account actions (fresh-user trial 2026-12-06):
`riskctl flatten --all`'s row said only "all_accounts=true", never which accounts it acted on;
`accounts disable` and `accounts enable` rows were worded differently ("account=1002" beside
"account=1002 enabled=true"). The supervisor's own wrapper (audit.audited) writes the records
with etc/riskd.toml's two accounts named by shared/accountname; `riskctl audit show`'s WHAT
(cli/commands/audit.what_of) reads them. Put back (old audit.py / cli audit.py): fails."""
from __future__ import annotations

import logging

from cli.commands.audit import what_of
from services.supervisor.audit import audited
from shared.accountname import account_called
from shared.config import load_config
from shared.logsetup import record_fields
from shared.messages.accounts import AccountEnable
from shared.messages.enforce import CommandState, FlattenAccepted, FlattenRequest
from shared.messages.risk import RulesOverrideRequest
from shared.messages.system import ok
from tests.support.env import REPO

ACCOUNTS = load_config(f"{REPO}/etc/riskd.toml").config.accounts


def row(caplog, action, request, reply):
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="riskd.audit"):
        audited(lambda r: None, action, "admin", "admin:root", request,
                name=lambda aid: account_called(ACCOUNTS, aid))(reply)
    [rec] = [r for r in caplog.records if getattr(r, "audit", False)]
    return rec, record_fields(rec)


def test_the_admin_flatten_row_names_each_account_it_acted_on(caplog):
    commands = [CommandState(command_id=f"manual-7.{a}", account_id=a, action="flatten",
                             state="pending") for a in (1001, 1002)]
    rec, fields = row(caplog, "FlattenRequest",
                      FlattenRequest(all=True, reason="end of day", by="admin:root"),
                      ok(FlattenAccepted(commands=commands)))
    named = "Demo 1 (id 1001), Demo 2 (strict, id 1002)"
    assert fields["accounts"] == named
    assert named in rec.getMessage()
    assert what_of(fields) == f"all_accounts=true accounts={named}"


def test_disable_and_enable_rows_say_the_same_things(caplog):
    _r, armed = row(caplog, "RulesOverrideRequest", RulesOverrideRequest(
        reason="firm closed it", by="admin:root", account="1002", disable=True),
        ok(reason="armed: the disable applies when risk reads the edit"))
    _r, off = row(caplog, "AccountEnable", AccountEnable(account="1002", enabled=False,
                                                         reason="firm closed it", now=True),
                  ok(reason="accounts disable Demo 2 (strict, id 1002): saved (applied live)"))
    _r, on = row(caplog, "AccountEnable", AccountEnable(account="1002", enabled=True,
                                                        reason="reopened"),
                 ok(reason="accounts enable Demo 2 (strict, id 1002): saved (applied live)"))
    assert armed["action"] == "accounts disable --now" and off["action"] == "accounts disable"
    assert what_of(armed) == what_of(off) == "account=1002 enabled=false now=true"
    assert what_of(on) == "account=1002 enabled=true"
