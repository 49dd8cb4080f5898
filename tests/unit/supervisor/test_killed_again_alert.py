"""A guard worker riskd's supervisor kills as hung again and again: a critical "NOT guarded".

Fresh-user trial 15b: risk ran on an address the supervisor did not look at (a [bus] edit
followed by `riskctl restart risk`) and was killed "as hung" every 15 s; the accounts were not
guarded, yet the only alert was a warning "💥 Worker risk crashed: killed by signal 9
(SIGKILL) / no sign of life within 15 s of start", saying neither who killed it nor that the
accounts were unguarded, and the restart's answer (and audit) said "risk exited before it was
up" of a risk that ran. The supervisor's own _tick_slot / _exited / _changed, on a real policy
(startup_timeout 15 s as shipped), publish the kill count; notify's template words it.
"""
import signal
from types import MethodType, SimpleNamespace

from services.notify.templates import CRITICAL, WARNING, Context, build
from services.supervisor.app import Slot, Supervisor
from services.supervisor.backalerts import BackWatch
from services.supervisor.guard import GuardTracker
from services.supervisor.policy import PolicySettings
from services.supervisor.stillcrashing import StillCrashing
from shared.messages.control import WorkerEvent
from shared.messages.system import Reply

S = 1_000_000_000


def supervisor_with(slot: Slot, now: dict, published: list):
    sup = SimpleNamespace(
        clock=SimpleNamespace(now_ns=lambda: int(now["t"] * S), monotonic=lambda: now["t"]),
        back=BackWatch(), still=StillCrashing(), slots={slot.name: slot}, guard=GuardTracker(), _announced=True,
        guard_store=SimpleNamespace(save=lambda gap: None), report_guard=lambda: None,
        pub=SimpleNamespace(publish=lambda topic, msg: published.append(msg)),
        _notify_up_ns=None, requester="admin:root", info=lambda s: None,
        _spawn=lambda slot, at: None)       # the test starts each process itself
    for name in ("_tick_slot", "_exited", "_changed", "_notify_running", "_guard_changed"):
        setattr(sup, name, MethodType(getattr(Supervisor, name), sup))
    return sup


def test_a_guard_worker_killed_twice_in_a_row_makes_a_critical_not_guarded_alert():
    now = {"t": 1000.0}
    published: list = []
    risk = Slot("risk", "services.risk", PolicySettings(startup_timeout=15.0))
    sup = supervisor_with(risk, now, published)
    answers: list[Reply] = []
    risk.up_waiters.append(answers.append)          # a `riskctl restart risk` waits on it
    risk.policy.want_start(now["t"])

    def start_silent_process():
        killed = {"code": None}
        risk.child = SimpleNamespace(shown_pid=4242, pid=4242, poll=lambda: killed["code"],
                                     kill=lambda: killed.update(code=-signal.SIGKILL))
        risk.policy.spawned(now["t"])                # as Supervisor._spawn does
        risk.kill_reason = ""
        sup._changed(risk)

    for _ in range(2):
        start_silent_process()
        now["t"] += 15.1
        sup._tick_slot(risk, now["t"])               # no sign of life within 15 s: killed
        now["t"] += 0.1
        sup._tick_slot(risk, now["t"])               # its exit is seen
    downs = [m for m in published if isinstance(m, WorkerEvent) and m.state == "backoff"]
    assert [d.killed for d in downs] == [1, 2], downs

    # the restart's answer (and so the audit) says the supervisor killed it, not "exited"
    assert answers and not answers[0].ok
    assert answers[0].reason == ("risk did not come up: riskd's supervisor killed it (no sign "
                                 "of life within 15 s of start); it starts it again"), answers[0]

    first, second = (build(d, Context()) for d in downs)
    assert first.severity == WARNING
    assert first.title == ("💥 Worker risk crashed: killed by the supervisor as hung (no sign "
                           "of life within 15 s of start)"), first.title
    assert second.severity == CRITICAL and second.kind == "worker_killed_again"
    assert second.title == ("🚨 Worker risk killed by riskd's supervisor 2 times in a row: "
                            "accounts are NOT guarded until it runs again"), second.title
    text = "\n".join(second.lines)
    assert "riskd's supervisor killed it as hung: no sign of life within 15 s of start" in text
    assert "meanwhile nothing checks the rules" in text
    assert "`riskctl logs --process risk`" in text


def test_a_crash_that_is_not_the_supervisors_kill_ends_the_count_and_other_workers_warn():
    crash = build(WorkerEvent(name="risk", state="backoff", exit_code=1,
                              reason="exited with code 1"), Context())
    assert crash.severity == WARNING and crash.kind == "worker_crashed"
    notify = build(WorkerEvent(name="notify", state="backoff", exit_code=-9, killed=3,
                               reason="no sign of life within 15 s of start"), Context())
    assert notify.severity == WARNING and notify.kind == "worker_crashed"   # guards nothing
