"""The phone's /history says what enforcement did, as `riskctl history` does: each decision's
WHAT is its command's outcome (enforcement's journal, asked through the supervisor as riskctl
asks it: services/notify/bot/outcomes.py), never the plan risk made. Before, the phone read
"close_position MNQ" for a close riskctl history called FAILED, "cancel_orders MNQ" for a late
close's cancel it called done, and nothing of a close "waiting behind riskd's close of MNQ".

Both sides go through shared/historywords.rows; riskctl's outcomes are the same journal
entries, so the phone's lines are compared to riskctl's rows."""
from __future__ import annotations

import pytest

from services.notify.bot.riskd import SUPERVISOR_GONE, Unavailable
from services.notify.templates import Context
from shared.clock import FakeClock
from shared.historywords import rows, without_account
from shared.messages.enforce import (DONE, FAILED, CommandState, EnforcementStatus,
                                     EnforcementStatusRequest)
from shared.messages.risk import (Decision, HistoryReply, HistoryRequest, RiskStatusReply,
                                  RiskStatusRequest)
from shared.messages.system import Reply
from shared.symbols import tickers_in
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account
from tests.unit.notify.test_commands import S, STATUS_FROM_111, chat_poller

pytestmark = pytest.mark.timeout(30)

MNQ, ES = "CON.F.US.MNQ.Z26", "CON.F.US.EP.Z26"
T = NOW - 120 * S
CLOSE = Decision(id="d1", ts_ns=T, rule="daily_unrealized_loss", account_id=1001,
                 action="close_position", contract_id=MNQ, what="close_position " + MNQ)
BEHIND = Decision(id="d2", ts_ns=T + 1 * S, rule="max_contracts", account_id=1001,
                  action="close_position", contract_id=ES, what="close_position " + ES)
CANCEL = Decision(id="d3", ts_ns=T + 2 * S, rule="riskd_late_close", account_id=1001,
                  action="cancel_orders", contract_id=MNQ, by="riskd (late close)",
                  what="cancel_orders " + MNQ)
BODY = HistoryReply(decisions=[CLOSE, BEHIND, CANCEL])
JOURNAL = EnforcementStatus(commands=[
    CommandState(command_id="d1.1", account_id=1001, action="close_position", state="final",
                 status=FAILED, detail="close MNQ: the broker did not answer within 10 s",
                 received_ns=T, finished_ns=T + 12 * S),
    CommandState(command_id="d2.1", account_id=1001, action="close_position", state="received",
                 received_ns=T + 1 * S,
                 waits_behind="riskd's close of MNQ (held at the broker since Mon 08:15:02 CST)"),
    CommandState(command_id="d3.1", account_id=1001, action="cancel_orders", state="final",
                 status=DONE, received_ns=T + 2 * S, finished_ns=T + 3 * S,
                 first_answer_ns=T + 3 * S,
                 detail="cancelled 1 order in MNQ, working before riskd's late close: "
                        "sell stop MNQ 1 @ 20800.00 (order 9000023)")])


class Riskd:
    """riskd's answers: risk's history and enforcement's journal (or the error given)."""

    def __init__(self, journal=None, error: Exception = None, gone: str = ""):
        self.journal, self.error, self.asked = journal, error, []
        self.gone = lambda: gone or None

    def ask(self, request):
        if isinstance(request, RiskStatusRequest):
            return RiskStatusReply(accounts=[account()])
        assert isinstance(request, HistoryRequest), request
        return BODY

    def reply(self, request):
        assert isinstance(request, EnforcementStatusRequest), request
        self.asked.append(sorted(request.command_ids))
        if self.error is not None:
            raise self.error
        return Reply(status="ok", body=self.journal)


def history(tmp_path, riskd) -> str:
    poller, outbox = chat_poller(tmp_path)
    poller.riskd = riskd
    poller.ctx = Context(tz=CHICAGO, accounts={1001: "Demo 1"})
    poller.clock, poller.calendar = FakeClock(NOW), CALENDAR
    poller.handle({"update_id": 7, "message": dict(STATUS_FROM_111, date=NOW // S,
                                                    text="/history 10")})
    return outbox.next_reply("telegram").text


def line_of(text: str, decision: Decision) -> str:
    [line] = [ln for ln in text.splitlines()[1:]
              if f" {decision.by or 'rule ' + decision.rule}: " in ln]
    return line


def test_the_phone_says_each_outcome_riskctl_history_says(tmp_path):
    riskd = Riskd(JOURNAL)
    text = history(tmp_path, riskd)
    assert riskd.asked == [["d1.1", "d2.1", "d3.1"]]
    outcomes = {c.command_id: c for c in JOURNAL.commands}      # as riskctl history reads them
    for row in rows(BODY, outcomes, CHICAGO):                   # riskctl history's rows
        decision = next(d for d in BODY.decisions if d.ts_ns == row[0])
        what = tickers_in(without_account(row[3], 1001, "Demo 1 (id 1001)"))
        assert what in line_of(text, decision), (what, text)
    assert "FAILED" in line_of(text, CLOSE), text
    assert "waiting behind riskd's close of MNQ (held at the broker since Mon 08:15:02 CST)" \
        in line_of(text, BEHIND), text
    assert ": done at " in line_of(text, CANCEL) and "cancelled 1 order in MNQ" in line_of(text, CANCEL)
    # never the plan as the line's WHAT
    assert ": close_position MNQ" not in text and ": cancel_orders MNQ" not in text, text


def test_without_riskds_supervisor_the_outcome_is_said_not_known(tmp_path):
    gone = "riskd's supervisor is not running since Mon 08:10:00 CST"
    riskd = Riskd(error=Unavailable(f"{gone}: this needs it; start riskd again",
                                    SUPERVISOR_GONE), gone=gone)
    text = history(tmp_path, riskd)
    close = line_of(text, CLOSE)
    assert f"result not known: {gone} (planned: close_position MNQ)" in close, text
    assert "start riskd again" not in text
