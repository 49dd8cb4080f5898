"""A first "answer" that was riskd giving up on a call is said as a timeout, not an answer.

Trial18c section 6: a close held at the sim, which riskd gave up on after [broker] timeout
(10 s) and sent again, read in LAST ACTIONS `close_position  done  10s, done 10s` and in
history "(in 2 rounds: first answer 10s after the event, done after 10s)": the first call was
never answered in those 10 s. Enforcement marks such a first answer (CommandResult /
CommandState first_timed_out_s, tests/unit/enforcement/test_executor.py); the column reads
"timed out 10s, done 10s" and history "no answer within 10s (timed out), done after 10s".
Fails on main's code (no such field, "first answer")."""
from __future__ import annotations

from shared import roundslatency
from shared.historywords import outcome_text
from shared.messages.enforce import CommandState

S = 1_000_000_000


def state(timed_out_s: float) -> CommandState:
    return CommandState(command_id="d1.1", account_id=1001, action="close_position",
                        state="final", status="done", attempts=2, received_ns=5 * S,
                        event_ns=5 * S, first_answer_ns=15 * S, finished_ns=15 * S + S // 2,
                        detail="MNQ on account Demo 1 (id 1001) closed",
                        first_timed_out_s=timed_out_s)


def test_history_says_no_answer_within_the_timeout():
    text = outcome_text(state(10.0), 5 * S)
    assert "(in 2 rounds: no answer within 10s (timed out), done after 10s)" in text, text
    assert "first answer" not in text, text
    # a first answer the broker gave is still said as one
    assert "(in 2 rounds: first answer 10s after the event, done after 10s)" in \
        outcome_text(state(0.0), 5 * S)


def test_last_actions_says_timed_out_in_its_latency_cell():
    assert roundslatency.column(10_000.0, 10_500.0, 10.0) == "timed out 10s, done 10s"
    assert roundslatency.column(10_000.0, 10_500.0) == "10s, done 10s"
    assert roundslatency.first_cell(10_000.0, 10.0) == "timed out 10s"


def test_the_status_screen_says_timed_out_and_its_legend_explains_it():
    """As `riskctl status` prints it (tests/unit/cli/test_latency_column_explained.py): a
    command whose first call timed out after 10 s, done in a second round."""
    import attrs

    from cli.watch.model import build_screen
    from cli.watch.view import plain, render
    from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state as screen
    from tests.unit.cli.test_rounds_latency import EVENT, decision, result
    s = screen(account())
    s.apply(decision())
    s.apply(attrs.evolve(result(2), first_answer_ns=EVENT + 10 * S,
                         finished_ns=EVENT + 10 * S + S // 2, first_timed_out_s=10.0))
    text = plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), 120))
    assert "timed out 10s, done 10s" in text, text
    said = " ".join(text.split())
    assert "\"timed out 10s\": no answer came, riskd gave up on the call then ([broker] " \
           "timeout)" in said, text
