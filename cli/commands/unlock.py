"""End an account's lockouts early (or only one symbol's, or only one rule's). Admin only.
Audited, with a reason (docs/rules.md, Lockouts).

Refused when [admin] allow_unlock = false: then lockouts end only on their timer, their
schedule or when the broker condition clears.
"""
from __future__ import annotations

from cli import accountarg, configfile
from cli.accountnames import namer
from cli.commands._risk_view import lockout_rows
from cli.session import os_user
from cli.unanswered import ACTION_WAIT_S
from shared.messages.risk import UnlockRequest

NAME = "unlock"


def add_arguments(parser) -> None:
    accountarg.add(parser)
    parser.add_argument("--symbol", default=None, help="only this symbol's lockout (e.g. MNQ)")
    parser.add_argument("--rule", default=None,
                        help="only the lockout this rule holds (e.g. cooldown_after_loss); the "
                             "others stay (docs/rules.md, Lockouts)")
    parser.add_argument("--reason", required=True, help="why (kept in the audit trail)")


def run(args, ctx) -> int:
    by = f"admin:{os_user()}"
    reply = ctx.request(UnlockRequest(account=args.account, reason=args.reason,
                                      symbol=args.symbol, rule=args.rule, by=by),
                        timeout=ACTION_WAIT_S, retries=0)
    print(reply.reason)
    ended = reply.body.lockouts
    if ended:
        print("ended:")
        print(lockout_rows(ended, ended=True, name=namer(ctx, with_broker=True), by=by,
                           tz=configfile.display_zone(ctx.config_path)))
    return 0
