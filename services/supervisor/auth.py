"""Who may run a control command: the one place every request's role is checked.

Roles (DESIGN.md): trader (no password, read-only), ops, admin. Trader
commands need nothing; ops commands need an ops or admin session; admin
commands need an admin session (services/supervisor/sessions.py). A refusal
is a Reply whose code riskctl turns into exit 3: auth_required (no session
sent), auth_refused (a valid session of too weak a role), session_expired
(expired; ended early, and the refusal says why and when: its password changed, a logout; or
unknown to this riskd, which then says when it started: a restart ends every session).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from services.supervisor.commands.base import Command
from services.supervisor.sessions import GRANTS, Sessions
from services.supervisor.sessionwords import ended_text
from shared import showtime
from shared.config.access import login_hint, login_role
from shared.messages.auth import AuthNeeded
from shared.messages.system import Reply, error


def clock_time(ts_ns: Optional[int], tz: dt.tzinfo, now_ns: int) -> str:
    """'Fri 18:56 CST' (the display zone, with its day: shared/showtime.py)."""
    if ts_ns is None:
        return "an unknown time"
    return showtime.at(ts_ns, tz, now_ns)


def authorize(command: Command, token: Optional[str], sessions: Sessions,
              config: Any = None) -> Optional[Reply]:
    """None when the request may run; an error Reply (auth_required/auth_refused/...) if not.
    With the running config the hint names the login that works for it (admin when no ops
    password is set) and times are in its display zone."""
    role = command.role
    if role == "trader":
        return None
    login_as = role if config is None else login_role(
        role, bool(config.ops.password_hash), bool(config.admin.password_hash))
    tz = showtime.zone_of(config) if config is not None else dt.timezone.utc
    since = sessions.since_ns         # riskctl tells a cached session of an earlier riskd by it
    check = sessions.check(token)
    if check.session is not None and check.session.role in GRANTS[role]:
        return None
    now_ns = sessions.clock.now_ns()
    locked_note, locked_until = login_locked(sessions, login_as, tz, now_ns)
    needed = AuthNeeded(role=role, login_as=login_as, riskd_since_ns=since,
                        locked_until_ns=locked_until)
    hint = login_hint(role, login_as) + locked_note
    article = "an" if role[0] in "aeiou" else "a"
    if check.code == "auth_required":
        return error("auth_required", f"{command.said} needs {article} {role} session: "
                     f"{hint}", needed)
    if check.ended is not None:
        return error("session_expired", f"{ended_text(check.ended, tz, now_ns)}; "
                     f"{command.said} needs {article} {role} session: {hint}", needed)
    if check.code == "session_expired":
        return error("session_expired", f"your session expired at "
                     f"{clock_time(check.expired_ns, tz, now_ns)}; "
                     f"{command.said} needs {article} {role} session: {hint}",
                     AuthNeeded(role=role, expired_ns=check.expired_ns, login_as=login_as,
                                riskd_since_ns=since, locked_until_ns=locked_until))
    if check.session is None:         # not issued by this riskd: one before it did
        return error("session_expired", f"your session is not one this riskd issued (it runs "
                     f"since {showtime.start(sessions.since_ns, tz, now_ns)}; sessions live in "
                     f"its memory, so a restart ends them); {command.said} needs {article} "
                     f"{role} session: {hint}", needed)
    if check.session.role not in GRANTS[role]:
        return error("auth_refused", f"{command.said} needs {article} {role} session, you have "
                     f"an {check.session.role} session: {hint}", needed)
    return None


def login_locked(sessions: Sessions, role: Optional[str], tz, now_ns: int
                 ) -> tuple[str, Optional[int]]:
    """('; but admin logins are locked until ... ', until) when the login a refusal points to
    is locked now (too many wrong passwords: services/supervisor/commands/login.py), else
    ('', None). Trial 21a section 6: a restart ended the admin's session while admin logins
    were locked, and the refusal only said "log in again", which was refused."""
    limiter = getattr(sessions, "limiter", None)
    held = limiter.locked_any(role) if limiter is not None and role else None
    if held is None:
        return "", None
    until, client = held
    return (f"; but {role} logins are locked until {clock_time(until, tz, now_ns)} (too many "
            f"failed {role} logins from {client or 'an unknown user'}): `riskctl login` is "
            f"refused until then (docs/operations.md, Roles and passwords)"), until
