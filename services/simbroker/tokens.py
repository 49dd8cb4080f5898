"""Session tokens for the sim's REST API and hubs: JWT-shaped, HMAC-signed, with an expiry.

Pure apart from the secret it is given. A token is
base64url(header).base64url(claims).base64url(hmac-sha256), claims {sub, iat,
exp, jti} (exp in JWT seconds since the epoch, with millisecond fractions);
check() tells a valid token from a bad or an expired one; a token it found valid is
remembered (its claims by its text), so the next call with it costs a dict look-up, not an
HMAC and a JSON decode: every REST call and hub connection checks one (round 15,
docs/performance.md).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
from typing import Optional

import attrs

from shared.clock import NS_PER_S, Clock

MAX_REMEMBERED = 1024        # valid tokens remembered; each login issues one


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@attrs.frozen
class Claims:
    user: str
    expires_ns: int


class Tokens:
    """Issues and checks tokens that last ttl seconds."""

    HEADER = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())

    def __init__(self, secret: bytes, clock: Clock, ttl: float):
        self.secret = secret
        self.clock = clock
        self.ttl = ttl
        self._serial = itertools.count(1)
        self._revoked: set[str] = set()          # signatures of logged-out tokens
        self._valid: dict[str, Claims] = {}      # token text -> its claims, once checked

    def issue(self, user: str) -> str:
        now = self.clock.now_ns()
        expires = now + int(self.ttl * NS_PER_S)
        claims = {"sub": user, "iat": now // NS_PER_S, "exp": round(expires / NS_PER_S, 3),
                  "jti": next(self._serial)}
        body = f"{self.HEADER}.{_b64(json.dumps(claims, separators=(',', ':')).encode())}"
        return f"{body}.{self._sign(body)}"

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self.secret, body.encode(), hashlib.sha256).digest())

    def check(self, token: Optional[str]) -> tuple[Optional[Claims], str]:
        """(claims, "") for a valid token, else (None, "invalid token" | "token expired")."""
        known = self._valid.get(token) if token else None
        if known is not None:
            if self.clock.now_ns() >= known.expires_ns:
                self._valid.pop(token, None)
                return None, "token expired"
            return known, ""
        if not token or token.count(".") != 2:
            return None, "invalid token"
        body, _, signature = token.rpartition(".")
        if not hmac.compare_digest(signature, self._sign(body)) or signature in self._revoked:
            return None, "invalid token"
        try:
            claims = json.loads(_unb64(body.split(".")[1]))
            user, exp = str(claims["sub"]), int(float(claims["exp"]) * NS_PER_S)
        except (ValueError, KeyError, TypeError):
            return None, "invalid token"
        if self.clock.now_ns() >= exp:
            return None, "token expired"
        claims = Claims(user=user, expires_ns=exp)
        if len(self._valid) >= MAX_REMEMBERED:
            self._valid.clear()                  # a login storm: forget, check again
        self._valid[token] = claims
        return claims, ""


    def revoke(self, token: Optional[str]) -> None:
        """Auth/logout: this token is refused from now on."""
        if token and token.count(".") == 2:
            self._revoked.add(token.rpartition(".")[2])
            self._valid.pop(token, None)


def bearer(header: Optional[str]) -> Optional[str]:
    """'Bearer abc' -> 'abc' (None when the header is missing or not a bearer token)."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None
