"""The restart policy, told as an ops person would tell it (pure: a fake monotonic time)."""
from services.supervisor.policy import (BACKOFF, FLAPPING, RUNNING, STARTING, STOPPED, STOPPING,
                                        PolicySettings, WorkerPolicy)

SETTINGS = PolicySettings(backoff_initial=1.0, backoff_max=30.0, flapping_crashes=5,
                          flapping_window=60.0, flapping_backoff=120.0, stable_after=60.0,
                          startup_timeout=15.0, heartbeat_timeout=5.0)


def started(t: float = 0.0) -> WorkerPolicy:
    p = WorkerPolicy(SETTINGS)
    p.want_start(t)
    assert p.should_start(t)
    p.spawned(t)
    assert p.alive(t + 0.2)
    return p


def test_first_crash_restarts_at_once_then_backoff_doubles_up_to_the_cap():
    p = started()
    delays = []
    t = 1.0
    for _ in range(4):
        p.exited(t, -9)
        assert p.state == BACKOFF
        delays.append(p.next_start_at - t)
        assert not p.should_start(p.next_start_at - 0.01) or p.next_start_at == t
        t = p.next_start_at
        assert p.should_start(t)
        p.spawned(t)
        p.alive(t + 0.1)
        t += 0.5
    assert delays == [0.0, 1.0, 2.0, 4.0]
    assert p.backoff_delay(20) == 30.0
    assert p.restarts == 4


def test_a_worker_that_crashes_five_times_within_a_minute_is_flapping_and_waits_longer():
    p = started()
    t = 1.0
    for n in range(5):
        p.exited(t, 3)
        if n < 4:
            t = p.next_start_at
            p.spawned(t)
            t += 0.1
    assert p.state == FLAPPING
    assert p.next_start_at - t == 120.0
    assert "flapping" in p.reason and "5 crashes" in p.reason
    assert not p.should_start(t + 119)
    assert p.should_start(t + 120)


def test_crashes_spread_over_more_than_the_window_are_not_flapping():
    p = started()
    t = 0.0
    for _ in range(6):
        t += 61.0          # each run stable for over a minute
        p.exited(t, 1)
        assert p.state == BACKOFF
        assert p.next_start_at == t      # stable before: immediate restart every time
        p.spawned(t)
        p.alive(t + 0.1)


def test_an_operator_stop_is_sticky_nothing_restarts_it():
    p = started()
    p.want_stop()
    assert p.state == STOPPING
    p.exited(2.0, 0)
    assert p.state == STOPPED
    assert not p.should_start(1000.0)
    assert p.restarts == 0


def test_an_operator_start_clears_flapping_at_once():
    p = started()
    t = 1.0
    for _ in range(4):
        p.exited(t, 3)
        t = p.next_start_at
        p.spawned(t)
    p.exited(t, 3)
    assert p.state == FLAPPING
    p.want_start(t + 1)
    assert p.should_start(t + 1)


def test_a_silent_worker_is_hung_and_a_slow_starter_too():
    p = started(0.0)
    assert p.state == RUNNING
    assert p.hung(4.0) is None
    assert "hung" in p.hung(5.3)
    q = WorkerPolicy(SETTINGS)
    q.want_start(0.0)
    q.spawned(0.0)
    assert q.state == STARTING
    assert q.hung(14.0) is None
    assert "no sign of life" in q.hung(15.5)


def test_a_worker_flapping_on_a_bad_config_starts_at_once_when_the_config_is_valid_again():
    p = started()
    t = 1.0
    for _ in range(5):                     # refused the config at every start (exit 78)
        p.exited(t, 78, "refused to start: invalid config (exit 78)")
        if p.state != FLAPPING:
            t = p.next_start_at
            p.spawned(t)
            t += 0.1
    assert p.state == FLAPPING and not p.should_start(t + 1)
    assert p.config_valid_again(t + 1)
    assert p.should_start(t + 1) and p.reason == ""
    p.spawned(t + 1)
    p.exited(t + 1.1, 78)                  # the crash count started afresh: no flapping
    assert p.state == BACKOFF and p.next_start_at == t + 1.1


def test_a_valid_config_again_does_not_start_a_crashed_or_stopped_worker_early():
    crashed = started()
    crashed.exited(1.0, -9)
    crashed.spawned(1.0)
    crashed.exited(1.5, -9)                # backing off for a crash: not the config's doing
    assert not crashed.config_valid_again(1.6) and not crashed.should_start(1.6)
    stopped = started()
    stopped.want_stop()
    stopped.exited(1.0, 78)                # an operator stop stays sticky
    assert not stopped.config_valid_again(1.1) and stopped.state == STOPPED
