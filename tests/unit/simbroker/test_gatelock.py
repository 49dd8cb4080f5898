"""The sim gateway's lock: the burst steps aside for a waiting caller; market data wakes the
hub loop only after the lock is released (services/simbroker/gatelock.py, gateway.py)."""
from __future__ import annotations

import threading
import time

import pytest

from services.simbroker.gatelock import GatewayLock
from services.simbroker.gateway import Gateway
from shared.clock import FakeClock
from shared.config.sections import SimConfig

pytestmark = pytest.mark.timeout(30)


def _wait_until(cond, what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, what
        time.sleep(0.001)


def test_reentrant_and_step_aside_is_free_when_nobody_waits():
    lock = GatewayLock()
    with lock:
        with lock:                       # the gateway's methods call each other under it
            assert lock.waiting == 0
    started = time.monotonic()
    lock.step_aside()
    assert time.monotonic() - started < 0.001 * 50      # returns at once (generous bound)


def test_a_waiting_caller_gets_the_lock_before_the_burst_takes_it_again():
    lock = GatewayLock()
    order: list[str] = []
    lock.acquire()                       # the burst, in the middle of a quote
    caller = threading.Thread(target=lambda: (lock.acquire(), order.append("caller"),
                                              time.sleep(0.05), lock.release()))
    caller.start()
    _wait_until(lambda: lock.waiting == 1, "the caller never waited")
    lock.release()                       # the quote is done
    lock.step_aside()                    # the burst, before its next quote
    with lock:
        order.append("burst")
    caller.join(5)
    assert order == ["caller", "burst"]


def test_step_aside_gives_up_after_its_bound():
    lock = GatewayLock()
    lock._waiting = 1                    # a caller that never comes: the burst keeps its rate
    started = time.monotonic()
    lock.step_aside(at_most=0.02)
    assert 0.015 < time.monotonic() - started < 2.0


class _Hub:
    """Records, for each publish and wake, whether another thread could take the lock."""

    def __init__(self, gateway):
        self.gateway = gateway
        self.log: list[tuple[str, bool]] = []

    def _free(self) -> bool:
        got = []

        def probe():
            lock = self.gateway.lock._lock
            got.append(lock.acquire(False))
            if got[0]:
                lock.release()
        t = threading.Thread(target=probe)
        t.start()
        t.join()
        return got[0]

    def publish_user(self, events):
        pass

    def publish_quote(self, contract_id, payload, kick=True):
        self.log.append(("quote" if not kick else "quote+wake", self._free()))

    def publish_market(self, topic, contract_id, data, kick=True):
        pass

    def kick(self):
        self.log.append(("wake", self._free()))

    def wants_quotes(self, contract_id):
        return True

    def wants(self, topic, contract_id):
        return False


def test_quotes_are_queued_under_the_lock_and_the_loop_woken_after_it():
    g = Gateway(SimConfig(calendar_date="2026-12-04"), "u", "k", FakeClock())
    g.hub = _Hub(g)
    ids = g.market.active_ids()[:3]
    g.tick(ids)
    assert g.hub.log == [("quote", False)] * 3 + [("wake", True)]
