"""What a `riskctl config restore` changes, in its answer: every value it puts back (as the audit
trail records it: a secret named, never shown) and, when a password is among them, which
password is in force now.

Fresh-user trial 13b: after `riskctl passwd admin`, restoring a backup from before it answered
"saved (applied live); it ended 1 admin session (root): log in again with the new password";
the restore had put the OLD password back (the new one was refused) and the answer listed no
change, while the audit had "changes=admin.password_hash: secret changed".
"""
from __future__ import annotations

from typing import Iterable

ROLES = ("admin", "ops")


def password_roles(changes: Iterable[str]) -> list[str]:
    """The roles whose password a change list touches ('admin.password_hash: secret changed')."""
    changes = list(changes)
    return [r for r in ROLES if any(c.startswith(f"{r}.password_hash") for c in changes)]


def restore_lines(changes: Iterable[str]) -> list[str]:
    """The lines under a restore's answer: what it changed, then the password in force."""
    changes = list(changes)
    if not changes:
        return ["  it changed nothing: the backup holds the settings already in force"]
    lines = ["  it changed:"] + [f"    {c}" for c in changes]
    for role in password_roles(changes):
        lines.append(f"  the {role} password is now the one in the restored file (the one in "
                     f"force when that backup was saved), not the one set since")
    return lines


def session_words(changes: Iterable[str]) -> str:
    """How the ended-sessions note names the password to log in with after a restore."""
    roles = password_roles(changes)
    return ("the restored file's password" if len(roles) == 1 else "the restored file's passwords") \
        if roles else ""
