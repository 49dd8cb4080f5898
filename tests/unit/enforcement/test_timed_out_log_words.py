"""Enforcement's log line of a command whose first call timed out says so, as history and
LAST ACTIONS do (words18b's leftover: the log still read "first answer 10012.0 ms after the
event" for a held close riskd gave up on after [broker] timeout; trial18c section 6)."""
from __future__ import annotations

import logging

import attrs

from services.enforcement.app import EnforcementWorker
from services.enforcement.executor import FINAL, Outcome
from shared.logsetup import ENFORCEMENT_LOGGER
from shared.messages.enforce import Command, CommandResult

MS = 1_000_000
EVENT = 1_800_000_000 * 1_000_000_000


def result(rounds: int, timed_out_s: float) -> CommandResult:
    return CommandResult(command_id="d1.1", account_id=1001, status="done", attempts=rounds,
                         event_ns=EVENT, started_ns=EVENT + 2 * MS,
                         first_answer_ns=EVENT + 10_012 * MS, finished_ns=EVENT + 10_350 * MS,
                         action="close_position", rule="daily_unrealized_loss",
                         detail="MNQ on account 1001 closed", first_timed_out_s=timed_out_s)


def logged(res: CommandResult, caplog) -> str:
    cmd = Command(id="d1.1", decision_id="d1", account_id=1001, action="close_position")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=ENFORCEMENT_LOGGER):
        EnforcementWorker._log_result(None, res, Outcome(FINAL, res, cmd))
    [line] = [r.getMessage() for r in caplog.records if r.name == ENFORCEMENT_LOGGER]
    return line


def test_a_timed_out_first_call_is_not_a_first_answer(caplog):
    line = logged(result(2, 10.0), caplog)
    assert "first answer" not in line, line
    assert line.endswith("(2 rounds, 0 broker calls, no answer within 10s (timed out), "
                         "done after 10350.0 ms)"), line


def test_one_round_that_timed_out_says_so_too(caplog):
    line = logged(attrs.evolve(result(1, 10.0), finished_ns=EVENT + 10_012 * MS), caplog)
    assert line.endswith("(1 round, 0 broker calls, no answer within 10s (timed out), "
                         "10012.0 ms from the event)"), line


def test_an_answered_first_call_keeps_its_words(caplog):
    line = logged(result(2, 0.0), caplog)
    assert line.endswith("first answer 10012.0 ms after the event, done after 10350.0 ms)"), line


def test_a_failed_command_says_when_it_gave_up_not_its_first_answer(caplog):
    """Trial20c section 5: enforcement killed -9 mid-close; the resumed close FAILED 49.4 s
    after the event (history '49s after the decision', the alert 'over 49.4 s', LAST ACTIONS
    '49s'), but the log read '17536.7 ms from the event' (its first round's timeout)."""
    res = attrs.evolve(result(4, 10.0), status="failed", first_answer_ns=EVENT + 17_537 * MS,
                       finished_ns=EVENT + 49_400 * MS, detail="MNQ on account 1001 not closed")
    line = logged(res, caplog)
    assert "17537" not in line, line
    assert line.endswith("(4 rounds, 0 broker calls, no answer within 10s (timed out), "
                         "failed after 49400.0 ms from the event)"), line


def test_a_failed_command_answered_first_gives_both(caplog):
    res = attrs.evolve(result(3, 0.0), status="failed", first_answer_ns=EVENT + 35 * MS,
                       finished_ns=EVENT + 2_100 * MS)
    line = logged(res, caplog)
    assert line.endswith("(3 rounds, 0 broker calls, first answer 35.0 ms after the event, "
                         "failed after 2100.0 ms from the event)"), line
