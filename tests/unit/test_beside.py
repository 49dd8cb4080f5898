"""A blocking call beside a worker's loop: the loop goes on meanwhile, and the outcome (a
value or the exception raised) reaches a callback in the loop (shared/beside.py)."""
from __future__ import annotations

import threading
import time

import pytest

from shared.beside import Beside

pytestmark = pytest.mark.timeout(30)


def wait_outcome(running: Beside, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        outcome = running.outcome()
        if outcome is not None:
            return outcome
        time.sleep(0.01)
    raise AssertionError("the call did not end")


def test_the_caller_goes_on_while_the_call_blocks_and_then_gets_its_value():
    release = threading.Event()
    running = Beside(lambda: release.wait(10) and "answer")
    assert running.outcome() is None          # not waited for: the loop goes on
    release.set()
    assert wait_outcome(running) == ("answer", None)


def test_an_exception_of_the_call_is_handed_over_not_raised_in_its_thread():
    def fails():
        raise LookupError("riskd did not answer within 2 s")
    value, error = wait_outcome(Beside(fails))
    assert value is None and isinstance(error, LookupError)
    assert str(error) == "riskd did not answer within 2 s"
