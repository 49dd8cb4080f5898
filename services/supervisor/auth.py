"""Who may run a control command: the one place every request's role is checked.

Roles (DESIGN.md): trader (no password, read-only), ops, admin. Trader
commands need nothing; ops commands need an ops or admin session; admin
commands need an admin session (services/supervisor/sessions.py). A refusal
is a Reply whose code riskctl turns into exit 3: auth_required (no session
sent), auth_refused (a valid session of too weak a role), session_expired
(expired, or unknown to this riskd: it restarted or the session was ended).
"""
from __future__ import annotations

import time
from typing import Optional

from services.supervisor.commands.base import Command
from services.supervisor.sessions import GRANTS, Sessions
from shared.messages.auth import AuthNeeded
from shared.messages.system import Reply, error


def login_hint(role: str) -> str:
    return f"run riskctl login --role {role}"


def clock_time(ts_ns: Optional[int]) -> str:
    """18:56 in this machine's local time (riskctl runs beside riskd)."""
    if ts_ns is None:
        return "an unknown time"
    return time.strftime("%H:%M", time.localtime(ts_ns / 1e9))


def authorize(command: Command, token: Optional[str], sessions: Sessions) -> Optional[Reply]:
    """None when the request may run; an error Reply (auth_required/auth_refused/...) if not."""
    role = command.role
    if role == "trader":
        return None
    needed = AuthNeeded(role=role)
    article = "an" if role[0] in "aeiou" else "a"
    check = sessions.check(token)
    if check.code == "auth_required":
        return error("auth_required", f"{command.name} needs {article} {role} session: "
                     f"{login_hint(role)}", needed)
    if check.code == "session_expired":
        return error("session_expired", f"your session expired at "
                     f"{clock_time(check.expired_ns)}; {command.name} needs {article} {role} "
                     f"session: {login_hint(role)}",
                     AuthNeeded(role=role, expired_ns=check.expired_ns))
    if check.session is None:         # riskd restarted, or the session was ended: same to a user
        return error("session_expired", f"your session is no longer valid (riskd restarted or "
                     f"it was ended); {command.name} needs {article} {role} session: "
                     f"{login_hint(role)}", needed)
    if check.session.role not in GRANTS[role]:
        return error("auth_refused", f"{command.name} needs {article} {role} session, you have "
                     f"an {check.session.role} session: {login_hint(role)}", needed)
    return None
