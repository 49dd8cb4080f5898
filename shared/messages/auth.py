"""Auth messages: log in for an ops/admin session, log out, and why a command was refused.

Passwords and session tokens are secrets: they are left out of repr, never logged and never
shown, not even in part.
"""
from __future__ import annotations

from typing import Optional

import attrs

ROLES = ("trader", "ops", "admin")


@attrs.frozen(kw_only=True)
class LoginRequest:
    """Trade the ops or admin password for a session token that expires."""
    role: str
    password: str = attrs.field(repr=False)
    user: str = ""             # the OS user running riskctl, for the audit trail


@attrs.frozen(kw_only=True)
class LoginReply:
    role: str
    token: str = attrs.field(repr=False)
    expires_ns: int
    user: str = ""
    riskd_since_ns: Optional[int] = None   # when the riskd that issued it started: riskctl
                                           # tells a cached session of an earlier riskd by it


@attrs.frozen(kw_only=True)
class LogoutRequest:
    """End a session (no-op when it is unknown or already expired)."""
    token: str = attrs.field(default="", repr=False)


@attrs.frozen(kw_only=True)
class AuthNeeded:
    """The body of an auth_required / auth_refused / session_expired / auth_locked reply."""
    role: str                          # the role the command needs
    locked_until_ns: Optional[int] = None
    expired_ns: Optional[int] = None   # session_expired: when the session ran out
    login_as: Optional[str] = None     # the role whose login serves it ('' none yet: no
                                       # password set; None: riskd did not say, use role)
    riskd_since_ns: Optional[int] = None   # when this riskd started (None: it did not say):
                                           # a cached session issued before is not its own


@attrs.frozen(kw_only=True)
class WhoAmIRequest:
    """The role and expiry of a session token (trader when it is not valid)."""
    token: str = attrs.field(default="", repr=False)


@attrs.frozen(kw_only=True)
class WhoAmI:
    role: str                          # trader when there is no valid session
    expires_ns: Optional[int] = None
    user: str = ""
    passwords_set: Optional[list[str]] = None   # the roles that have a password (riskctl login
                                                # asks for none that does not exist); None:
                                                # riskd did not say
    ended: str = ""                    # the token's session was ended early: riskd's words of
                                       # why and when (riskctl says it instead of "expired at")


ALL = (LoginRequest, LoginReply, LogoutRequest, AuthNeeded, WhoAmIRequest, WhoAmI)
