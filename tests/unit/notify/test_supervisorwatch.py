"""Notify's alert when riskd's supervisor stops sending heartbeats (services/notify/supervisorwatch.py).

Trial: after `kill -9` of the supervisor its workers kept guarding, but nothing reached the
phone, and nothing restarted a worker that died from then on."""
from services.notify.supervisorwatch import SILENT_AFTER_S, SupervisorWatch


def beats(watch, start, end):
    """Heartbeats every second from start to end, ticks between; the alerts they gave."""
    out, t = [], start
    while t <= end:
        out += watch.heard(t) + watch.tick(t + 0.5)
        t += 1.0
    return out


def test_silent_supervisor_alerts_once_then_says_it_is_back():
    watch = SupervisorWatch(0.0)
    assert beats(watch, 0.0, 30.0) == []
    # killed at 30: nothing until SILENT_AFTER_S without a beat, then one warning
    said = []
    for t in range(31, 31 + int(SILENT_AFTER_S) + 20):
        said += [(t, a) for a in watch.tick(float(t))]
    [(at, alert)] = said
    assert at == 30 + SILENT_AFTER_S
    assert alert.severity == "warning" and alert.kind == "supervisor_silent"
    assert alert.title == ("⚠️ riskd's supervisor is not running: its workers keep guarding, but "
                           "nothing restarts one that stops: start riskd again (`make run`, "
                           "`systemctl start riskd` or `sc start riskd`)")
    assert alert.lines[0].startswith("no heartbeat from it for 10s: ")
    assert "docs/operations.md, When riskd's supervisor is killed" in alert.lines[0]
    # riskctl watch does read the workers (trial 2026-12-06: "riskctl cannot reach the
    # workers" beside a watch showing their live figures)
    assert "riskctl's commands cannot reach the workers until riskd runs again (`riskctl " \
           "watch` still reads them" in alert.lines[0], alert.lines[0]
    # a hung supervisor that answers again: one "back"
    [back] = watch.heard(70.0)
    assert back.kind == "supervisor_back" and back.severity == "info"
    assert back.title.startswith("🟢 riskd's supervisor is answering again after 40s silent")
    assert watch.heard(71.0) == [] and watch.tick(71.5) == []


def test_a_busy_moment_is_no_alarm():
    watch = SupervisorWatch(0.0)
    beats(watch, 0.0, 5.0)
    # 8 s without a beat (a busy supervisor), ticks on time: nothing
    assert [a for t in range(6, 14) for a in watch.tick(float(t))] == []
    assert beats(watch, 14.0, 40.0) == []


def test_notify_just_started_waits_the_whole_margin():
    watch = SupervisorWatch(100.0)
    assert [a for t in range(101, 110) for a in watch.tick(float(t))] == []
    assert len(watch.tick(110.0)) == 1


def test_notify_own_stall_is_no_alarm():
    # notify's loop stalled 20 s: the beats of that time wait unread behind the tick
    watch = SupervisorWatch(0.0)
    beats(watch, 0.0, 5.0)
    assert watch.tick(25.0) == []
    assert watch.heard(25.1) == []
    assert beats(watch, 26.0, 40.0) == []


def test_riskd_stopping_on_purpose_is_no_alarm():
    watch = SupervisorWatch(0.0)
    beats(watch, 0.0, 5.0)
    watch.stopping()              # its "riskd is stopping" alert came: it stops notify later
    assert [a for t in range(6, 60) for a in watch.tick(float(t))] == []
