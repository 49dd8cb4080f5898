"""The sim gateway's lock, fair to its callers: the burst generator steps aside while one waits.

A plain RLock lets a thread that takes it 20,000 times a second (the burst, burst.py) take it
again before a waiting REST or hub thread has even woken: in a 20,000 quotes/s storm a
closeContract waited up to 9 ms for the lock, and the p90 wait was 1.3-1.9 ms (measured
2026-12-05). That is the sim, not the broker it plays, slowing riskd's breach path. Here a
caller that has to wait says so, and the burst, between two quotes and holding nothing, waits
until no caller is waiting (`step_aside`). Reentrant like the RLock it wraps.
"""
from __future__ import annotations

import threading
import time

STEP_ASIDE_AT_MOST = 0.005     # seconds the burst yields per step: it still keeps its rate
STEP_ASIDE_POLL = 0.00005


class GatewayLock:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._count = threading.Lock()
        self._waiting = 0

    def acquire(self) -> bool:
        if self._lock.acquire(blocking=False):
            return True
        with self._count:
            self._waiting += 1
        try:
            return self._lock.acquire()
        finally:
            with self._count:
                self._waiting -= 1

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> "GatewayLock":
        if not self._lock.acquire(blocking=False):    # the free lock without a second call
            self.acquire()
        return self

    def __exit__(self, *_exc) -> None:
        self._lock.release()

    @property
    def waiting(self) -> int:
        """How many threads are waiting for the lock now."""
        return self._waiting

    def step_aside(self, at_most: float = STEP_ASIDE_AT_MOST) -> None:
        """For a bulk producer between its steps, holding nothing: while another thread waits
        for the lock, wait (at most `at_most` seconds) so it gets the lock first."""
        if not self._waiting:
            return
        until = time.monotonic() + at_most
        while self._waiting and time.monotonic() < until:
            time.sleep(STEP_ASIDE_POLL)
