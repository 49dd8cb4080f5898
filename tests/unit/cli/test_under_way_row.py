"""LAST ACTIONS' row of a flatten not sent because the same action was under way says what
history says of it, in the same words, its end included (fresh-user trial 20b, section 9:
`status` read "cooldown_after_loss flatten not sent: in flight" while `riskctl history` said
of the same action "... was already under way (it then completed)").

The screen's state is fed what risk and enforcement publish (decisions, the command's
result); history is given the same decisions and outcome."""
from __future__ import annotations

import re

from cli.commands.history import rows
from cli.watch.model import build_screen
from cli.watch.view import plain, render
from shared.clock import NS_PER_S
from shared.messages.enforce import CommandResult, CommandState
from shared.messages.risk import Decision, HistoryReply, LockSpec
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state

FIRST = Decision(id="a1", ts_ns=NOW, rule="daily_realized_loss", account_id=1001,
                 action="flatten", reason="realized -311.94 <= -300",
                 what="flatten: close 1 position")
SECOND = Decision(id="b2", ts_ns=NOW + NS_PER_S, rule="cooldown_after_loss", account_id=1001,
                  action="flatten", reason="closing fill lost 305.52",
                  lock=LockSpec(kind="timer", until_ns=NOW + 1800 * NS_PER_S),
                  suppressed="the same action is in flight (a1.1)",
                  what="flatten not sent: already in flight, by decision a1 "
                       "(daily_realized_loss); lock the account (timer)")
UNDER_WAY = re.compile(r"daily_realized_loss's flatten of (?:\S+ )*?14:03:27 CST was already "
                       r"under way \([^()]*\)")
# a time names its day and date as far from now as it is (shared/showtime.py): the screen's
# clock is the test's NOW, history's the machine's
DAY = re.compile(r"of (?:\S+ )*?(?=14:03:27 CST)")


def same_time(text: str) -> str:
    return DAY.sub("of ", text)


def screen(*results: CommandResult) -> str:
    s = state(account())
    s.apply(FIRST)
    s.apply(SECOND)
    for r in results:
        s.apply(r)
    return plain(render(build_screen(s, NOW + 2 * NS_PER_S, CHICAGO, CALENDAR), 120, None,
                        unicode=False))


def history(outcomes: dict) -> str:
    [_, row] = rows(HistoryReply(decisions=[FIRST, SECOND]), outcomes, CHICAGO)
    [said] = UNDER_WAY.findall(row[3])
    return same_time(said)


def result(status: str, answered: bool = True) -> CommandResult:
    return CommandResult(command_id="a1.1", account_id=1001, status=status,
                         started_ns=NOW + 10_000_000, finished_ns=NOW + 50_000_000,
                         first_answer_ns=NOW + 10_000_000 if answered else 0,
                         action="flatten", rule="daily_realized_loss",
                         detail="flattened account 1001")


def state_of(status: str, answered: bool = True) -> CommandState:
    return CommandState(command_id="a1.1", account_id=1001, action="flatten", state="final",
                        status=status, detail="flattened account 1001",
                        first_answer_ns=NOW + 10_000_000 if answered else 0,
                        finished_ns=NOW + 50_000_000)


def row_of(text: str) -> tuple[str, str]:
    """The cooldown's row and the line under it."""
    lines = text.splitlines()
    [i] = [n for n, line in enumerate(lines) if "cooldown_after_loss" in line
           and "flatten" in line]
    return lines[i], same_time(" ".join(lines[i + 1].split()))


def test_the_row_says_under_way_and_what_became_of_it_as_history_does():
    text = screen(result("done"))
    row, under = row_of(text)
    assert "not sent: under way" in row and "in flight" not in row, row
    said = history({"a1.1": state_of("done")})
    assert said.endswith("(it then completed)"), said
    assert under == said, (under, said)


def test_while_that_flatten_is_on_its_way_the_row_says_still_pending_as_history_does():
    text = screen(CommandResult(command_id="a1.1", account_id=1001, status="accepted",
                                started_ns=NOW + 10_000_000, action="flatten",
                                rule="daily_realized_loss"))
    row, under = row_of(text)
    assert "not sent: under way" in row, row
    said = history({"a1.1": CommandState(command_id="a1.1", account_id=1001,
                                         action="flatten", state="running")})
    assert said.endswith("(still pending)") and under == said, (under, said)


def test_a_flatten_that_found_nothing_to_do_is_said_so_on_both():
    text = screen(result("done", answered=False))
    _row, under = row_of(text)
    said = history({"a1.1": state_of("done", answered=False)})
    assert said.endswith("(it then found nothing to do)") and under == said, (under, said)


def test_a_failed_flatten_is_said_so_on_both():
    text = screen(result("failed"))
    _row, under = row_of(text)
    said = history({"a1.1": state_of("failed")})
    assert said.endswith("(it then ended FAILED)") and under == said, (under, said)
