"""A rate budget for broker calls: a pure token bucket, clock-injected, no I/O and no sleeping.

ProjectX allows 200 calls per 60 s per login. A bucket that starts full and
refills at limit/window would allow up to twice the limit in the first
window, so the bucket is split: `burst` calls are available at once and the
rest refill evenly over the window. In any window of `window` seconds at most
burst + (limit - burst) = limit calls can be taken.

`keep` lets a low-priority caller (cancels) leave headroom for a high-priority
one (closes): take only if `keep` tokens would remain afterwards.
"""
from __future__ import annotations

import threading

from shared.clock import SYSTEM_CLOCK, Clock

LIMIT = 200
WINDOW = 60.0


MIN_WAIT_S = 0.001      # the shortest wait wait_time() gives when a call must wait at all


class RateBudget:
    """Token bucket: `limit` calls per `window` seconds, `burst` of them at once. Thread-safe."""

    def __init__(self, limit: int = LIMIT, window: float = WINDOW, burst: int | None = None,
                 clock: Clock = SYSTEM_CLOCK):
        if limit < 1 or window <= 0:
            raise ValueError(f"expected limit >= 1 and window > 0, got {limit} per {window} s")
        burst = max(1, limit // 2) if burst is None else burst
        if not 1 <= burst <= limit:
            raise ValueError(f"expected 1 <= burst <= limit ({limit}), got {burst}")
        self.limit, self.window, self.burst = limit, float(window), burst
        self.rate = (limit - burst) / self.window if limit > burst else burst / self.window
        self.clock = clock
        self._tokens = float(burst)
        self._at = clock.monotonic()
        self._blocked_until = 0.0
        self._lock = threading.Lock()

    def _refill(self) -> float:
        now = self.clock.monotonic()
        if now > self._at:
            self._tokens = min(float(self.burst), self._tokens + (now - self._at) * self.rate)
            self._at = now
        return now

    def available(self) -> float:
        with self._lock:
            now = self._refill()
            return 0.0 if now < self._blocked_until else self._tokens

    def try_take(self, n: int = 1, keep: int = 0) -> bool:
        """Take n tokens if n + keep are there (and no pause is in force); never waits."""
        with self._lock:
            now = self._refill()
            if now < self._blocked_until or self._tokens < n + keep:
                return False
            self._tokens -= n
            return True

    def wait_time(self, n: int = 1, keep: int = 0) -> float:
        """Seconds until try_take(n, keep) would succeed (0 if it would now)."""
        with self._lock:
            now = self._refill()
            need = n + keep
            if need > self.burst:
                return float("inf")
            refill = max(0.0, (need - self._tokens) / self.rate)
            if 0.0 < refill < MIN_WAIT_S:
                # a float left 0.9999999999999999 tokens: a wait of ~1e-16 s never moves a
                # nanosecond clock, and a caller waiting on it would spin (helper dbl9)
                refill = MIN_WAIT_S
            return max(0.0, self._at - now) + refill     # _at is in the future while paused

    def pause(self, seconds: float) -> None:
        """The broker said 429 (Retry-After: seconds): take nothing until then, start empty."""
        with self._lock:
            now = self._refill()
            self._blocked_until = max(self._blocked_until, now + max(0.0, seconds))
            self._tokens = 0.0
            self._at = max(self._at, self._blocked_until)
