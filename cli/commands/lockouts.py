"""Show active lockouts: scope, kind, when each ends, which rule set it and why.

Times are in the display zone (docs/operations.md, Times and time zones)."""
from __future__ import annotations

from cli import configfile
from cli.accountnames import namer
from cli.commands._risk_view import lockout_rows
from shared.messages.risk import LockoutsRequest

NAME = "lockouts"
READ = True


def add_arguments(parser) -> None:
    parser.add_argument("--account", metavar="A", default="",
                        help="only this account (its id or name)")


def run(args, ctx) -> int:
    lockouts = ctx.request(LockoutsRequest(account=args.account or "")).body.lockouts
    if ctx.json:
        ctx.print_json({"lockouts": lockouts})
    elif not lockouts:
        print("no active lockouts")
    else:
        print(lockout_rows(lockouts, tz=configfile.display_zone(ctx.config_path),
                           name=namer(ctx, with_broker=True)))
    return 0
