"""The close whose call is out at the broker with no answer yet says so: "held at the broker
since ..., no answer yet" in history and under its LAST ACTIONS row, not a bare 'accepted'.

queue20 left it: the actions queued behind that close said "waiting behind riskd's close of
MNQ (held at the broker since ...)", but the held close itself read "planned, not done yet
(accepted)" in history. Trial20c section 6: LAST ACTIONS showed `close_position MNQ accepted`
while the broker had not answered (3 times), and nothing said what 'accepted' means.
Each test fails on main's code (no CommandState.at_broker_ns, no legend item for it).
"""
from __future__ import annotations

import datetime as dt

from cli.watch import model
from cli.watch.view import legend_items
from shared import historywords
from shared.messages.enforce import CommandResult, CommandState
from tests.unit.enforcement.test_waiting_behind import A, AT, close, finish, state, w  # noqa: F401


def test_history_says_the_close_is_held_at_the_broker_while_its_call_is_out(w, clock):
    first = close("d1.1")
    w.accept(first)
    assert historywords.outcome_text(state(w, "d1.1")) == "planned, not done yet (accepted)"
    w.executor.at_broker["d1.1"] = clock.now_ns()               # its close call is out
    clock.advance(3)
    st = state(w, "d1.1")
    assert st.at_broker_ns and not st.waits_behind
    said = historywords.outcome_text(st, tz=dt.timezone.utc)
    # (history names the date of a day not today: the fake clock's is in 2023)
    assert said.startswith("planned, not done yet: held at the broker since Tue "), said
    assert said.endswith(" 22:13:20 UTC, no answer yet"), said
    # one queued behind it still says behind what, and is not itself 'held'
    w.accept(close("d2.1"))
    assert state(w, "d2.1").at_broker_ns == 0
    assert historywords.outcome_text(state(w, "d2.1"), tz=dt.timezone.utc).startswith(
        "planned, not done yet: waiting behind riskd's close of MNQ (held at the broker since")
    # the answer came: it is no longer said held
    w.executor.at_broker.pop("d1.1")
    assert state(w, "d1.1").at_broker_ns == 0
    finish(w, first, clock)
    assert state(w, "d1.1").at_broker_ns == 0


def test_last_actions_say_held_at_the_broker_under_the_accepted_row(clock):
    st = model.WatchState()
    st.actions["d1.1"] = model.ActionRow(decision_id="d1", ts_ns=clock.now_ns(), account_id=A,
                                         rule="daily_unrealized_loss",
                                         action="close_position", status="pending")
    model._result(st, CommandResult(command_id="d1.1", account_id=A, status="accepted",
                                    action="close_position"))
    line = model._action_lines(st, A, dt.timezone.utc, clock.now_ns())[0]
    assert line.outcome == "accepted" and line.note == ""
    sent = clock.now_ns()
    clock.advance(5)
    model._command_state(st, CommandState(command_id="d1.1", account_id=A,
                                          action="close_position", state="running",
                                          at_broker_ns=sent))
    line = model._action_lines(st, A, dt.timezone.utc, clock.now_ns())[0]
    assert line.outcome == "accepted"
    assert line.note == f"held at the broker since {AT}, no answer yet", line.note
    # its result: done, nothing said held any more
    model._result(st, CommandResult(command_id="d1.1", account_id=A, status="done",
                                    action="close_position", detail="MNQ closed"))
    line = model._action_lines(st, A, dt.timezone.utc, clock.now_ns())[0]
    assert "held" not in line.note


def test_the_legend_says_what_accepted_means():
    [item] = [i for i in legend_items(True) if i.startswith("accepted:")]
    assert "not done" in item and "not the broker's answer" in item
