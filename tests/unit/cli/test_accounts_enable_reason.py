"""`riskctl accounts enable ACCOUNT --reason TEXT` (trial 2026-12-06: enable took no --reason
while `accounts disable --now` needs one; the audit trail said who enabled an account, never
why). The reason is optional, goes with the request, and the supervisor's audit record and
`riskctl audit show`'s REASON column carry it as they carry disable's; an --offline edit's
audit line too. The command's own code with a stand-in for riskd."""
from __future__ import annotations

import argparse
import logging
from types import SimpleNamespace

import attrs

from cli.commands import accounts
from cli.offline import audit_fields
from services.supervisor.audit import audited
from shared.messages.accounts import AccountEnable, AccountRow, AccountsRequest, AccountsTable
from shared.messages.system import ok


class Riskd:
    def __init__(self):
        self.sent = []
        self.json = False

    def request(self, request, timeout=None, retries=1, tolerate=()):
        self.sent.append(request)
        if isinstance(request, AccountEnable):
            return ok(reason="saved (applied live)")
        if isinstance(request, AccountsRequest):
            return ok(demo2_listed())
        raise AssertionError(f"unexpected {request!r}")

    def call(self, request, timeout=None, retries=1):
        return ok()


def demo2_listed() -> AccountsTable:
    """risk's accounts answer: Demo 2 (strict), id 1002, seen and guarded."""
    return AccountsTable(rows=[AccountRow(id=1002, name="SIM-DEMO-2",
                                          display_name="Demo 2 (strict)", seen=True,
                                          guarded=True)])


def run(argv, ctx) -> int:
    parser = argparse.ArgumentParser()
    accounts.add_arguments(parser)
    return accounts.run(parser.parse_args(argv), ctx)


def test_enable_takes_an_optional_reason_and_sends_it():
    ctx = Riskd()
    assert run(["enable", "1002", "--reason", "the firm reopened it"], ctx) == 0
    [enable] = [r for r in ctx.sent if isinstance(r, AccountEnable)]
    # asking: how the admin would answer a question (shared/editasking.py), not the edit
    assert attrs.evolve(enable, asking="") == AccountEnable(account="1002", enabled=True,
                                                            reason="the firm reopened it")
    ctx = Riskd()
    assert run(["enable", "1002"], ctx) == 0
    assert [r.reason for r in ctx.sent if isinstance(r, AccountEnable)] == [""]


def test_the_audit_record_carries_it_as_disables(caplog):
    with caplog.at_level(logging.INFO, logger="riskd.audit"):
        audited(lambda reply: None, "AccountEnable", "admin", "admin:root",
                AccountEnable(account="1002", enabled=True, reason="the firm reopened it"))(
            ok(reason="saved (applied live)"))
    [rec] = [r for r in caplog.records if getattr(r, "audit", False)]
    assert rec.action == "accounts enable" and rec.reason == "the firm reopened it"


def test_an_offline_enable_keeps_its_reason_in_the_audit_line():
    result = SimpleNamespace(path="/etc/riskd.toml", changes=["accounts[1].enabled: false -> true"])
    fields = audit_fields("config edit", result, 1, reason="the firm reopened it")
    assert "the firm reopened it" in str(fields)
