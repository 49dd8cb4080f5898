"""The words market shows when the broker refuses its session token or its login.

A refused token (HTTP 401 on a hub's connect: the token expired, riskd's login was used
elsewhere, the gateway restarted) is repaired by logging in again, at once. A refused login
(the broker answered Auth/loginKey with an error: user name, API key, no API subscription)
is not repaired by retrying: market waits a minute (LOGIN_RETRY) and says what to check. These texts are
the hubs' reasons (BrokerConnection.reason: `riskctl status --json`, the phone's alert) and
market's log lines (notify tells a refused login by LOGIN_REFUSED); they never carry the
token or the API key.
"""
from __future__ import annotations

from typing import Optional

from shared.projectx.errors import AuthError

LOGIN_ENDPOINT = "/api/Auth/loginKey"

TOKEN_REFUSED = "broker refused riskd's session token (HTTP 401): logging in again"
FRESH_TOKEN_REFUSED = ("broker refused riskd's session token (HTTP 401), a fresh one too: "
                       "logging in again after the backoff")
LOGIN_REFUSED = "broker refused riskd's login"      # how a refused login's reason starts


def login_refused(exc: Optional[BaseException]) -> bool:
    """True when the broker refused the login itself (not a network or server failure)."""
    return isinstance(exc, AuthError) and exc.endpoint == LOGIN_ENDPOINT


def login_refused_words(exc: AuthError) -> str:
    """'broker refused riskd's login: check [broker] user_name and api_key (why)'."""
    why = f" ({exc.message})" if exc.message else ""
    return f"{LOGIN_REFUSED}: check [broker] user_name and api_key{why}"


def relogin_failed_words(error: str) -> str:
    """The token was refused and the login to replace it failed for another reason (the
    broker down, a timeout): retried after the backoff."""
    return f"broker refused riskd's session token (HTTP 401); logging in again failed: {error}"
