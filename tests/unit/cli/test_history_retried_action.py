"""Fresh-user trial 2026-12-06: `riskctl history` kept "FAILED: close_position gave up after 4
rounds" for good after riskd's 3rd attempt closed MNQ (status: "done, 3rd attempt", the phone:
"✅ Done ... on the 3rd attempt"), said "gave up" while riskd was to try again, and named the
close right above it "an earlier action (not in this history)" in a later decision's note.

History now tells a decision's end from its latest try ('<decision>.<n>', enforcement's
journal) and from what risk said of its failed actions (HistoryReply.failing, .ended):
shared/trywords.py, shared/historywords.py."""
from __future__ import annotations

import re

import attrs

from cli.commands.history import rows
from shared.clock import NS_PER_S
from shared.messages.enforce import CommandState
from shared.messages.risk import Decision, FailingAction, HistoryReply
from tests.unit.cli.screens import CHICAGO, NOW

CLOSE = Decision(id="c10se", ts_ns=NOW, rule="daily_unrealized_loss", account_id=1001,
                 action="close_position", contract_id="CON.F.US.MNQ.Z26",
                 reason="MNQ open PnL -240.50 reached the unrealized loss limit -200.00",
                 what="close the MNQ position")
GAVE_UP = ("close_position on account Demo 1 gave up after 4 rounds: round 4: "
           "/api/Position/closeContract: the broker did not answer successfully after 1 call "
           "(last: /api/Position/closeContract answered HTTP 500)")


def failed(cid: str, at_s: float) -> CommandState:
    return CommandState(command_id=cid, account_id=1001, action="close_position", state="final",
                        status="failed", detail=GAVE_UP,
                        finished_ns=NOW + int(at_s * NS_PER_S))


def done(cid: str, at_s: float) -> CommandState:
    return CommandState(command_id=cid, account_id=1001, action="close_position", state="final",
                        status="done", detail="closed MNQ long 2 (verified flat)",
                        first_answer_ns=NOW + int(at_s * NS_PER_S),
                        finished_ns=NOW + int(at_s * NS_PER_S))


def what(body: HistoryReply, outcomes: dict) -> str:
    [row] = rows(body, outcomes, CHICAGO)
    return row[3]


def test_a_close_done_on_the_3rd_attempt_reads_done_on_which_attempt_and_when():
    outcomes = {"c10se.1": failed("c10se.1", 2), "c10se.2": failed("c10se.2", 9),
                "c10se.3": done("c10se.3", 23)}
    text = what(HistoryReply(decisions=[CLOSE]), outcomes)
    assert re.fullmatch(r"done on the 3rd attempt at [^,]*14:03:50 CST \(23s after the "
                        r"decision; the 1st and 2nd failed\): closed MNQ long 2 \(verified "
                        r"flat\)", text), text
    assert "FAILED" not in text and "gave up" not in text, text


def test_a_failed_try_riskd_tries_again_never_reads_gave_up():
    waiting = FailingAction(account_id=1001, action="close_position", still="MNQ long 2 still "
                            "open (daily_unrealized_loss)", act="close it", failures=1,
                            first_failed_ns=NOW + 2 * NS_PER_S, next_ns=NOW + 7 * NS_PER_S,
                            every_s=5, command_id="c10se.2")
    text = what(HistoryReply(decisions=[CLOSE], failing=[waiting]),
                {"c10se.1": failed("c10se.1", 2)})
    assert re.match(r"FAILED on the 1st attempt at [^,]*14:03:29 CST \(2s after the decision\), "
                    r"riskd tries again at [^,]*14:03:34 CST: close_position on account Demo 1 "
                    r"failed after 4 rounds", text), text
    assert "gave up" not in text, text
    # its next try on its way (enforcement has it): under way, the earlier one failed
    running = CommandState(command_id="c10se.2", account_id=1001, action="close_position",
                           state="running")
    text = what(HistoryReply(decisions=[CLOSE], failing=[attrs.evolve(waiting, next_ns=None)]),
                {"c10se.1": failed("c10se.1", 2), "c10se.2": running})
    assert text == "trying again: the 2nd attempt is accepted (the 1st failed)", text


def test_a_failed_close_another_action_of_riskd_closed_names_that_action():
    flatten = Decision(id="f1a7", ts_ns=NOW + 2 * NS_PER_S, rule="daily_net_loss",
                       account_id=1001, action="flatten", reason="net -620.87 <= -600.00",
                       what="flatten: close 1 position; lock the account until the roll")
    flat = CommandState(command_id="f1a7.2", account_id=1001, action="flatten", state="final",
                        status="done", detail="flattened account Demo 1: close MNQ (verified "
                        "flat)", first_answer_ns=NOW + 12 * NS_PER_S,
                        finished_ns=NOW + 12 * NS_PER_S)
    outcomes = {"c10se.1": failed("c10se.1", 2), "c10se.2": failed("c10se.2", 9),
                "f1a7.1": attrs.evolve(failed("f1a7.1", 4), action="flatten"), "f1a7.2": flat}
    [close_row, flatten_row] = rows(HistoryReply(decisions=[CLOSE, flatten],
                                                 ended={"c10se": "flat now"}), outcomes, CHICAGO)
    assert re.fullmatch(r"FAILED on the 2nd attempt at [^,]*14:03:36 CST \(9s after the "
                        r"decision; the 1st failed\), then closed by daily_net_loss's flatten "
                        r"of [^,]*14:03:29 CST: close_position on account Demo 1 failed "
                        r"after 4 rounds.*",
                        close_row[3]), close_row[3]
    assert flatten_row[3].startswith("done on the 2nd attempt at "), flatten_row[3]
    assert flatten_row[3].endswith("; lock the account until the roll"), flatten_row[3]


def test_the_try_in_flight_named_in_a_note_is_the_decision_right_above():
    """'the same action is in flight (f1a7.2)': riskd's 2nd attempt of the flatten above."""
    flatten = Decision(id="f1a7", ts_ns=NOW, rule="daily_net_loss", account_id=1001,
                       action="flatten", reason="net -620.87 <= -600.00",
                       what="flatten: close 1 position; lock the account until the roll")
    later = Decision(id="c00l", ts_ns=NOW + 8 * NS_PER_S, rule="cooldown_after_loss",
                     account_id=1001, action="flatten", reason="closing fill lost 1,920.87",
                     suppressed="the same action is in flight (f1a7.2)",
                     what="flatten not sent: already in flight, by decision f1a7 "
                          "(daily_net_loss); lock the account (timer)")
    outcomes = {"f1a7.1": CommandState(command_id="f1a7.1", account_id=1001, action="flatten",
                                       state="final", status="failed", detail=GAVE_UP),
                "f1a7.2": CommandState(command_id="f1a7.2", account_id=1001, action="flatten",
                                       state="final", status="done", first_answer_ns=NOW + 9,
                                       detail="flattened account Demo 1: close MNQ")}
    [_, row] = rows(HistoryReply(decisions=[flatten, later]), outcomes, CHICAGO)
    assert "not in this history" not in " ".join(map(str, row)), row
    assert re.fullmatch(r"not acted on: daily_net_loss's flatten of [^,]*14:03:27 CST \(its 2nd "
                        r"attempt\) was already under way \(it then completed on the 2nd "
                        r"attempt\)", row[6]), row[6]


def test_a_single_failure_that_ended_without_riskd_names_no_attempt():
    """Trial20c section 5: "FAILED on the 1st attempt at 03:56:34 ..., then carried out late by
    the broker at 03:57:40" for a command that failed once (riskd tried nothing again): no
    attempt to count. Fails on main's code."""
    [row] = rows(HistoryReply(decisions=[CLOSE],
                              ended={"c10se": "taken as carried out late at 03:57:40"}),
                 {"c10se.1": failed("c10se.1", 2)}, CHICAGO)
    assert row[3].startswith("FAILED at "), row[3]
    assert "attempt" not in row[3] and ", then taken as carried out late at 03:57:40" \
        in row[3], row[3]
