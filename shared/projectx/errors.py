"""Errors of the ProjectX client: every failure says which endpoint, what code and why."""
from __future__ import annotations

from typing import Optional
from shared.plural import plural


class ParseError(ValueError):
    """A broker payload that does not fit the model; the message names the field."""


class ProjectXError(Exception):
    """The broker answered `success: false` (or refused the call): code, message, endpoint."""

    def __init__(self, code: int, message: str, endpoint: str):
        self.code, self.message, self.endpoint = code, message or "", endpoint
        text = f"{endpoint} failed with error code {code}"
        super().__init__(f"{text}: {self.message}" if self.message else text)


class AuthError(ProjectXError):
    """Login or token renewal failed (bad credentials, no API subscription, expired token)."""


class BrokerUnavailable(Exception):
    """Every bounded retry of a call failed (timeouts, connection errors, 5xx or 429).
    status: the HTTP status the broker answered the last attempt with (5xx, 429), None when
    no answer came (a timeout, a connection that failed or dropped)."""

    def __init__(self, endpoint: str, attempts: int, last: str, status: Optional[int] = None):
        self.endpoint, self.attempts, self.last = endpoint, attempts, last
        self.status = status
        super().__init__(f"{endpoint}: the broker did not answer successfully after "
                         f"{plural(attempts, 'call')} (last: {last})")


class RateBudgetExhausted(Exception):
    """The local rate budget has no call left within the allowed wait."""

    def __init__(self, endpoint: str, wait: float):
        self.endpoint, self.wait = endpoint, wait
        super().__init__(f"{endpoint}: the rate budget of the broker login is used up "
                         f"(next call possible in {wait:.1f} s)")


class RetryableStatus(Exception):
    """An HTTP status worth retrying (5xx, 429); carries Retry-After when the broker sent one."""

    def __init__(self, endpoint: str, status: int, retry_after: Optional[float] = None):
        self.endpoint, self.status, self.retry_after = endpoint, status, retry_after
        super().__init__(f"{endpoint} answered HTTP {status}"
                         + (f" (retry after {retry_after:g} s)" if retry_after is not None else ""))


class TlsError(BrokerUnavailable):
    """The broker's certificate failed verification: riskd never talks to it unverified."""

    def __init__(self, endpoint: str, url: str, reason: str):
        self.url, self.reason = url, reason
        Exception.__init__(self, tls_message(url, reason))
        self.endpoint, self.attempts, self.last = endpoint, 1, reason
        self.status = None


def tls_message(url: str, reason: str) -> str:
    """The one wording of a failed certificate check (REST and hubs)."""
    return (f"TLS certificate verification failed for {url}: {reason}. riskd never skips "
            f"verification; if a corporate proxy or a private CA (the sim's "
            f"<data_dir>/sim-tls/ca.pem) signs this certificate, set broker.ca_bundle to that "
            f"CA's PEM file (docs/simbroker.md, 'TLS')")
