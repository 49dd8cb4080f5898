"""Fresh-user trial 2026-12-05, finding 3: with enforcement stopped, history's line for a close
read "planned, not done yet (pending): waits for enforcement ..."; once enforcement was back it
became "Sat 15:22:07 CST ... done: MES closed", while the close happened at 15:22:23: only
status's latency column (16.4 s) showed the position stayed open 16 s. A line whose action was
done (or failed) later than it was decided says when, and how long after."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from cli.commands.history import rows
from shared.messages.enforce import CommandState
from shared.messages.risk import Decision, HistoryReply

CHI = ZoneInfo("America/Chicago")
S = 10**9
DECIDED = int(dt.datetime(2026, 12, 5, 15, 22, 7, 200_000, tzinfo=CHI).timestamp() * S)


def close(**kw) -> Decision:
    return Decision(id="d9", ts_ns=DECIDED, rule="lockout", account_id=1001,
                    action="close_position", contract_id="CON.F.US.MES.Z26",
                    reason="a position opened while the account is locked",
                    what="close the position CON.F.US.MES.Z26", **kw)


def done(after_s: float, answered_s: float, status="done") -> CommandState:
    return CommandState(command_id="d9.1", account_id=1001, action="close_position",
                        state="final", status=status, detail="closed CON.F.US.MES.Z26",
                        received_ns=DECIDED + int((answered_s - 0.5) * S),
                        event_ns=DECIDED, first_answer_ns=DECIDED + int(answered_s * S),
                        finished_ns=DECIDED + int(after_s * S))


def test_an_action_done_after_waiting_for_enforcement_says_when_it_was_done():
    [row] = rows(HistoryReply(decisions=[close()]), {"d9.1": done(16.6, 16.4)}, CHI)
    what = row[3]
    # its day as every time names it (shared/showtime.at: 'Sat', or the date further away)
    assert what.startswith("done at ") and \
        "15:22:23 CST (16s after the decision): " in what, what
    assert what.endswith("closed CON.F.US.MES.Z26"), what


def test_a_failure_after_waiting_says_when_too():
    [row] = rows(HistoryReply(decisions=[close()]), {"d9.1": done(95, 94.1, "failed")}, CHI)
    # when it gave up (its finish), as enforcement logs it and watch shows it
    assert row[3].startswith("FAILED at ") and \
        "15:23:42 CST (1m35s after the decision): " in row[3], row[3]


def test_a_close_done_after_a_failed_call_says_when_it_was_done_not_the_failed_answer():
    """Fresh-user trial 2026-12-06: a close refused with HTTP 500 (its answer, 04:25:47, was
    the command's first), enforcement killed and resumed, the close done at 04:25:49.05:
    history said "done at 04:25:47 (1s after the decision)"."""
    [row] = rows(HistoryReply(decisions=[close()]), {"d9.1": done(3.9, 1.1)}, CHI)
    assert row[3].startswith("done at ") and \
        "15:22:11 CST (3.9s after the decision): " in row[3], row[3]


def test_a_wait_under_ten_seconds_keeps_its_tenth():
    """Trial15a: "done at Sun 12:00:09 CST (1s after the decision)" where the log said 1911.6
    ms: a gap of a few seconds cut to whole ones read as half of it."""
    [row] = rows(HistoryReply(decisions=[close()]), {"d9.1": done(1.9116, 1.9)}, CHI)
    assert "(1.9s after the decision): " in row[3], row[3]
    [row] = rows(HistoryReply(decisions=[close()]), {"d9.1": done(2.0, 1.9)}, CHI)
    assert "(2s after the decision): " in row[3], row[3]


def test_an_action_done_at_once_reads_as_before():
    [row] = rows(HistoryReply(decisions=[close()]), {"d9.1": done(0.2, 0.085)}, CHI)
    assert row[3] == "done: closed CON.F.US.MES.Z26", row[3]
