"""`riskctl start` of a worker whose new process crashed while starting, and that riskd started
again at once, answers the truth: it crashed, riskd restarted it, it runs now (trial15a finding
4: "enforcement exited before it was up: killed by signal 9 (SIGKILL)" and the audit row "not
done" while riskd had enforcement running 0.5 s later). The supervisor's own start_worker,
_exited, _alive and info on a real Slot and policy; its clock, process and publisher are
stand-ins."""
from __future__ import annotations

import datetime as dt
from types import MethodType, SimpleNamespace
from zoneinfo import ZoneInfo

from services.supervisor.app import Slot, Supervisor
from services.supervisor.audit import outcome_of
from services.supervisor.backalerts import BackWatch
from services.supervisor.stillcrashing import StillCrashing
from services.supervisor.policy import RUNNING, PolicySettings
from shared.clock import to_ns

CHICAGO = ZoneInfo("America/Chicago")
S = 1_000_000_000
AT = to_ns(dt.datetime(2026, 12, 6, 12, 0, 9, tzinfo=CHICAGO))
KILLED = -9


def supervisor(now, settings=PolicySettings()):
    """enforcement stopped by an operator; starting it spawns a stand-in process."""
    slot = Slot("enforcement", "services.enforcement", settings)
    slot.policy.want_stop()
    pids = iter(range(7937, 8000))

    def tick_slot(s, at):
        if s.child is None and s.policy.should_start(at):
            s.policy.spawned(at)
            pid = next(pids)
            s.child = SimpleNamespace(shown_pid=pid, pid=pid, poll=lambda: None)
    sup = SimpleNamespace(
        clock=SimpleNamespace(now_ns=lambda: AT + int((now["t"] - 1000) * S),
                              monotonic=lambda: now["t"]),
        slots={"enforcement": slot}, requester="ops:root", back=BackWatch(), still=StillCrashing(),
        config=SimpleNamespace(supervisor=SimpleNamespace(stop_timeout=5.0),
                               notify=SimpleNamespace(timezone="America/Chicago"),
                               trading_day=SimpleNamespace(timezone="America/Chicago")),
        _changed=lambda slot: None, _announce_once=lambda: None, _tick_slot=tick_slot)
    for name in ("start_worker", "_slot", "_exited", "_alive", "info"):
        setattr(sup, name, MethodType(getattr(Supervisor, name), sup))
    return sup, slot


def test_a_crash_while_starting_that_riskd_restarts_at_once_is_answered_as_running_now():
    """Fails on main's code: the answer was start_failed "exited before it was up"."""
    now = {"t": 1000.0}
    sup, slot = supervisor(now)
    answers = []
    sup.start_worker("enforcement", answers.append)
    assert slot.child.shown_pid == 7937
    now["t"] = 1000.3
    sup._exited(slot, KILLED, now["t"])
    assert answers == []               # riskd starts it again at once: the start waits for it
    sup._tick_slot(slot, now["t"])
    now["t"] = 1000.8
    sup._alive(slot, now["t"])
    assert slot.policy.state == RUNNING
    (reply,) = answers
    assert reply.ok, reply
    assert reply.reason == ("enforcement crashed while starting (killed by signal 9 (SIGKILL)); "
                            "riskd restarted it: running now (pid 7938)"), reply.reason
    assert outcome_of(reply) == f"ok: {reply.reason}"      # the audit row says the same
    assert slot.start_crashes == []


def test_a_start_whose_processes_keep_crashing_is_still_answered_a_failure_saying_each():
    now = {"t": 1000.0}
    sup, slot = supervisor(now)
    answers = []
    sup.start_worker("enforcement", answers.append)
    for _ in range(6):
        if answers:
            break
        now["t"] += 0.3
        sup._exited(slot, KILLED, now["t"])
        now["t"] = slot.policy.next_start_at or now["t"]
        sup._tick_slot(slot, now["t"])
    (reply,) = answers
    assert not reply.ok and reply.code == "start_failed", reply
    assert reply.reason.startswith("enforcement exited before it was up: killed by signal 9"), \
        reply.reason
    assert "(it had crashed while starting before: killed by signal 9 (SIGKILL); killed by " \
           "signal 9 (SIGKILL); riskd restarted it)" in reply.reason, reply.reason
