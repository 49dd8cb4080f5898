"""The alert of a password changed or removed through riskctl on a running riskd.

Fresh-user trial 14b: a `riskctl config restore` of the backup `passwd admin --offline` made
(no admin password in it) removed the admin password of a running riskd; the only trace was a
supervisor WARNING log line, though it ended every admin session and left no admin login. A
password that reaches riskd by a file edit already alerts (health.file_edit_event); this is
the same security event through an admin command: who, by which command, what it ended, and
for a removed admin password what it leaves (nobody can log in as admin).
"""
from __future__ import annotations

from shared.config.restorewords import NO_ADMIN
from shared.messages.notify import NotifyEvent


def password_event(moves: dict[str, tuple[str, int]], who: str, reason: str,
                   ts_ns: int) -> NotifyEvent:
    """moves: role -> (how: 'removed', 'changed' or 'set'; sessions it ended). who: the
    requester ('admin:root'); reason: the reload's ('edit: restore 20261206T151721164512Z')."""
    said = [f"{role} password {how}" for role, (how, _n) in moves.items()]
    by = f" by {who}" if who else ""
    via = reason.removeprefix("edit: ")
    if via.endswith(".password_hash"):          # `riskctl passwd ROLE` sets that key
        via = f"`riskctl passwd {via.split('.')[0]}`"
    lines = [f"through riskctl ({via})" if via else "through riskctl"]
    for role, (_how, ended) in moves.items():
        if ended:
            lines.append(f"it ended {ended} {role} session{'s' if ended != 1 else ''}")
    if moves.get("admin", ("",))[0] == "removed":
        lines.append(f"riskd has no admin password now: {NO_ADMIN}")
    lines.append("If this was not you, someone has an admin session on riskd: see "
                 "docs/operations.md (Roles and passwords).")
    removed = any(how == "removed" for how, _n in moves.values())
    return NotifyEvent(kind="password_changed", severity="critical" if removed else "warning",
                       title="🔐 " + ", ".join(said) + by, lines=lines, ts_ns=ts_ns)
