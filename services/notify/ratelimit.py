"""Per-channel rate limit with aggregation (pure: takes times in seconds, no I/O).

TokenBucket: `rate_per_minute` messages a minute, bursts up to the same number.
Planner.decide() looks at the channel's queued alerts (oldest first) and says
what to send now:
- a critical alert goes out at once, token or not (it bypasses the aggregation
  delay; it spends a token when there is one); criticals queued together go out
  together in one digest, so a storm of them is still one message per look;
- otherwise, while tokens last, the oldest alert goes out alone;
- when an alert finds the bucket empty the channel enters digest mode: every
  queued alert is merged into ONE digest, sent when a token is back and either
  no new alert came for `quiet_s` or the oldest waited `max_wait_s`.
Nothing is dropped: an alert leaves the queue only inside a sent message.
"""
from __future__ import annotations

from typing import Optional, Sequence

import attrs

SINGLE, DIGEST, WAIT = "single", "digest", "wait"


class TokenBucket:
    def __init__(self, rate_per_minute: float, now: float, capacity: Optional[float] = None):
        self.rate = rate_per_minute / 60.0
        self.capacity = float(capacity if capacity is not None else rate_per_minute)
        self.tokens = self.capacity
        self.last = now

    def _refill(self, now: float) -> None:
        if now > self.last:
            self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
            self.last = now

    def available(self, now: float) -> bool:
        self._refill(now)
        return self.tokens >= 1.0 - 1e-9

    def peek(self, now: float) -> float:
        """Tokens there would be at `now`, changing nothing."""
        if now <= self.last:
            return self.tokens
        return min(self.capacity, self.tokens + (now - self.last) * self.rate)

    def take(self, now: float) -> bool:
        if self.available(now):
            self.tokens = max(0.0, self.tokens - 1.0)
            return True
        return False

    def next_token_at(self, now: float) -> float:
        self._refill(now)
        if self.tokens >= 1.0 - 1e-9:
            return now
        return now + (1.0 - self.tokens) / self.rate


@attrs.frozen
class Queued:
    """One alert waiting on a channel: outbox row id, severity, when it arrived (s)."""
    id: int
    severity: str
    at: float


@attrs.frozen
class Plan:
    kind: str                        # single | digest | wait
    ids: tuple[int, ...] = ()
    wake_at: Optional[float] = None  # for wait: when to look again (None: on the next arrival)


class Planner:
    def __init__(self, rate_per_minute: float, quiet_s: float, max_wait_s: float, now: float):
        self.bucket = TokenBucket(rate_per_minute, now)
        self.quiet_s = quiet_s
        self.max_wait_s = max_wait_s
        self.digest_mode = False

    def decide(self, queued: Sequence[Queued], now: float) -> Plan:
        if not queued:
            self.digest_mode = False
            return Plan(WAIT)
        critical = tuple(q.id for q in queued if q.severity == "critical")
        if critical:
            self.bucket.take(now)
            return Plan(SINGLE if len(critical) == 1 else DIGEST, critical)
        if not self.digest_mode:
            if self.bucket.take(now):
                return Plan(SINGLE, (queued[0].id,))
            self.digest_mode = True
        last = max(q.at for q in queued)
        first = min(q.at for q in queued)
        ready = max(self.bucket.next_token_at(now),
                    min(last + self.quiet_s, first + self.max_wait_s))
        if now < ready:
            return Plan(WAIT, wake_at=ready)
        self.bucket.take(now)
        self.digest_mode = False
        if len(queued) == 1:
            return Plan(SINGLE, (queued[0].id,))
        return Plan(DIGEST, tuple(q.id for q in queued))
