"""Notification channels: one module per service, each with send(text, done) over requests.

A channel raises ChannelError (RateLimited for a 429) with a redacted, short reason; its
send() remembers, in the caller's `done` set, which destinations already accepted the
message so a retry does not repeat them. HttpChannel holds what every channel shares:
the session, the POST that turns transport errors into ChannelError, and 429 parsing.
"""
from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Optional

from shared.networds import reach_words
from shared.plural import plural
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
        self.down_since: Optional[float] = None     # monotonic: the outage's first failed call
        self.down_calls = 0                          # failed calls in this outage

    def post(self, url: str, payload: dict, timeout: Optional[float]) -> requests.Response:
        try:
            resp = self.session.post(url, json=payload, timeout=timeout or self.timeout)
        except _requests().RequestException as exc:
            words = self.redactor.redact(reach_words(exc))
            self._unreachable(words, exc)
            raise ChannelError(words) from None
        self._answered()
        return resp

    def _unreachable(self, words: str, exc: BaseException) -> None:
        """One WARNING per outage, in riskd's words (fresh-user trial 13b: 26 raw urllib3
        "HTTPSConnectionPool(...) Max retries exceeded" warnings in 80 s while Telegram was
        unreachable); the library's detail (token masked) once at INFO for whoever digs,
        then at DEBUG for every failed call."""
        detail = self.redactor.redact(f"{type(exc).__name__}: {short(exc, 600)}")
        self.down_calls += 1
        if self.down_since is not None:
            log.debug("notify: %s: no answer: %s", self.service, detail)
            return
        self.down_since = time.monotonic()
        log.warning("notify: %s: %s; riskd keeps retrying (docs/alerts.md) and says here "
                    "once when %s answers again", self.service, words, self.service)
        log.info("notify: %s: no answer, the library said: %s", self.service, detail)

    def _answered(self) -> None:
        if self.down_since is None:
            return
        log.warning("notify: %s answers again, after %s over %.0f s", self.service,
                    plural(self.down_calls, "failed call"), time.monotonic() - self.down_since)
        self.down_since, self.down_calls = None, 0

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
