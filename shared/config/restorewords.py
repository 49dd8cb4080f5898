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


def password_moves(changes: Iterable[str]) -> dict[str, str]:
    """role -> 'removed', 'changed' or 'set': what a change list does to each role's password
    (the audit's masked words, 'admin.password_hash: secret removed')."""
    moves = {}
    for change in changes:
        for role in ROLES:
            if change.startswith(f"{role}.password_hash: secret "):
                moves[role] = change.rsplit(" ", 1)[-1]
    return moves


NO_ADMIN = ("no one can log in as admin (no unlock, flatten, shutdown or config edit through "
            "riskctl) until riskd is stopped and `riskctl passwd admin --offline` is run "
            "(docs/operations.md, \"Roles and passwords\")")


def _gone_words(role: str) -> str:
    """What a role with no password means (trial 14b: a restore left riskd with no admin)."""
    if role == "admin":
        return NO_ADMIN
    return "no one can log in as ops (an admin can set it again: `riskctl passwd ops`)"


def login_warning(changes: Iterable[str]) -> tuple[str, str]:
    """(the question, the confirmed line) of a restore that changes who can log in: it removes
    a password, or puts an older one back; ('', '') when it touches no password. Trial 14b: a
    restore of the backup `passwd admin --offline` made (no password in it) removed the admin
    password of a running riskd with no question, leaving no admin login."""
    moves = password_moves(changes)
    asks, done = [], []
    for role, how in moves.items():
        if how == "removed":
            asks.append(f"it would remove the {role} password (the restored file has none): "
                        f"every {role} session ends and {_gone_words(role)}")
            done.append(f"the {role} password removed")
        else:
            asks.append(f"it would {'put back' if how == 'changed' else 'set'} the {role} "
                        f"password of the restored file (the one in force when that backup "
                        f"was saved), not the one in force now: every {role} session ends and "
                        f"only who knows that password can log in as {role}")
            done.append(f"the {role} password {'put back' if how == 'changed' else 'set'} "
                        f"from the restored file")
    if not asks:
        return "", ""
    return ("WARNING: " + "; ".join(asks),
            "confirmed by the admin: " + ", ".join(done))


def restore_lines(changes: Iterable[str]) -> list[str]:
    """The lines under a restore's answer: what it changed, then the password in force."""
    changes = list(changes)
    if not changes:
        return ["  it changed nothing: the backup holds the settings already in force"]
    lines = ["  it changed:"] + [f"    {c}" for c in changes]
    for role, how in password_moves(changes).items():
        if how == "removed":
            lines.append(f"  the restored file has no {role} password: {_gone_words(role)}")
        else:
            lines.append(f"  the {role} password is now the one in the restored file (the one "
                         f"in force when that backup was saved), not the one set since")
    return lines


def session_words(changes: Iterable[str]) -> str:
    """How the ended-sessions note says what to do after a restore: 'log in again with the
    restored file's password', or, when the restored file has no password for the role, that
    no one can log in as it ('' when no password changed)."""
    moves = password_moves(changes)
    kept = [r for r, how in moves.items() if how != "removed"]
    parts = []
    if kept:
        parts.append("log in again with the restored file's password"
                     + ("s" if len(kept) > 1 else "")
                     + (f" ({kept[0]})" if len(moves) > 1 else ""))
    for role in (r for r, how in moves.items() if how == "removed"):
        parts.append(f"no one can log in as {role} now: the restored file has no {role} "
                     f"password (what to do: below)")
    return "; ".join(parts)
