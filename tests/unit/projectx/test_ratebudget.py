"""The rate budget: never more than 200 calls in any 60 s, and a 429 pauses everything."""
import pytest

from shared.clock import FakeClock
from shared.projectx.ratebudget import RateBudget


def test_a_burst_then_an_even_refill_never_exceeds_the_limit_in_any_window():
    clock = FakeClock()
    budget = RateBudget(limit=200, window=60.0, burst=100, clock=clock)
    taken_at = []
    for _ in range(60 * 20 * 3):              # three minutes in 50 ms steps, taking greedily
        while budget.try_take():
            taken_at.append(clock.monotonic())
        clock.advance(0.05)
    assert taken_at[:100] == [0.0] * 100      # the burst is there at once
    for i, t in enumerate(taken_at):
        in_window = [u for u in taken_at[i:] if u < t + 60.0]
        assert len(in_window) <= 200
    assert len(taken_at) >= 100 + 100 * 3 - 2     # and the refill keeps up its rate


def test_wait_time_says_when_the_next_call_is_possible():
    clock = FakeClock()
    budget = RateBudget(limit=20, window=10.0, burst=10, clock=clock)
    assert budget.wait_time() == 0.0
    for _ in range(10):
        assert budget.try_take()
    assert not budget.try_take()
    assert budget.wait_time() == pytest.approx(1.0)     # 10 refill over 10 s
    clock.advance(1.0)
    assert budget.try_take()
    assert budget.wait_time(n=11) == float("inf")       # more than the burst never fits


def test_keep_leaves_headroom_for_higher_priority_calls():
    clock = FakeClock()
    budget = RateBudget(limit=10, window=10.0, burst=5, clock=clock)
    assert budget.try_take(keep=3) and budget.try_take(keep=3)
    assert not budget.try_take(keep=3)                  # a cancel leaves 3 for closes
    assert budget.try_take() and budget.try_take() and budget.try_take()
    assert not budget.try_take()


def test_a_429_pause_blocks_until_retry_after_and_starts_empty():
    clock = FakeClock()
    budget = RateBudget(limit=200, window=60.0, clock=clock)
    budget.pause(2.0)
    assert not budget.try_take()
    assert budget.wait_time() == pytest.approx(2.0 + 60 / 100)
    clock.advance(2.0)
    assert not budget.try_take()                        # paused time does not refill
    clock.advance(0.6)
    assert budget.try_take()


def test_bad_parameters_are_refused_with_what_was_expected():
    with pytest.raises(ValueError, match="expected limit >= 1"):
        RateBudget(limit=0)
    with pytest.raises(ValueError, match="burst"):
        RateBudget(limit=10, burst=11)


def test_a_wait_is_never_too_short_to_move_the_clock():
    """A float can leave 0.9999999999999999 tokens; the wait for the last sliver was ~1e-16 s,
    which a nanosecond clock never advances by: a caller looping on it spun (helper dbl9)."""
    clock = FakeClock()
    budget = RateBudget(limit=20, window=10.0, burst=10, clock=clock)
    for _ in range(10):
        assert budget.try_take()
    budget._tokens = 0.9999999999999999           # what float refills can leave
    assert not budget.try_take()
    assert budget.wait_time() >= 0.001
