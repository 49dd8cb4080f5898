"""Notification channels: one module per service, each with send(text, done) over requests.

A channel raises ChannelError (RateLimited for a 429) with a redacted, short reason; its
send() remembers, in the caller's `done` set, which destinations already accepted the
message so a retry does not repeat them.
"""
from __future__ import annotations

from typing import Optional


class ChannelError(Exception):
    """A delivery that did not go through: HTTP status (None: no answer) and what was said."""

    def __init__(self, reason: str, status: Optional[int] = None,
                 retry_after: Optional[float] = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


class RateLimited(ChannelError):
    """HTTP 429: the service said how long to wait (retry_after seconds)."""


def short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def retry_after_header(resp) -> Optional[float]:
    """Seconds from a Retry-After header, None when absent or not a number."""
    try:
        return float(resp.headers.get("Retry-After", ""))
    except ValueError:
        return None
