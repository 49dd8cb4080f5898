"""Bounded retries (shared/boundedtries.py): the order tenacity's Retrying had for the REST
client and notify's channels, which used it until it was dropped for memory."""
import pytest

from shared.boundedtries import BoundedTries


class Flaky(Exception):
    pass


class Fatal(Exception):
    pass


def make(attempts=3, waits=None, slept=None):
    waits = [] if waits is None else waits
    slept = [] if slept is None else slept

    def wait(n, exc):
        waits.append((n, type(exc).__name__))
        return 0.5 * n
    return BoundedTries(attempts, lambda exc: isinstance(exc, Flaky), wait, slept.append)


def test_a_call_that_works_runs_once():
    tries = make()
    assert tries(lambda x, y=0: x + y, 1, y=2) == 3 and tries.attempt_number == 1


def test_retried_with_the_waits_between_then_the_answer():
    calls, waits, slept = [], [], []
    tries = make(waits=waits, slept=slept)

    def fn():
        calls.append(1)
        if len(calls) < 3:
            raise Flaky()
        return "ok"
    assert tries(fn) == "ok" and tries.attempt_number == 3
    assert waits == [(1, "Flaky"), (2, "Flaky")] and slept == [0.5, 1.0]


def test_every_try_failed_raises_the_last_error_after_asking_the_wait_of_the_last():
    """The wait runs after the last try too (notify notes a 429's Retry-After there), but
    nothing sleeps then."""
    waits, slept, errors = [], [], []
    tries = make(waits=waits, slept=slept)

    def fn():
        errors.append(Flaky(len(errors)))
        raise errors[-1]
    with pytest.raises(Flaky) as caught:
        tries(fn)
    assert caught.value is errors[-1] and tries.attempt_number == 3
    assert [n for n, _ in waits] == [1, 2, 3] and slept == [0.5, 1.0]


def test_an_error_not_to_retry_is_raised_at_once():
    waits, slept = [], []
    tries = make(waits=waits, slept=slept)

    def fn():
        raise Fatal()
    with pytest.raises(Fatal):
        tries(fn)
    assert tries.attempt_number == 1 and waits == [] and slept == []


def test_a_sleep_that_raises_ends_the_tries():
    """notify's sleep raises Stopping when the worker stops."""
    def stop(_s):
        raise KeyboardInterrupt()
    tries = BoundedTries(5, lambda exc: True, lambda n, exc: 1.0, stop)
    with pytest.raises(KeyboardInterrupt):
        tries(lambda: 1 / 0)
    assert tries.attempt_number == 1
