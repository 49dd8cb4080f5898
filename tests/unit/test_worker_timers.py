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


def test_repeating_timers_added_at_different_moments_fall_due_in_the_same_turn():
    """Round 16 (issue 21): a process's 1 s timers registered a few ms apart (setup's, then the
    heartbeat's in run()) each woke the loop once a second; on the interval's grid they run in
    one turn, and a 0.1 s and a 0.2 s timer share every other turn."""
    w, clock = worker()
    ran: list[tuple[str, float]] = []
    clock.advance(0.3)
    w.every(1.0, lambda: ran.append(("a", clock.monotonic())))
    w.every(0.2, lambda: ran.append(("s", clock.monotonic())))
    clock.advance(0.05)
    w.every(1.0, lambda: ran.append(("b", clock.monotonic())))
    w.every(0.1, lambda: ran.append(("t", clock.monotonic())))
    turns = 0
    while clock.monotonic() < 3.0 - 1e-9:
        clock.advance(max(1e-9, w._timers[0][0] - clock.monotonic()))    # to the next due time
        w._run_timers()
        turns += 1
    ran_at = {}
    for name, at in ran:
        ran_at.setdefault(name, []).append(round(at, 6))
    assert ran_at["a"] == ran_at["b"] == [1.0, 2.0, 3.0]       # together, on whole seconds
    assert ran_at["s"] == [round(0.4 + 0.2 * i, 6) for i in range(14)]
    assert set(ran_at["s"]) <= set(ran_at["t"])                  # every other tick's turn
    # one turn per 0.1 s grid point from 0.4 to 3.0: nothing between
    assert turns == 27


def test_a_timer_with_a_first_delay_runs_then_and_on_the_grid_after():
    """The heartbeat (first=0) goes at once when the worker starts, then with every other
    process's on the whole seconds: the supervisor and notify wake once for all of them."""
    w, clock = worker()
    ran = []
    clock.advance(0.37)
    w.every(1.0, lambda: ran.append(round(clock.monotonic(), 6)), first=0)
    w._run_timers()
    for _ in range(2):
        clock.advance(max(1e-9, w._timers[0][0] - clock.monotonic()))    # to the next due time
        w._run_timers()
    assert ran == [0.37, 1.0, 2.0]


def test_a_timer_that_fell_behind_runs_once_and_goes_back_to_its_grid():
    w, clock = worker()
    ran = []
    w.every(1.0, lambda: ran.append(round(clock.monotonic(), 6)))
    clock.advance(3.4)                      # the loop was busy for three of its turns
    w._run_timers()
    w._run_timers()
    assert ran == [3.4]                     # once, not three times in a burst
    clock.advance(0.6)
    w._run_timers()
    assert ran == [3.4, 4.0]
