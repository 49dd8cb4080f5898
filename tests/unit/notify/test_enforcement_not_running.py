"""A breach alert built while enforcement is not running says the action waits, since when, and
that the trader should act on the platform; its "Done" once enforcement is back says so (trial:
the phone read "action: close the position MNQ" while the close waited for a stopped
enforcement)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs

from services.notify.running import WorkerStates
from services.notify.steps import step_alert
from services.notify.templates import Context, build
from shared.clock import to_ns
from shared.messages.control import WorkerEvent
from shared.messages.enforce import CommandResult
from shared.messages.risk import Decision, LockoutChange, LockoutState, LockSpec

CHI = ZoneInfo("America/Chicago")
CTX = Context(tz=CHI, accounts={7: "Ana main"})
STOPPED = to_ns(dt.datetime(2026, 12, 5, 6, 1, 5, tzinfo=CHI))
T0 = STOPPED + 40 * 10**9
CLOSE = Decision(id="d9", ts_ns=T0, rule="daily_unrealized_loss", account_id=7,
                 action="close_position", contract_id="CON.F.US.MNQ.Z26",
                 value=Decimal("-200.50"), limit=Decimal("-150"))


def states(*events: tuple[str, str, int]) -> WorkerStates:
    s = WorkerStates()
    for name, state, ns in events:
        s.observe(WorkerEvent(name=name, state=state), ns)
    return s


def test_worker_events_tell_since_when_enforcement_is_not_running():
    s = states(("enforcement", "running", 1), ("enforcement", "stopping", STOPPED),
               ("enforcement", "stopped", STOPPED + 10**9), ("notify", "stopped", 5))
    assert s.down_since("enforcement") == STOPPED      # its first moment not running
    assert s.down_since("risk") is None                 # nothing heard: taken as running
    s.observe(WorkerEvent(name="risk-1", state="backoff"), 8)
    assert s.down_since("risk") == 8                    # a shard down is risk down
    s.observe(WorkerEvent(name="enforcement", state="running"), T0)
    assert s.down_since("enforcement") is None


def test_a_breach_while_enforcement_is_stopped_says_the_action_waits():
    ctx = attrs.evolve(CTX, enforcement_down_ns=STOPPED)
    alert = build(CLOSE, ctx)
    assert alert.title == ("⚠️ Breach daily_unrealized_loss on Ana main (id 7): NOT done yet, "
                           "enforcement is not running")
    assert alert.lines[:3] == (
        "value -200.50 vs limit -150.00",
        "action waiting: close the position MNQ",
        "enforcement is not running (since Sat 06:01:05 CST): risk sends the action when "
        "enforcement is back; act on your broker's platform if needed")
    assert not any(line.startswith("action: ") for line in alert.lines)


def test_a_breach_while_enforcement_runs_reads_as_before():
    alert = build(CLOSE, CTX)
    assert alert.title == "⚠️ Breach daily_unrealized_loss on Ana main (id 7)"
    assert "action: close the position MNQ" in alert.lines
    assert not any("not running" in line for line in alert.lines)


def test_alert_mode_and_suppressed_breaches_claim_no_waiting_action():
    ctx = attrs.evolve(CTX, enforcement_down_ns=STOPPED)
    for d in (attrs.evolve(CLOSE, mode="alert"), attrs.evolve(CLOSE, suppressed="flat already")):
        alert = build(d, ctx)
        assert "NOT done" not in alert.title and not any("waiting" in x for x in alert.lines)


def test_a_lockout_step_while_enforcement_is_stopped_says_so():
    ctx = attrs.evolve(CTX, enforcement_down_ns=STOPPED)
    lock = LockoutChange(change="added", ts_ns=T0, lockout=LockoutState(
        id="l", account_id=7, kind="until_reset", rule="daily_loss", since_ns=T0,
        until_ns=T0 + 3600 * 10**9))
    alone = build(lock, ctx)
    assert alone.lines[-1] == ("enforcement is not running (since Sat 06:01:05 CST): riskd cannot "
                               "close what the account opens until it is back; act on your "
                               "broker's platform if needed")
    breach = attrs.evolve(CLOSE, rule="daily_loss", lock=LockSpec(kind="until_reset",
                                                                  until_ns=T0 + 3600 * 10**9))
    step = step_alert([lock, breach], ctx)
    assert step.title.endswith("; action NOT done yet, enforcement is not running"), step.title
    assert "action waiting: close the position MNQ" in step.lines
    assert sum("enforcement is not running (since" in x for x in step.lines) == 1, step.lines


def test_the_done_of_an_action_that_waited_says_enforcement_is_back():
    done = CommandResult(command_id="d9.1", account_id=7, status="done", detail="closed 1 MNQ",
                         finished_ns=T0 + 60 * 10**9, first_answer_ns=T0 + 59 * 10**9)
    alert = build(done, attrs.evolve(CTX, waited={"d9.1": STOPPED}))
    assert alert.title == "✅ Done on Ana main (id 7): enforcement is back"
    # the time is enforcement's stop, said as such (trial17b: "(since Sun 17:42:02 CST)" read
    # as the action's time, decided 3 s after enforcement stopped)
    assert alert.lines == ("closed 1 MNQ", "the action that waited for enforcement (not "
                           "running since Sat 06:01:05 CST), done now that it is back")
    unknown = build(done, attrs.evolve(CTX, waited={"d9.1": 0}))     # stopped before notify ran
    assert unknown.lines[1] == "the action that waited for enforcement, done now that it is back"
    assert build(done, CTX).title == "✅ Done on Ana main (id 7)"


def test_a_notify_started_while_enforcement_is_stopped_takes_the_supervisors_table():
    # the supervisor's events are kept 10 s: a notify started later hears none of a stop
    from shared.messages.control import WorkerInfo
    s = WorkerStates()
    s.snapshot([WorkerInfo(name="enforcement", state="stopped"),
                WorkerInfo(name="risk", state="running"), WorkerInfo(name="notify",
                                                                     state="running")])
    assert s.down_since("enforcement") == 0 and s.down_since("risk") is None
    alert = build(CLOSE, attrs.evolve(CTX, enforcement_down_ns=s.down_since("enforcement")))
    assert alert.lines[2] == ("enforcement is not running: risk sends the action when "
                              "enforcement is back; act on your broker's platform if needed")
    s.observe(WorkerEvent(name="enforcement", state="starting"), T0)
    assert s.down_since("enforcement") == 0            # still down since before notify
    s.observe(WorkerEvent(name="enforcement", state="running"), T0)
    assert s.down_since("enforcement") is None


def test_the_supervisors_table_coming_after_an_event_does_not_undo_it():
    """The table is asked at notify's start and its answer comes beside the loop (round 7):
    an answer that said "starting", applied after the "running" event, left enforcement
    down for good, and a later stop lost its time."""
    from shared.messages.control import WorkerInfo
    s = WorkerStates()
    s.observe(WorkerEvent(name="enforcement", state="running"), T0)      # heard first
    s.snapshot([WorkerInfo(name="enforcement", state="starting"),        # older, came later
                WorkerInfo(name="risk", state="stopped")])              # nothing heard of it
    assert s.down_since("enforcement") is None
    assert s.down_since("risk") == 0
    s.observe(WorkerEvent(name="enforcement", state="stopped"), T0 + 5)
    assert s.down_since("enforcement") == T0 + 5                         # its own time


def test_an_action_enforcement_accepted_before_it_went_down_waits_for_nothing():
    """Trial18c (kill -9 of enforcement in a close held at the broker): the step's alert,
    built after the crash, said "NOT done yet, enforcement is not running ... risk sends the
    action when enforcement is back" for a close enforcement had accepted and sent before. An
    accepted command is under way (the crash alert says it was in flight, the next enforcement
    resumes it): its breach reads as one enforcement took.
    Put back (old templates.waits): 'action waiting'; fails."""
    ctx = attrs.evolve(CTX, enforcement_down_ns=STOPPED, accepted={"d9.1": STOPPED - 10**9})
    alert = build(CLOSE, ctx)
    assert alert.title == "⚠️ Breach daily_unrealized_loss on Ana main (id 7)", alert.title
    assert "action: close the position MNQ" in alert.lines
    assert not any("not running" in line or "waiting" in line for line in alert.lines)
