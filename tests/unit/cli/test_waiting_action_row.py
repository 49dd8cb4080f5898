"""LAST ACTIONS says an action waits for the market, not 'accepted' (second trial 2026-12-06:
a close held by enforcement until the market opens read "close_position accepted" on the watch
screen while history said "planned, not done yet (pending): ... waits for the market to open"
and the phone "⏳ Waiting")."""
from __future__ import annotations

from cli.watch.model import build_screen
from shared.messages.enforce import MARKET_OPEN, CommandResult
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state


def row_after(*results):
    s = state(account())
    for r in results:
        s.apply(r)
    [row] = build_screen(s, NOW, CHICAGO, CALENDAR).accounts[0].actions
    return row


def accepted(**kw) -> CommandResult:
    return CommandResult(command_id="d.1", account_id=1001, status="accepted",
                         action="close_position", rule="daily_unrealized_loss",
                         started_ns=NOW, **kw)


def test_an_action_held_for_the_market_says_it_waits():
    # put back (the status as it came): 'accepted', fails
    assert row_after(accepted(waits_for=MARKET_OPEN)).outcome == "waits: market closed"


def test_an_action_accepted_and_running_still_reads_accepted_and_done_once_done():
    assert row_after(accepted()).outcome == "accepted"
    done = CommandResult(command_id="d.1", account_id=1001, status="done",
                         action="close_position", rule="daily_unrealized_loss",
                         started_ns=NOW, first_answer_ns=NOW + 1, finished_ns=NOW + 2)
    assert row_after(accepted(waits_for=MARKET_OPEN), done).outcome == "done"
