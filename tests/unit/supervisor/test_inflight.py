"""Enforcement's commands in flight when it goes down, in its crash and "back" alerts
(services/supervisor/inflight.py). Trial18c: `riskctl sim fail Position/closeContract --status
200 --delay 120 --hold`, then `kill -9` of enforcement in the middle of the held close: the
crash and "back" alerts said nothing of the close in flight."""
from __future__ import annotations

from services.notify.templates import worker_alert
from services.supervisor.backalerts import BackWatch
from services.supervisor.inflight import RESUME_WINDOW_NS, InFlight
from shared.messages.control import WorkerEvent
from shared.messages.enforce import CommandResult

S = 10**9


def named(aid: int) -> str:
    return {1002: "Demo 2 (strict, id 1002)"}.get(aid, f"account {aid}")


def close(status: str, detail: str = "", cid: str = "d7.1") -> CommandResult:
    return CommandResult(command_id=cid, account_id=1002, status=status, detail=detail,
                         action="close_position", rule="lockout")


def test_a_close_in_flight_at_the_crash_is_said_then_resumed_in_the_back_alert():
    watch = InFlight(named)
    watch.result(close("accepted"), 1 * S)
    lines = watch.down(5 * S)
    assert lines == ["riskd's close by lockout enforcement on Demo 2 (strict, id 1002) was in "
                     "flight, not finished: the enforcement riskd starts again resumes it, "
                     "reading the broker first: a close already carried out is not sent "
                     "again; one still held at the broker may be carried out later (riskd says "
                     "so if that comes within 2 minutes)"]
    watch.result(close("accepted"), 6 * S)     # the new enforcement answers risk's re-send
    assert watch.back_lines() == [
        "it resumes riskd's close by lockout enforcement on Demo 2 (strict, id 1002), in "
        "flight at its down: it reads the broker first; riskctl history shows what became of "
        "it"]
    assert watch.back_lines() == []             # said once


def test_the_crash_alert_promises_no_more_than_reading_the_broker_does():
    """trial19b section 1: the crash alert said "a call already sent is not sent twice", but
    the resumed close, finding the position still open (its first call held at the broker),
    sent a second close, and the held one was carried out later. The words say what the
    resume does: a close carried out is not sent again; one held may still be carried out."""
    watch = InFlight(named)
    watch.result(close("accepted"), 1 * S)
    watch.result(CommandResult(command_id="d7.2", account_id=1002, status="accepted",
                               action="cancel_orders", rule="lockout"), 1 * S)
    closing, cancel = watch.down(2 * S)
    assert "not sent twice" not in closing + cancel
    assert closing.endswith("a close already carried out is not sent again; one still held at "
                            "the broker may be carried out later (riskd says so if that comes "
                            "within 2 minutes)"), closing
    # a cancel is not held and carried out later: no words of a late close for it
    assert cancel.endswith("reading the broker first: what is already done there is not sent "
                           "again"), cancel


def test_a_close_done_before_the_back_alert_says_its_outcome():
    watch = InFlight(named)
    watch.result(close("accepted"), 1 * S)
    watch.down(2 * S)
    watch.result(close("done", "MNQ on account Demo 2 (strict, id 1002) closed"), 3 * S)
    assert watch.back_lines() == [
        "riskd's close by lockout enforcement on Demo 2 (strict, id 1002), in flight at its "
        "down: done: MNQ on account Demo 2 (strict, id 1002) closed"]


def test_nothing_in_flight_nothing_said_and_nothing_invented():
    watch = InFlight(named)
    watch.result(close("accepted"), 1 * S)
    watch.result(close("done", "closed"), 2 * S)       # finished before the crash
    assert watch.down(3 * S) == [] and watch.back_lines() == []
    # an 'accepted' older than enforcement's resume window: it is not resumed, not claimed
    watch.result(close("accepted", cid="d8.1"), 10 * S)
    assert watch.down(10 * S + RESUME_WINDOW_NS + 1) == [] and watch.back_lines() == []


def test_the_back_alert_and_the_crash_alert_carry_the_lines():
    watch = InFlight(named)
    watch.result(close("accepted"), 1 * S)
    said = watch.down(100 * S)
    crash = worker_alert(WorkerEvent(name="enforcement", state="backoff", exit_code=-9,
                                     reason="killed by signal 9 (SIGKILL)", in_flight=said),
                         None)
    assert crash.lines[-1] == said[0], crash.lines
    back = BackWatch()
    back.down("enforcement", 100 * S, "crashed: killed by signal 9 (SIGKILL)")
    back.up("enforcement", 101 * S)
    alert = back.due(101 * S, (), more=lambda n: watch.back_lines() if n == "enforcement"
                     else [])
    assert alert.lines[-1].startswith("it resumes riskd's close by lockout enforcement on "
                                      "Demo 2 (strict, id 1002)"), alert.lines
