"""End your ops/admin session: riskd forgets the token and the cached file is removed."""
from __future__ import annotations

from cli import session as session_cache
from cli.errors import CliError
from shared.messages.auth import LogoutRequest

NAME = "logout"


def add_arguments(parser) -> None:
    pass


def run(args, ctx) -> int:
    cached = session_cache.load(ctx.control_address)
    if cached is None:
        session_cache.clear(ctx.control_address)
        print("not logged in")
        return 0
    session_cache.clear(ctx.control_address)         # gone locally even when riskd is down
    try:
        note = ctx.call(LogoutRequest(token=cached.token), retries=0).reason
    except CliError as exc:
        note = f"the cached session is removed, but riskd could not end it: {exc}"
    print(f"logged out ({cached.role}): {note}")
    return 0
