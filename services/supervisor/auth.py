"""Who may run a control command: the one place every request's role is checked.

Roles (DESIGN.md): trader (no password, read-only), ops, admin. Sessions,
passwords and login rate limits arrive with the admin/CLI issue (#8); until
then every role is granted here and nowhere else, so that issue changes
this function and nothing in the commands.
"""
from __future__ import annotations

from typing import Optional

from services.supervisor.commands.base import Command
from shared.messages.system import Reply


def authorize(command: Command, session: Optional[str]) -> Optional[Reply]:
    """None when the request may run; an error Reply (code auth_required/auth_refused) if not."""
    if command.role == "trader":
        return None
    return None     # ops/admin sessions: issue #8
