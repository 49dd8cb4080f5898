"""One late close, one alert on the phone about the orders it cancels.

trial23c F8: riskd's held close, carried out late, left MNQ flat and the trader's sell stop
working; three alerts named that same stop at 17:48:59: the late close's ("⚠️ Close taken as
riskd's late close ... riskd cancels your sell stop MNQ 1 @ 20900.00 (order 9000037) with
it"), the cancel's decision ("riskd cancels the orders its late close left working", logged
only) and the cancel's "✅ Done ... cancel by riskd (late close): cancelled 1 order ...". The
first says it all; the others are logged (history keeps the Done), and a cancel that fails is
still told (risk's retries). Fails on main's code: the Done was "action_done", sent."""
from __future__ import annotations

from services.notify.templates import LOG_ONLY, Context, decision_alert, result_alert
from shared import latewords
from shared.messages.enforce import DONE, CommandResult
from shared.messages.risk import Decision

CTX = Context(accounts={1001: "Demo 1"})
DETAIL = ("cancelled 1 order in MNQ on account Demo 1 (id 1001), working before riskd's late "
          "close: sell stop MNQ 1 @ 20900.00 (order 9000037)")


def test_the_late_close_cancel_and_its_done_are_logged_only():
    d = Decision(id="d9", ts_ns=1, rule=latewords.LATE_CLOSE, account_id=1001,
                 action="cancel_orders", contract_id="CON.F.US.MNQ.Z26", by=latewords.WHO,
                 reason="... your sell stop MNQ 1 @ 20900.00 (order 9000037), placed before it")
    assert decision_alert(d, CTX).kind in LOG_ONLY
    done = CommandResult(command_id="d9.1", account_id=1001, status=DONE, detail=DETAIL,
                         action="cancel_orders", rule=latewords.LATE_CLOSE, started_ns=1,
                         first_answer_ns=2, finished_ns=3, event_ns=1)
    alert = result_alert(done, CTX)
    assert alert is not None and alert.kind in LOG_ONLY, alert      # in riskd's log still
    assert "sell stop MNQ 1 @ 20900.00 (order 9000037)" in alert.lines[0]


def test_another_cancels_done_is_still_sent():
    """Only the late close's own cancel: a rule's cancel_orders keeps its "✅ Done"."""
    done = CommandResult(command_id="d8.1", account_id=1001, status=DONE,
                         detail="cancelled 1 order", action="cancel_orders",
                         rule="no_stop_loss_grace", started_ns=1, first_answer_ns=2,
                         finished_ns=3, event_ns=1)
    alert = result_alert(done, CTX)
    assert alert.kind == "action_done" and alert.kind not in LOG_ONLY
    close = CommandResult(command_id="d7.1", account_id=1001, status=DONE,
                          detail="MNQ closed", action="close_position",
                          rule=latewords.LATE_CLOSE, started_ns=1, first_answer_ns=2,
                          finished_ns=3, event_ns=1)
    assert result_alert(close, CTX).kind == "action_done"
