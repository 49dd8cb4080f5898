"""A worker the supervisor killed as hung, as a user reads it (fresh-user trial: after a
`kill -STOP` of risk the supervisor's log said "silent for 5.0 s ... hung; killing it", but
`riskctl workers` read LAST EXIT "killed by signal 9 (SIGKILL)" as if someone else had killed
it; and the ~5 s of hang before the kill were not counted as unguarded)."""
import signal

from cli.commands.workers import render_workers
from services.supervisor.guard import GuardTracker
from shared.exitwords import kill_words
from shared.messages.control import WorkerInfo

S = 1_000_000_000


def all_up(t: GuardTracker, now: int) -> None:
    for w in ("market", "risk", "enforcement"):
        t.worker(w, True, now)
    t.hub("user", "connected", now)
    t.hub("market", "connected", now)


def test_last_exit_says_the_supervisor_killed_it_as_hung_and_after_how_long_silent():
    words = kill_words("silent for 5.0 s (heartbeat timeout 5 s): hung")
    assert words == "killed by the supervisor as hung (silent for 5.0 s)"
    shown = render_workers([WorkerInfo(name="risk", state="running", pid=42, restarts=1,
                                       last_exit=-signal.SIGKILL, last_exit_words=words)])
    assert "killed by the supervisor as hung (silent for 5.0 s)" in shown, shown
    assert "SIGKILL" not in shown
    # a kill from outside still reads as the signal
    shown = render_workers([WorkerInfo(name="risk", state="running", pid=42, restarts=1,
                                       last_exit=-signal.SIGKILL)])
    assert "killed by signal 9 (SIGKILL)" in shown


def test_a_hung_worker_is_unguarded_from_its_last_sign_of_life():
    t = GuardTracker()
    all_up(t, 0)
    t.worker("risk", False, 105 * S, since_ns=100 * S)    # silent at 100 s, killed at 105 s
    assert t.open_gap.start_ns == 100 * S
    t.worker("risk", True, 107 * S)
    assert t.unguarded_s(0, 200 * S, 200 * S) == 7.0


def test_the_hang_is_not_counted_twice_with_a_gap_closed_meanwhile():
    t = GuardTracker()
    all_up(t, 0)
    t.hub("user", "reconnecting", 101 * S)
    t.hub("user", "connected", 103 * S)                   # 2 s counted already
    t.worker("risk", False, 105 * S, since_ns=100 * S)
    assert t.open_gap.start_ns == 103 * S
    t.worker("risk", True, 107 * S)
    assert t.unguarded_s(0, 200 * S, 200 * S) == 6.0


def test_the_supervisor_counts_a_hung_risk_from_its_last_heartbeat_and_says_it_killed_it():
    """The supervisor's own _tick_slot, _exited and _changed on a real policy and guard (its
    clock, process and publisher are stand-ins): risk silent from t=1010 s, killed at 1015 s."""
    from types import MethodType, SimpleNamespace

    from services.supervisor.app import Slot, Supervisor
    from services.supervisor.backalerts import BackWatch
    from services.supervisor.policy import PolicySettings
    from services.supervisor.stillcrashing import StillCrashing

    now = {"t": 1000.0}
    killed = {"code": None}
    risk = Slot("risk", "services.risk", PolicySettings(heartbeat_timeout=5.0))
    risk.policy.wanted = True
    risk.policy.spawned(now["t"])
    risk.policy.alive(now["t"])
    risk.child = SimpleNamespace(shown_pid=4242, pid=4242,
                                 poll=lambda: killed["code"],
                                 kill=lambda: killed.update(code=-signal.SIGKILL))
    guard = GuardTracker()
    all_up(guard, 1000 * S)
    sup = SimpleNamespace(
        clock=SimpleNamespace(now_ns=lambda: int(now["t"] * S), monotonic=lambda: now["t"]),
        back=BackWatch(), still=StillCrashing(), slots={"risk": risk}, guard=guard, _announced=True,
        guard_store=SimpleNamespace(save=lambda gap: None), report_guard=lambda: None,
        pub=SimpleNamespace(publish=lambda topic, msg: None), _notify_up_ns=None,
        _spawn=lambda slot, at: None)
    for name in ("_tick_slot", "_exited", "_changed", "_notify_running", "_guard_changed",
                 "_announce_once"):
        if hasattr(Supervisor, name):
            setattr(sup, name, MethodType(getattr(Supervisor, name), sup))
    sup._alive = MethodType(Supervisor._alive, sup)
    now["t"] = 1010.0
    sup._alive(risk, now["t"])                    # its last heartbeat
    now["t"] = 1015.1
    sup._tick_slot(risk, now["t"])                # silent > 5 s: killed
    now["t"] = 1015.2
    sup._tick_slot(risk, now["t"])                # its exit is seen
    assert guard.open_gap is not None and guard.open_gap.start_ns == 1010 * S, guard.open_gap
    assert risk.last_kill == "killed by the supervisor as hung (silent for 5.1 s)"
