"""Log in as ops or admin: trade the role's password for a session that expires.

The password is typed without echo (or read from stdin with --password-stdin, for scripts).
The session token is cached for this riskd in your config directory (~/.config/riskd, or
$RISKD_SESSION_DIR), readable only by you, and used by every following command until it
expires (default 15 minutes, [admin]/[ops] session_minutes) or you run `riskctl logout`. The
answer says the role and when the session ends (in the display zone); the token itself is
never shown, not even in part. A login of another role replaces the session riskctl had
cached and says so ("your admin session is replaced by this ops session"); riskd ends the
replaced session too. Five failed logins within a minute lock logins for five minutes. A
role with no password set is refused before any prompt, with the steps to set one.
"""
from __future__ import annotations

import time

from cli import configfile
from cli import session as session_cache
from cli.errors import EXIT_AUTH, CliError
from cli.table import fmt_duration
from shared import showtime
from shared.config.access import no_password_hint
from shared.messages.auth import LogoutRequest, WhoAmI, WhoAmIRequest

NAME = "login"


def add_arguments(parser) -> None:
    parser.add_argument("--role", choices=("ops", "admin"), default="admin",
                        help="the role to log in as (default admin)")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of stdin (for scripts)")


def run(args, ctx) -> int:
    if not args.password_stdin:
        missing = no_password(ctx, args.role)
        if missing:
            # never ask for a password that does not exist; riskd still refuses the login
            # itself, so this refusal is in the audit trail like every login attempt (trial
            # 2026-12-05: it was missing from `riskctl audit`)
            ctx.login(args.role, "")
            raise CliError(missing, EXIT_AUTH)
    password = session_cache.read_password(args.role, from_stdin=args.password_stdin)
    before = session_cache.load(ctx.control_address)      # the one this login replaces
    reply = ctx.login(args.role, password)
    if before is not None and not session_cache.issued_by(before, reply.riskd_since_ns):
        before = None            # an earlier riskd's: nothing of this riskd's is replaced
    print(login_line(reply, configfile.display_zone(ctx.config_path), time.time_ns()))
    ended = end_replaced(ctx, before)
    note = replaced_note(before, reply.role)
    if note:
        print(note if ended else f"{note}; riskd could not end the old session, it runs out "
                                 f"by itself")
    return 0


def end_replaced(ctx, before) -> bool:
    """End the session this login replaced at riskd too: riskctl forgets its token, so left
    alive it would stay valid there until it ran out, unseen (trial 2026-12-06: `passwd
    admin` 'ended 2 admin sessions', one of them the session a login had 'replaced').
    True when there was none or riskd ended it."""
    if before is None:
        return True
    try:
        return ctx.call(LogoutRequest(token=before.token), retries=0).ok
    except CliError:
        return False


def replaced_note(before, role: str) -> str:
    """riskctl keeps one session per riskd: a login of another role replaces the cached one,
    and says so ('' when there was none, or it was of the same role)."""
    if before is None or before.role == role:
        return ""
    note = (f"your {before.role} session is replaced by this {role} session and ended (riskctl "
            f"keeps one per riskd)")
    if role == "admin":
        # an admin session serves ops commands too (fresh-user trial: the hint "log in as ops
        # again for ops commands" sent an admin back to a login it did not need)
        return f"{note}; this admin session serves ops commands too"
    return f"{note}: log in as {before.role} again for {before.role} commands"


def no_password(ctx, role: str) -> str:
    """Why ROLE cannot log in when riskd says it has no password (the words of the refused
    login, shared/config/access.py), else ''."""
    reply = ctx.call(WhoAmIRequest())
    told = reply.body.passwords_set if reply.ok and isinstance(reply.body, WhoAmI) else None
    if told is None or role in told:          # an older riskd says nothing: ask as before
        return ""
    hint = no_password_hint(role, "admin" in told)
    return f"{hint} [auth_refused]" if ctx.json else hint      # the code for scripts only


def login_line(reply, tz, now_ns: int) -> str:
    """'logged in as admin until 03:19 CST (in 15m00s)': the role and the end, never the
    token."""
    left = max(0.0, (reply.expires_ns - now_ns) / 1e9)
    return (f"logged in as {reply.role} until {showtime.at(reply.expires_ns, tz, now_ns)} "
            f"(in {fmt_duration(left)})")
