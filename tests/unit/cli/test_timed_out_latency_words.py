"""A first "answer" that was riskd giving up on a call is said as a timeout, not an answer.

Trial18c section 6: a close held at the sim, which riskd gave up on after [broker] timeout
(10 s) and sent again, read in LAST ACTIONS `close_position  done  10s, done 10s` and in
history "(in 2 rounds: first answer 10s after the event, done after 10s)": the first call was
never answered in those 10 s. Enforcement marks such a first answer (CommandResult /
CommandState first_timed_out_s, tests/unit/enforcement/test_executor.py); the column reads
"no answer within 10s, done 10s" and history "no answer within 10s (timed out), done after
10s". Fails on main's code (no such field, "first answer").

Trial21c: a close whose first attempt FAILED (4 calls, each no answer within 10 s, given up
41 s after the event) and whose retry's one call got no answer either (done in that round: the
position was found flat) read "timed out 56s" in LAST ACTIONS: the time from the event to
riskd giving up on the retry's call, labelled as the timeout. The cell now says the timeout and
when the action was done, from the event, in history's words: "no answer within 10s, done
56s" (fails on the code before: "timed out 56s")."""
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
    assert roundslatency.column(10_000.0, 10_500.0, 10.0) == "no answer within 10s, done 10s"
    assert roundslatency.column(10_000.0, 10_500.0) == "10s, done 10s"
    assert roundslatency.first_cell(10_000.0, 10.0) == "no answer within 10s"


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
    assert "no answer within 10s, done 10s" in text, text
    said = " ".join(text.split())
    assert "\"no answer within 10s, done 56s\": riskd's call got no answer within its " \
           "[broker] timeout (10 s), and the action was done 56 s after the event" in said, text


def test_a_retry_whose_one_call_got_no_answer_says_the_timeout_not_the_time_to_it():
    """The retry of a FAILED close (its result: 1 round, the call's 10 s timeout 56 s after
    the event, done 0.4 s later): LAST ACTIONS says the timeout and when it was done, never
    "timed out 56s"; history says the same of the rounds of a retry done in 2."""
    import attrs

    from cli.watch.model import build_screen
    from cli.watch.view import plain, render
    from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state as screen
    from tests.unit.cli.test_rounds_latency import EVENT, decision, result
    s = screen(account())
    s.apply(decision())
    s.apply(attrs.evolve(result(1), first_answer_ns=EVENT + 56 * S,
                         finished_ns=EVENT + 56 * S + 4 * S // 10, first_timed_out_s=10.0))
    text = plain(render(build_screen(s, NOW, CHICAGO, CALENDAR), 120))
    assert "no answer within 10s, done 56s" in text, text
    assert "timed out 56s" not in text, text
    assert roundslatency.column(56_000.0, 57_000.0, 10.0) == "no answer within 10s, done 57s"
    assert roundslatency.history_words(56_000.0, 57_000.0, 2, 10.0) == \
        "in 2 rounds: no answer within 10s (timed out), done after 57s"
