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
    again' (the moment cut to its second, as every past moment is shown)."""
    return (f"your {ended.role} session ended when {ended.why} at "
            f"{showtime.start(ended.ended_ns, tz, now_ns)}: log in again")


def ended_note(ended: list[Ended], password: str = "the new password") -> str:
    """What a password change did to the open sessions, for the change's answer: 'it ended
    2 admin sessions (root, ana): log in again with the new password' ('' when none).
    password: which one to log in with ('the restored file's password' after a config restore,
    which puts an older password back)."""
    if not ended:
        return ""
    parts = []
    for role in sorted({e.role for e in ended}):
        users = [e.user or "unknown user" for e in ended if e.role == role]
        n = len(users)
        parts.append(f"{n} {role} session{'s' if n != 1 else ''} "
                     f"({', '.join(dict.fromkeys(users))})")
    return f"it ended {' and '.join(parts)}: log in again with {password}"
