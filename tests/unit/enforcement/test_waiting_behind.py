"""A command queued in its account's lane (behind a command of its contract, behind a flatten)
reads "waiting behind riskd's close of MNQ (held at the broker since ...)" on every screen, and
what it is once it runs.

Round 19 left it: an action queued behind another read `accepted` / "planned, not done yet"
everywhere, as if it were at the broker. Each test here fails on the code before (checked on
main at fb55a417: no `waits_behind` anywhere, no Lanes.ahead, no behind.py).

The worker's loop (services/enforcement/app.py) is driven by hand, as test_withdraw.py does:
jobs it submits are recorded, not run, so what is "running" is exactly what the test says.
"""
from __future__ import annotations

import types

import pytest

from cli.watch import model
from services.enforcement import behind
from services.enforcement.executor import FINAL, HANDOVER, Job, Outcome
from services.enforcement.lanes import Lanes
from services.supervisor.inflight import InFlight
from shared import historywords, outcomewords
from shared.messages.enforce import DONE, Command, CommandResult
from tests.unit.enforcement.test_withdraw import A, close, flatten, worker

ES = "CON.F.US.EP.Z26"
AT = "Tue 22:13:20 UTC"             # the fake clock's start, as screens show it (UTC: no zone)
AT_LATER = "Tue 22:13:25 UTC"


@pytest.fixture
def w(tmp_path, clock):
    w = worker(str(tmp_path / "enforcement.sqlite"), clock)
    yield w
    w.journal.close()


def said(w, cid: str) -> list[CommandResult]:
    return [m for m in w.pub.sent if isinstance(m, CommandResult) and m.command_id == cid]


def state(w, cid: str):
    return next(s for s in w._on_status(types.SimpleNamespace(command_ids=[cid])).body.commands
                if s.command_id == cid)


def finish(w, cmd: Command, clock) -> None:
    """The running command ends done (the executor's final outcome)."""
    res = CommandResult(command_id=cmd.id, account_id=A, status=DONE, detail="closed",
                        finished_ns=clock.now_ns(), action=cmd.action)
    entry = w.journal.finish(res)
    w._on_outcome(Outcome(FINAL, entry.result(), cmd))


# -- the lanes: what a queued command waits behind ------------------------------------------------
def test_lanes_name_the_running_commands_a_queued_one_waits_behind(journal, clock):
    lanes = Lanes(clock)

    def enter(cmd):
        return lanes.enter(Job(journal.receive(cmd, 0)[0], str(A)))
    mnq, es = close("a.1"), close("b.1", ES)
    assert enter(mnq) and enter(es)
    assert lanes.ahead("a.1") is None                           # running: not waiting
    clock.advance(2)
    assert not enter(close("c.1"))                              # MNQ again: behind a.1
    assert [c.id for c, _ in lanes.ahead("c.1").running] == ["a.1"]
    assert not enter(flatten("f.1"))                            # behind both closes
    assert [c.id for c, _ in lanes.ahead("f.1").running] == ["a.1", "b.1"]
    assert not enter(close("e.1", "CON.F.US.ENQ.Z26"))          # no pass of the flatten
    found = lanes.ahead("e.1")
    assert found.running == [] and found.queued.id == "f.1"
    assert lanes.ahead("x.1") is None


def test_the_words_say_held_at_the_broker_only_while_a_call_is_out(journal, clock):
    lanes = Lanes(clock)
    for cmd in (close("a.1"), close("c.1"), flatten("f.1"), close("e.1", ES)):
        lanes.enter(Job(journal.receive(cmd, 0)[0], str(A)))
    at_broker = {}
    words = lambda cid: behind.words(cid, lanes.ahead, at_broker, None, clock.now_ns())  # noqa
    assert words("a.1") == ""
    assert words("c.1") == f"riskd's close of MNQ (running since {AT})"
    clock.advance(5)
    at_broker["a.1"] = clock.now_ns()
    assert words("c.1") == f"riskd's close of MNQ (held at the broker since {AT_LATER})"
    assert words("e.1") == (f"riskd's flatten of the account, which waits behind riskd's "
                            f"close of MNQ (held at the broker since {AT_LATER})")
    killer = Command(id="admin-1.1001", decision_id="admin-1", account_id=A, action="flatten",
                     rule="admin", by="admin:root")
    assert behind.what(killer) == "the kill switch's flatten of the account (by admin:root)"


# -- the worker: announced waiting, then running ------------------------------------------------
def test_a_close_queued_behind_a_held_close_of_its_contract_says_so_then_runs(w, clock):
    first, second = close("d1.1"), close("d2.1")
    w.accept(first)
    assert [j.command.id for j in w.submitted] == ["d1.1"]
    assert said(w, "d1.1")[-1].waits_behind == ""
    clock.advance(1)
    w.executor.at_broker["d1.1"] = clock.now_ns()               # its close call is out
    w.accept(second)
    assert [j.command.id for j in w.submitted] == ["d1.1"]      # queued, not sent
    held = "riskd's close of MNQ (held at the broker since Tue 22:13:21 UTC)"
    res = said(w, "d2.1")
    assert len(res) == 1 and res[0].status == "accepted" and res[0].waits_behind == held
    st = state(w, "d2.1")
    assert st.waits_behind == held
    assert state(w, "d1.1").waits_behind == ""
    # history, `riskctl flatten`, LAST ACTIONS: one wording, never 'accepted' alone
    assert historywords.outcome_text(st) == f"planned, not done yet: waiting behind {held}"
    assert outcomewords.progress_word("accepted", "", st.waits_behind) == "waiting"
    # a re-send from risk meanwhile is answered with the same words
    w.accept(second)
    assert said(w, "d2.1")[-1].waits_behind == held
    # the held close ends: the second runs, and says it runs ('accepted', no words)
    w.executor.at_broker.pop("d1.1")
    finish(w, first, clock)
    assert [j.command.id for j in w.submitted] == ["d1.1", "d2.1"]
    assert said(w, "d2.1")[-1].status == "accepted" and said(w, "d2.1")[-1].waits_behind == ""
    assert state(w, "d2.1").waits_behind == ""
    assert historywords.outcome_text(state(w, "d2.1")) == "planned, not done yet (accepted)"


def test_a_flatten_waits_for_each_close_and_says_which_are_left(w, clock):
    mnq, es, flat = close("d1.1"), close("d2.1", ES), flatten("d3.1")
    w.accept(mnq)
    w.accept(es)
    w.accept(flat)
    both = f"riskd's close of MNQ (running since {AT}) and riskd's close of ES (running since {AT})"
    assert said(w, "d3.1")[-1].waits_behind == both
    finish(w, mnq, clock)
    assert [j.command.id for j in w.submitted] == ["d1.1", "d2.1"]     # ES still runs
    assert said(w, "d3.1")[-1].waits_behind == f"riskd's close of ES (running since {AT})"
    finish(w, es, clock)
    assert said(w, "d3.1")[-1].waits_behind == ""
    assert [j.command.id for j in w.submitted][-1] == "d3.1"


def test_a_command_that_hands_its_slot_over_says_it_waits(w, clock):
    first, second = close("d1.1"), close("d2.1")
    w.accept(first)
    w.accept(second)
    again = Job(w.journal.get("d1.1"), str(A), recheck=True)
    w._on_outcome(Outcome(HANDOVER, w.journal.get("d1.1").result(), first, again=again))
    assert [j.command.id for j in w.submitted] == ["d1.1", "d2.1"]
    assert said(w, "d2.1")[-1].waits_behind == ""
    assert said(w, "d1.1")[-1].waits_behind.startswith("riskd's close of MNQ (running since")


def test_a_withdrawn_queued_command_is_no_longer_said_to_wait(w, clock):
    from tests.unit.enforcement.test_withdraw import back
    w.accept(close("d1.1"))
    w.accept(close("d2.1"))
    assert "d2.1" in w.waits
    w.withdraw(back("d2.1"))
    assert "d2.1" not in w.waits and said(w, "d2.1")[-1].status == "withdrawn"


# -- the screens ----------------------------------------------------------------------------------
def test_last_actions_say_waiting_with_behind_what_under_the_row(clock):
    st = model.WatchState()
    st.actions["d2.1"] = model.ActionRow(decision_id="d2", ts_ns=clock.now_ns(), account_id=A,
                                         rule="lockout", action="close_position",
                                         status="pending")
    held = f"riskd's close of MNQ (held at the broker since {AT})"
    model._result(st, CommandResult(command_id="d2.1", account_id=A, status="accepted",
                                    action="close_position", waits_behind=held))
    import datetime as dt
    line = model._action_lines(st, A, dt.timezone.utc, clock.now_ns())[0]
    assert line.outcome == "waiting" and line.note == f"waiting behind {held}"
    model._result(st, CommandResult(command_id="d2.1", account_id=A, status="accepted",
                                    action="close_position"))
    line = model._action_lines(st, A, dt.timezone.utc, clock.now_ns())[0]
    assert line.outcome == "accepted" and line.note == ""


def test_enforcement_s_crash_alert_does_not_call_a_waiting_command_in_flight(clock):
    seen = InFlight(lambda aid: f"Demo 1 (id {aid})")
    seen.result(CommandResult(command_id="d2.1", account_id=A, status="accepted",
                              action="close_position", rule="lockout",
                              waits_behind="riskd's close of MNQ (held at the broker since x)"),
                clock.now_ns())
    line, = seen.down(clock.now_ns())
    assert "was waiting behind riskd's close of MNQ (held at the broker since x), not sent " \
           "to the broker yet" in line and "in flight" not in line
