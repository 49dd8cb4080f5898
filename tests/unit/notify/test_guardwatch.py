"""Notify's alert when a guard worker stops answering while riskd's supervisor is gone
(services/notify/guardwatch.py). Trial: risk killed after the supervisor, and the phone's last
word stayed "its workers keep guarding"."""
from services.notify.guardwatch import SILENT_AFTER_S, GuardWatch

WORKERS = ["simbroker", "logging", "notify", "market", "risk", "enforcement"]


def run(watch, start, end, gone, beating):
    """Ticks every second from start to end, heartbeats of `beating`; the alerts given."""
    out, t = [], start
    while t <= end:
        for name in beating:
            out += watch.heard(name, t)
        out += watch.tick(t + 0.5, gone)
        t += 1.0
    return out


def test_a_silent_guard_is_alerted_only_while_the_supervisor_is_gone_then_back():
    watch = GuardWatch(WORKERS, 0.0)
    assert watch.guards == ["market", "risk", "enforcement"]
    # with the supervisor there, its own alerts say a worker is down: nothing here
    assert run(watch, 0.0, 30.0, False, ["market", "enforcement"]) == []
    said = run(watch, 31.0, 31.0 + SILENT_AFTER_S + 5, True, ["market", "enforcement"])
    assert [a.kind for a in said] == ["guard_silent"]
    assert said[0].severity == "critical"
    assert said[0].title == ("🔴 risk is not running: the accounts are NOT guarded: "
                             "nothing checks the rules")
    assert "make run" in said[0].lines[0]
    back = run(watch, 50.0, 52.0, True, ["market", "enforcement", "risk"])
    assert [a.kind for a in back] == ["guard_back"] and back[0].severity == "critical"
    assert back[0].title.startswith("🟢 risk is answering again after ")
    assert "every guard worker answers again" in back[0].lines[0]


def test_enforcement_silent_says_nothing_is_closed_and_notify_stalls_are_no_alarm():
    watch = GuardWatch(WORKERS, 0.0)
    assert watch.tick(30.0, True) == []          # notify itself stalled 30 s: counted again
    said = run(watch, 31.0, 31.0 + SILENT_AFTER_S + 3, True, ["market", "risk"])
    assert [a.title for a in said] == ["🔴 enforcement is not running: the accounts are NOT "
                                       "guarded: nothing is closed: the actions risk "
                                       "decides wait for it"]


def test_the_supervisor_alert_does_not_say_keep_guarding_when_a_guard_is_silent_too():
    from services.notify.supervisorwatch import SupervisorWatch
    sup, guards = SupervisorWatch(0.0), GuardWatch(WORKERS, 0.0)
    said = []
    for t in range(1, 12):           # supervisor and risk both silent from the start
        for name in ("market", "enforcement"):
            guards.heard(name, float(t))
        said += sup.tick(float(t), guards.silent(float(t)))
        said += guards.tick(float(t), sup.gone)
    assert [a.kind for a in said] == ["supervisor_silent", "guard_silent"], said
    assert "keep guarding" not in said[0].title and said[0].severity == "critical"
    assert "risk not running either: the accounts are NOT guarded" in said[0].title
