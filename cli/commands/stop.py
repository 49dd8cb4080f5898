"""Stop one worker; it stays stopped until someone starts it.

market, risk and enforcement protect the accounts: while one of them is
stopped nothing is guarded, and the answer and an alert to the phone say so
(docs/operations.md). Stopping one while accounts have open positions or
working orders asks for confirmation first (--yes skips the question; without a terminal
riskctl refuses unless --yes is given).
"""
from __future__ import annotations

import sys

from cli import session as session_cache
from cli.commands._worker_action import ACTION_TIMEOUT, add_name, print_outcome, run_action
from cli.errors import CliError
from shared.messages.control import StopWorker

NAME = "stop"
ROLE = "admin"


def add_arguments(parser) -> None:
    add_name(parser)
    parser.add_argument("--yes", action="store_true",
                        help="stop a guarding worker even while accounts have open positions")


def confirm(question: str) -> bool:
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:                   # ctrl-D, or no input: the default, no
        print(file=sys.stderr)
        return False
    return answer.strip().lower() in ("y", "yes")


def run(args, ctx) -> int:
    if not args.yes:
        first = ctx.request(StopWorker(name=args.name, reason=args.reason), timeout=ACTION_TIMEOUT, retries=0,
                            tolerate=("confirm_needed",))
        if first.ok:
            return print_outcome(ctx, first)
        if not session_cache.interactive():
            raise CliError(f"{first.reason}. Re-run with --yes to stop it anyway.")
        if not confirm(f"{first.reason}. Stop {args.name} anyway?"):
            print(f"{args.name} left running")
            return 1
    return run_action(ctx, StopWorker(name=args.name, confirmed=True, reason=args.reason))
