"""Closes before cancels on the broker's rate budget: per-client views of one shared bucket.

Every pool thread owns a ProjectXRest (a requests.Session is not shared); all of them draw
from one shared RateBudget (the broker limits the login, not the thread). While any thread is
closing (closeContract / partialCloseContract), a thread that cancels leaves RESERVE tokens in
the bucket for those closes (RateBudget's `keep`); with no close waiting, cancels take the
budget like anything else, so they are never starved by an idle reserve. A command's cancels
leave the reserve only until the command has waited for the budget once
(ActionContext._priority): while closes keep coming, the tokens that refill are taken before
the reserve is there again, and a cancel that kept leaving it would wait for ever.
"""
from __future__ import annotations

import contextlib
import threading

from shared.projectx.ratebudget import RateBudget

RESERVE = 10     # tokens cancels leave for closes while closes are under way


class Closing:
    """How many closes are under way across the pool (thread-safe counter)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def add(self, n: int) -> None:
        with self._lock:
            self.count += n


class BudgetView:
    """What ProjectXRest needs of a budget (try_take, wait_time, pause), with a priority."""

    def __init__(self, shared: RateBudget, closing: Closing, reserve: int = RESERVE):
        self.shared = shared
        self.closing = closing
        self.reserve = min(reserve, max(0, shared.burst - 1))
        self.low = False

    def _keep(self, keep: int) -> int:
        if self.low and self.closing.count > 0:
            return max(keep, self.reserve)
        return keep

    def try_take(self, n: int = 1, keep: int = 0) -> bool:
        return self.shared.try_take(n, keep=self._keep(keep))

    def wait_time(self, n: int = 1, keep: int = 0) -> float:
        return self.shared.wait_time(n, keep=self._keep(keep))

    def available(self) -> float:
        return self.shared.available()

    def pause(self, seconds: float) -> None:
        self.shared.pause(seconds)

    @contextlib.contextmanager
    def low_priority(self):
        """Cancels: yield to closes under way elsewhere."""
        self.low = True
        try:
            yield
        finally:
            self.low = False

    @contextlib.contextmanager
    def closing_now(self):
        """Closes: make cancels elsewhere leave the reserve."""
        self.closing.add(1)
        try:
            yield
        finally:
            self.closing.add(-1)
