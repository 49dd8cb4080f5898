"""Worker timers (shared/worker.py), driven by a fake clock: every() repeats, after() runs once
and leaves nothing behind; one added while the timers run waits for the next round."""
from __future__ import annotations

from types import SimpleNamespace

from shared.clock import FakeClock
from shared.worker import POLL_MS, Worker


def worker():
    clock = FakeClock()
    return Worker(SimpleNamespace(config=None), clock=clock, ctx=object()), clock


def test_after_runs_once_when_due_and_is_gone():
    w, clock = worker()
    ran = []
    w.after(0.5, lambda: ran.append(clock.monotonic()))
    assert w._run_timers() == POLL_MS and ran == []       # not due: the poll waits
    clock.advance(0.45)
    assert w._run_timers() == 50 and ran == []            # 50 ms to go
    clock.advance(0.05)
    assert w._run_timers() == POLL_MS                     # ran; no timer left
    assert ran == [0.5] and w._timers == []
    clock.advance(5)
    w._run_timers()
    assert ran == [0.5]


def test_every_repeats_beside_a_one_shot():
    w, clock = worker()
    ticks, once = [], []
    w.every(1.0, lambda: ticks.append(clock.monotonic()))
    w.after(1.5, lambda: once.append(clock.monotonic()))
    for _ in range(4):
        clock.advance(1.0)
        w._run_timers()
    assert ticks == [1.0, 2.0, 3.0, 4.0] and once == [2.0]
    assert len(w._timers) == 1                            # only the repeating one stays


def test_a_one_shot_that_adds_itself_again_waits_for_the_next_round():
    w, clock = worker()
    ran = []

    def again():
        ran.append(clock.monotonic())
        if len(ran) < 3:
            w.after(0, again)
    w.after(0, again)
    assert w._run_timers() == 0                           # the new one is due: poll, no wait
    assert ran == [0.0]
    w._run_timers()
    w._run_timers()
    assert ran == [0.0, 0.0, 0.0] and w._timers == []


def test_a_failing_one_shot_is_logged_and_gone(caplog):
    w, clock = worker()

    def boom():
        raise RuntimeError("boom")
    w.after(0, boom)
    w._run_timers()
    assert w._timers == [] and "timer boom failed" in caplog.text
