"""Lock your own account: flatten now and block trading until a time or the end of the day.

No password (it only adds protection); only an admin can end it early. The time is '30m',
'2h', '15:30' (the next 15:30 local) or an ISO 8601 time; --session locks until the
trading-day roll.
"""
from __future__ import annotations

from cli.commands._risk_view import lockout_rows, parse_when
from cli.errors import CliError
from cli.session import os_user
from shared.messages.risk import SelfLockRequest

NAME = "lockout"


def add_arguments(parser) -> None:
    parser.add_argument("account", help="the account's id or name")
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--until", metavar="TIME", help="30m, 2h, 15:30 or an ISO time")
    when.add_argument("--session", action="store_true",
                      help="until the trading-day roll (the rest of the day)")
    parser.add_argument("--reason", default="", help="why (shown in history and alerts)")


def run(args, ctx) -> int:
    until = None if args.session else parse_when(args.until)
    request = SelfLockRequest(account=args.account, until_ns=until, session=args.session,
                              reason=args.reason or f"self-lockout by {os_user()}",
                              by=f"trader:{os_user()}")
    reply = ctx.request(request, retries=0)
    if not reply.body.lockouts:
        raise CliError("risk did not report the lockout")
    print(reply.reason)
    print(lockout_rows(reply.body.lockouts))
    return 0
