"""What the sim does to REST calls besides answering them: counting, injected failures, rate limits.

Counted per endpoint: calls, injected failures, and what each answered call
did (took effect, or refused: closing a flat position is refused, so a
duplicated close shows here although the broker changes nothing).
Pure (a clock, no I/O; the gateway holds the lock). Websocket connection
attempts are counted here too, as /hubs/user and /hubs/market. `/sim/fail` arms a Fault
for an endpoint: its next `count` calls answer `status` (429 with a
Retry-After header); with `apply` the call still takes effect and only its
answer is lost, like a close that worked although the reply never came; with `delay`
the answer comes only after that long (the caller has timed out by then). Status 200 with a
`delay` (and no `body`) is a slow success: the call is carried out after the delay and
answered as usual, not counted as failed (a close that works, late; trial13a could not
simulate one); with `hold` too, it is carried out once `/sim/release` lets it go (the delay is
then only the longest it waits): a test holds a call in flight until it has done what it
needed done meanwhile, whatever the machine's speed. Two
rate limits, as on the gateway: one for every endpoint but bar history
(rate_limit per 60 s, 0: off) and one for History/* (history_limit per 30 s).
"""
from __future__ import annotations

import collections
import math
from typing import Optional

import attrs

from shared.clock import Clock


@attrs.define
class Fault:
    status: int
    count: int
    retry_after: float = 1.0
    apply: bool = False
    body: Optional[str] = None       # what to answer instead (garbage JSON, an HTML error page)
    delay: float = 0.0               # answer only after this long: past the caller's timeout
    account: Optional[int] = None    # only calls for this account (accountId in the body)
    hold: bool = False               # a slow success waits for /sim/release (delay: at most)


@attrs.frozen
class Failure:
    """An answer to send instead of the real one."""
    status: int
    headers: dict
    text: str
    apply: bool = False
    delay: float = 0.0
    slow: bool = False      # not a failure: carry the call out after `delay`, answer it as usual
    hold: bool = False      # slow, and carried out once released (`delay`: the longest wait)


class Limiter:
    """At most `limit` calls per `window` seconds (sliding); 0: no limit."""

    def __init__(self, clock: Clock, limit: int, window: float):
        self.clock = clock
        self.limit = limit
        self.window = window
        self._recent: collections.deque = collections.deque()   # monotonic times of calls

    def check(self) -> Optional[Failure]:
        """None if the call may go ahead (it is counted), else the 429 to answer."""
        if self.limit <= 0:
            return None
        now = self.clock.monotonic()
        while self._recent and self._recent[0] <= now - self.window:
            self._recent.popleft()
        if len(self._recent) >= self.limit:
            wait = self._recent[0] + self.window - now
            return Failure(429, {"Retry-After": str(max(1, math.ceil(wait)))},
                           f"rate limit: {self.limit} calls per {self.window:g} s")
        self._recent.append(now)
        return None


HISTORY_PREFIX = "/api/History/"
CLOSES = ("/api/Position/closeContract", "/api/Position/partialCloseContract")
REFUSED_CLOSES_KEPT = 100


class Faults:
    def __init__(self, clock: Clock, rate_limit: int = 0, window: float = 60.0,
                 history_limit: int = 50, history_window: float = 30.0):
        self.clock = clock
        self.limiter = Limiter(clock, rate_limit, window)
        self.history_limiter = Limiter(clock, history_limit, history_window)
        self.calls: collections.Counter = collections.Counter()
        self.failed: collections.Counter = collections.Counter()     # injected failures
        self.took_effect: collections.Counter = collections.Counter()  # answered success
        self.refused: collections.Counter = collections.Counter()      # (endpoint, errorCode)
        self.by_account: collections.Counter = collections.Counter()   # (account, endpoint, code)
        # every refused close with its moment (bounded): a test's logs then show whose it was
        self.refused_closes: collections.deque = collections.deque(maxlen=REFUSED_CLOSES_KEPT)
        self.since_ns = clock.now_ns()
        self._armed: dict[str, Fault] = {}

    def arm(self, endpoint: str, status: int, count: int, retry_after: float = 1.0,
            apply: bool = False, body: Optional[str] = None, delay: float = 0.0,
            account: Optional[int] = None, hold: bool = False) -> None:
        """Fail the next `count` calls with `status` (with `account`, only calls for that
        account); with `body`, answer that text instead (then any status from 200 is allowed:
        a 200 carrying garbage is a failure too). Status 200 with a delay and no body: the
        calls are carried out after the delay and answered as usual (a slow success); with
        `hold`, once released (the gateway's release()), the delay only the longest wait."""
        slow = status == 200 and body is None
        if hold and not slow:
            raise ValueError("hold is for a slow success only: status 200, a delay, no body")
        if slow and count > 0 and not delay > 0:
            raise ValueError("status 200 without a body is a slow success: give its delay in "
                             "seconds (delay above 0), or a body to answer a garbled 200")
        low = 200 if body is not None or slow else 400
        if not low <= status <= 599:
            raise ValueError(f"expected an HTTP status from {low} to 599 (200 only with a delay: "
                             f"a slow success, or with a body), got {status!r}")
        if count <= 0:
            self._armed.pop(endpoint, None)
        else:
            if delay < 0:
                raise ValueError(f"expected a delay of 0 s or more, got {delay!r}")
            self._armed[endpoint] = Fault(status, count, retry_after, apply, body, delay,
                                          account, hold)

    def for_accounts(self) -> bool:
        """A fault is armed for one account only (the gateway then reads each body's
        accountId before answering)."""
        return any(f.account is not None for f in self._armed.values())

    def armed(self) -> dict:
        return {k: attrs.asdict(v) for k, v in self._armed.items()}

    def reset_counts(self) -> None:
        for counter in (self.calls, self.failed, self.took_effect, self.refused,
                        self.by_account, self.refused_closes):
            counter.clear()
        self.since_ns = self.clock.now_ns()

    def on_result(self, endpoint: str, code: int, account: Optional[int] = None) -> None:
        """Count what a call did: took effect (errorCode 0) or was refused with `code` by the
        broker's rules (e.g. closing a flat position), whether or not its answer then reached
        the caller; per account too when the call named one."""
        if code == 0:
            self.took_effect[endpoint] += 1
        else:
            self.refused[(endpoint, code)] += 1
        if isinstance(account, int) and not isinstance(account, bool):
            self.by_account[(account, endpoint, code)] += 1
        if code and endpoint in CLOSES:
            self.refused_closes.append({"atNs": self.clock.now_ns(), "account": account,
                                        "endpoint": endpoint, "errorCode": code})

    def counts(self) -> dict:
        """Every counter by endpoint (refused: by endpoint, then errorCode), for /sim/calls."""
        refused: dict = {}
        for (endpoint, code), n in self.refused.items():
            refused.setdefault(endpoint, {})[str(code)] = n
        by_account: dict = {}
        for (account, endpoint, code), n in self.by_account.items():
            by_account.setdefault(str(account), {}).setdefault(endpoint, {})[str(code)] = n
        return {"calls": dict(self.calls), "failed": dict(self.failed),
                "tookEffect": dict(self.took_effect), "refused": refused,
                "byAccount": by_account, "refusedCloses": list(self.refused_closes)}

    def on_hub_attempt(self, hub: str) -> None:
        """Count a websocket connection attempt (admitted or refused) as a call of /hubs/<hub>:
        a client that reconnects in a storm shows here."""
        self.calls[f"/hubs/{hub}"] += 1

    def on_call(self, endpoint: str, account: Optional[int] = None,
                authorized: bool = True) -> Optional[Failure]:
        """Count a call (for `account`: the accountId of its body, if any); the failure to
        answer with, if one is armed or the rate limit is hit. A call its token does not
        authorize is never slow nor held (the gateway refuses it at once): an armed slow
        success is kept for the next authorized call."""
        self.calls[endpoint] += 1
        limiter = self.history_limiter if endpoint.startswith(HISTORY_PREFIX) else self.limiter
        failure = self._injected(endpoint, account, authorized) or limiter.check()
        if failure is not None and not failure.slow:
            self.failed[endpoint] += 1
        return failure

    def _injected(self, endpoint: str, account: Optional[int],
                  authorized: bool = True) -> Optional[Failure]:
        fault = self._armed.get(endpoint)
        if fault is None or fault.account not in (None, account):
            return None
        if not authorized and fault.status == 200 and fault.body is None:
            return None                     # a slow success waits for a call that is carried out
        fault.count -= 1
        if fault.count <= 0:
            del self._armed[endpoint]
        headers = {"Retry-After": str(math.ceil(fault.retry_after))} if fault.status == 429 else {}
        text = fault.body if fault.body is not None else f"simulated failure (HTTP {fault.status})"
        slow = fault.status == 200 and fault.body is None
        return Failure(fault.status, headers, text, fault.apply, fault.delay, slow,
                       slow and fault.hold)
