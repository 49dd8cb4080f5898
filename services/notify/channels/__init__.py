"""Notification channels: one module per service, each with send(text, done) over requests.

A channel raises ChannelError (RateLimited for a 429) with a redacted, short reason; its
send() remembers, in the caller's `done` set, which destinations already accepted the
message so a retry does not repeat them. HttpChannel holds what every channel shares:
the session, the POST that turns transport errors into ChannelError, and 429 parsing.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Optional

from shared.networds import reach_words
from shared.redact import Redactor

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)


def _requests():
    """requests, imported on first use: a notify worker with no HTTP channel configured never
    loads it (about 9 MB of resident memory; docs/performance.md)."""
    import requests
    return requests


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


def short(text: Any, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


class HttpChannel:
    """Base of the HTTP channels: subclasses set name, service, max_text and write send()."""

    name = "channel"
    service = "the service"
    max_text = 2000
    buttons = False        # send() takes button_account (an inline "Lock me out" button)
    per_chat = False       # send() takes text_for (a text per destination, see visible())

    def __init__(self, cfg: Any, timeout: float, redactor: Redactor):
        self.cfg = cfg
        self.timeout = timeout
        self.redactor = redactor
        self.session = _requests().Session()

    def post(self, url: str, payload: dict, timeout: Optional[float]) -> requests.Response:
        try:
            return self.session.post(url, json=payload, timeout=timeout or self.timeout)
        except _requests().RequestException as exc:
            # the screens get words (shared/networds.py), the log the library's detail
            log.warning("notify: %s: no answer: %s", self.service, self.redactor.redact(
                f"{type(exc).__name__}: {short(exc, 600)}"))
            raise ChannelError(self.redactor.redact(reach_words(exc))) from None

    @staticmethod
    def json_body(resp: requests.Response) -> dict:
        try:
            body = resp.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}


    def rate_limited(self, resp: requests.Response, retry_after: Any, said: str) -> RateLimited:
        """The 429 error, retry_after from the body, else the Retry-After header."""
        if not isinstance(retry_after, (int, float)) or isinstance(retry_after, bool):
            try:
                retry_after = float(resp.headers.get("Retry-After", ""))
            except ValueError:
                retry_after = None
        return RateLimited(f"{self.service} 429: {said}", 429,
                           float(retry_after) if retry_after is not None else None)
