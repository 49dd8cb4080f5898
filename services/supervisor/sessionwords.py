"""What riskd says about a session that ended early: to the one whose command it refuses, and
in the answer of the change that ended it (a password change ends its role's sessions).

Never a guess: the words come from services/supervisor/sessions.Ended (whose, why, when).
"""
from __future__ import annotations

import datetime as dt

from services.supervisor.sessions import Ended
from shared import showtime


def ended_text(ended: Ended, tz: dt.tzinfo, now_ns: int) -> str:
    """'your admin session ended when the admin password was changed at 03:05:12 CST: log in
    again' (the moment cut to its second, as every past moment is shown). A password removed
    leaves nothing to log in with: no 'log in again' then (the refusal's hint says what
    works)."""
    text = (f"your {ended.role} session ended when {ended.why} at "
            f"{showtime.start(ended.ended_ns, tz, now_ns)}")
    return text if ended.why.endswith("password was removed") else text + ": log in again"


def ended_note(ended: list[Ended], password: str = "the new password", then: str = "") -> str:
    """What a password change did to the open sessions, for the change's answer: 'it ended
    2 admin sessions (root, ana): log in again with the new password' ('' when none).
    password: which one to log in with. then: what to do instead of 'log in again with ...'
    (a config restore: 'log in again with the restored file's password', or that the
    restored file has no admin password and no one can log in as admin: trial 14b)."""
    if not ended:
        return ""
    parts = []
    for role in sorted({e.role for e in ended}):
        users = [e.user or "unknown user" for e in ended if e.role == role]
        n = len(users)
        parts.append(f"{n} {role} session{'s' if n != 1 else ''} "
                     f"({', '.join(dict.fromkeys(users))})")
    return f"it ended {' and '.join(parts)}: " + (then or f"log in again with {password}")
