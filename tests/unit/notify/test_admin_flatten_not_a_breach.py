"""An admin's `riskctl flatten` is no rule's breach (fresh-user trial 13b): its phone alert was
logged as `alert breach (warning)`, risk's record of it as "enforce flatten on account 1001:
desk risk check 42" like a rule's enforcement. The decision is risk's own (the kill switch's
result as risk's engine turns it into one), the alert is notify's, the records are the ones
the worker and risk write."""
from __future__ import annotations

import logging

from services.notify.app import NotifyWorker
from services.notify.steps import step_alert
from services.notify.templates import Context, build
from services.risk.words import log_line
from shared.messages.enforce import CommandResult
from tests.unit.notify.test_alert_log import alerts, worker
from tests.unit.risk.desk import ACCOUNT, MNQ, SIDE_BUY, Desk

CTX = Context(accounts={ACCOUNT: "Demo 1"})


def admin_flatten():
    desk = Desk()
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, price=21000)
    desk.long(1, MNQ, 21000)
    out = desk.engine.on_result(CommandResult(command_id="ks1.1", account_id=ACCOUNT,
                                              status="accepted", action="flatten",
                                              rule="manual", reason="desk risk check 42",
                                              by="admin:root"), desk.now)
    [d] = out.decisions
    return d


def test_the_admin_flatten_alert_is_logged_as_an_admin_flatten_with_who_and_why(caplog):
    alert = build(admin_flatten(), CTX)
    assert alert.kind == "admin_flatten"
    assert alert.title == f"🛠 Admin flatten by admin:root on Demo 1 (id {ACCOUNT})"
    assert "reason: desk risk check 42" in alert.lines
    with caplog.at_level(logging.DEBUG):
        NotifyWorker.queue(worker(), alert)
    [rec] = alerts(caplog)
    assert rec.getMessage().startswith("alert admin_flatten (warning), "), rec.getMessage()
    assert "breach" not in rec.getMessage()


def test_a_step_of_only_the_admin_flatten_is_no_breach_either():
    d = admin_flatten()
    assert step_alert([d, d], CTX).kind == "admin_flatten"


def test_risks_record_of_the_decision_says_an_admin_flattened_by_whom_and_why():
    line = log_line(admin_flatten())
    assert line == f"admin flatten by admin:root on account {ACCOUNT}, reason: desk risk check 42"
