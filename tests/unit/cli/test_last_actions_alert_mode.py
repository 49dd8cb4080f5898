"""LAST ACTIONS says what a rule in alert mode did: "alert only" and what enforce mode would
have done, as history and the phone say it.

trial25a N7: the rows read "daily_unrealized_loss close_position MNQ skipped -" with no line
under them: a trader read that riskd had skipped a close it should have made.
"""
from __future__ import annotations

import itertools

import pytest

from cli.watch.model import build_screen
from cli.watch.view import plain, render
from shared.clock import NS_PER_S
from shared.messages.enforce import CommandResult, CommandState, EnforcementStatus
from shared.messages.risk import Decision, HistoryReply
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state

CID = "CON.F.US.MNQ.Z26"
WOULD = "would have closed the MNQ position"


def _decision() -> Decision:
    return Decision(id="d1", ts_ns=NOW - 30 * NS_PER_S, rule="daily_unrealized_loss",
                    account_id=1001, action="close_position", contract_id=CID, mode="alert",
                    reason="open loss -241.50 past -200.00", what=WOULD)


def _skipped(journal: bool):
    """Enforcement's answer to the alert-mode command: its live result or its journal."""
    detail = f"alert mode: would have closed MNQ on account Demo 1 (id 1001)"
    if journal:
        return EnforcementStatus(commands=[CommandState(
            command_id="d1.1", account_id=1001, action="close_position", state="final",
            status="skipped", detail=detail, received_ns=NOW - 30 * NS_PER_S,
            finished_ns=NOW - 29 * NS_PER_S)])
    return CommandResult(command_id="d1.1", account_id=1001, status="skipped", detail=detail,
                         started_ns=NOW - 30 * NS_PER_S, finished_ns=NOW - 29 * NS_PER_S)


# every order the screen can get them in: the decision live or from history, before or after
# enforcement's answer (two streams: the answer may come first), or no answer yet
ORDERS = [(how, when, journal) for how, when, journal in itertools.product(
    ("live", "history"), ("before", "after", "none"), (False, True))
    if not (when == "none" and journal)]


@pytest.mark.parametrize("how, when, journal", ORDERS)
def test_an_alert_mode_row_says_alert_only_and_what_it_would_have_done(how, when, journal):
    s = state(account())
    decision = _decision()
    feed = [decision] if how == "live" else [HistoryReply(decisions=[decision])]
    if when == "before":
        feed = [_skipped(journal), *feed]
    elif when == "after":
        feed = [*feed, _skipped(journal)]
    for msg in feed:
        s.apply(msg)
    if how == "live":
        s.apply(HistoryReply())
    row, = build_screen(s, NOW, CHICAGO, CALENDAR).accounts[0].actions
    assert row.outcome == "alert only", row
    assert row.note == f"alert only: {WOULD}", row
    shown = "\n".join(plain([line]) for line in render(build_screen(s, NOW, CHICAGO, CALENDAR),
                                                       120, None))
    assert "skipped" not in shown, shown
    assert f"alert only: {WOULD}" in shown, shown


def test_without_the_decisions_words_the_results_are_said():
    """A screen that has only enforcement's answer (its decision not seen) says its words."""
    s = state(account())
    s.apply(HistoryReply())
    s.apply(_skipped(False))
    row, = build_screen(s, NOW, CHICAGO, CALENDAR).accounts[0].actions
    assert (row.outcome, row.note) == (
        "alert only", "alert only: would have closed MNQ on account Demo 1 (id 1001)")
