"""Log in as ops or admin: trade the role's password for a session that expires.

The password is typed without echo (or read from stdin with --password-stdin,
for scripts). The session token is cached for this riskd in your config
directory (~/.config/riskd, or $RISKD_SESSION_DIR), readable only by you, and
used by every following command until it expires (default 15 minutes,
[admin]/[ops] session_minutes) or you run `riskctl logout`.
Five failed logins within a minute lock logins for five minutes.
"""
from __future__ import annotations

import datetime as dt

from cli import session as session_cache

NAME = "login"


def add_arguments(parser) -> None:
    parser.add_argument("--role", choices=("ops", "admin"), default="admin",
                        help="the role to log in as (default admin)")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of stdin (for scripts)")


def run(args, ctx) -> int:
    password = session_cache.read_password(args.role, from_stdin=args.password_stdin)
    reply = ctx.login(args.role, password)
    until = dt.datetime.fromtimestamp(reply.expires_ns / 1e9).astimezone()
    print(f"logged in as {reply.role} until {until:%H:%M:%S %Z} "
          f"(session {session_cache.masked(reply.token)})")
    return 0
