"""Bounded retries of one call: what riskd used tenacity's Retrying for, without importing it.

tenacity cost each process that imported it (market, enforcement, notify) 0.3-0.9 MB for one
loop (docs/performance.md, "Memory"). This is that loop with tenacity's order kept (9.x): try;
on an exception `retry_if` refuses, raise it at once; else ask `wait` how long to wait (also
after the last try: a wait may note something, as notify's notes a rate limit's Retry-After);
after `attempts` tries raise the last exception as it was; else `sleep` and try again.
"""
from __future__ import annotations

from typing import Any, Callable


class BoundedTries:
    """Calls fn up to `attempts` times; `attempt_number` is the number of tries of the last
    call (tenacity's statistics["attempt_number"])."""

    def __init__(self, attempts: int, retry_if: Callable[[BaseException], bool],
                 wait: Callable[[int, BaseException], float], sleep: Callable[[float], None]):
        self.attempts, self.retry_if, self.wait, self.sleep = attempts, retry_if, wait, sleep
        self.attempt_number = 0

    def __call__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        self.attempt_number = 0
        while True:
            self.attempt_number += 1
            try:
                return fn(*args, **kwargs)
            except BaseException as exc:      # noqa: BLE001 -- retry_if decides; re-raised
                if not self.retry_if(exc):
                    raise
                delay = self.wait(self.attempt_number, exc)
                if self.attempt_number >= self.attempts:
                    raise
            self.sleep(delay)
