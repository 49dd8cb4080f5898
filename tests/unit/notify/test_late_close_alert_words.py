"""risk's note of a late-carried close (shared/latewords.py) reaches the phone as its own
alert, not as a rule's "🟡 ... on" note, and history names riskd as WHO (trial18c section 1:
nothing told the trader who closed the position)."""
from __future__ import annotations

from decimal import Decimal as D
from zoneinfo import ZoneInfo

from services.notify.steps import step_alert
from services.notify.templates import (LOG_ONLY, Context, decision_alert, result_alert,
                                       warning_alert)
from shared.historywords import rows
from shared.latewords import LATE_CLOSE, WHO
from shared.messages.enforce import CommandResult
from shared.messages.risk import Decision, HistoryReply, RuleWarning

SAID = ("Your MNQ +1 closed at 22:14:45: riskd's earlier close of MNQ (timed out at 22:12:35) "
        "carried out late, or your own close; riskd cannot tell which and takes it as its own; "
        "MNQ is flat now; not counted as your trade")


def note() -> RuleWarning:
    return RuleWarning(id="w1", ts_ns=1_800_000_000 * 10**9, rule=LATE_CLOSE, account_id=1001,
                       value=None, limit=None, warn_at=0.0, reason=SAID)


def test_the_alert_says_the_close_was_taken_as_riskds_late_close():
    """What riskd knows: it took the fill as its late close, not that the broker carried its
    call out (trial20c finding 1: a trader's own sell was named "carried out late by the
    broker")."""
    alert = warning_alert(note(), Context(accounts={1001: "Demo 1"}))
    assert alert.title == "⚠️ Close taken as riskd's late close on Demo 1 (id 1001)"
    assert alert.lines == (SAID,) and alert.severity == "warning"
    assert alert.kind == "late_close"


def test_history_names_riskd_and_says_it():
    [row] = rows(HistoryReply(warnings=[note()]), {}, ZoneInfo("America/Chicago"))
    assert row[2] == WHO == "riskd (late close)"
    assert row[5] == SAID


def cancel() -> Decision:
    """riskd's cancel of the orders its late close left working (services/risk/latecarried.py)."""
    return Decision(id="d9", ts_ns=1_800_000_000 * 10**9, rule=LATE_CLOSE, account_id=1001,
                    action="cancel_orders", contract_id="CON.F.US.MNQ.Z26", by=WHO,
                    reason="the close of MNQ at 22:14:45, taken as riskd's earlier close carried "
                           "out late (or your own close: riskd cannot tell which), left it "
                           "flat; ...")


def test_the_cancel_of_what_the_late_close_left_is_logged_not_a_breach_alert():
    """The late close's own alert names the orders riskd cancels; the cancel's decision is
    logged (never "⚠️ Breach riskd_late_close"), alone or in a step with a rule's breach."""
    ctx = Context(accounts={1001: "Demo 1"})
    alert = decision_alert(cancel(), ctx)
    assert alert.kind in LOG_ONLY and "Breach" not in alert.title, alert
    breach = Decision(id="d8", ts_ns=cancel().ts_ns, rule="cooldown_after_loss",
                      account_id=1001, action="none", value=D("-150"), limit=D("100"))
    step = step_alert([cancel(), breach], ctx)
    assert "riskd_late_close" not in step.text and "late close" not in step.text, step.text
    assert "cooldown_after_loss" in step.title, step.title


def test_the_cancels_done_names_riskds_late_close_as_who():
    """Its command carries no `by` (risk's own): the Done says who as history's WHO does,
    never "cancel by rule riskd_late_close"."""
    r = CommandResult(command_id="d9.1", account_id=1001, status="done",
                      action="cancel_orders", rule=LATE_CLOSE, first_answer_ns=1,
                      detail="cancelled 1 order in MNQ on account Demo 1 (id 1001), working "
                             "before riskd's late close: sell stop MNQ 1 @ 20800.00 (order 5)")
    alert = result_alert(r, Context(accounts={1001: "Demo 1"}))
    assert alert.lines[0].startswith("cancel by riskd (late close): cancelled 1 order"), alert
