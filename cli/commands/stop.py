"""Stop one worker; it stays stopped until someone starts it.

market, risk and enforcement protect the accounts: while one of them is
stopped nothing is guarded. Stopping one while accounts have open positions
asks for confirmation first (--yes skips the question; without a terminal
riskctl refuses unless --yes is given).
"""
from __future__ import annotations

from cli import session as session_cache
from cli.commands._worker_action import add_name, run_action
from cli.errors import CliError
from shared.messages.control import StopWorker
from shared.messages.market import PositionsRequest

NAME = "stop"
ROLE = "admin"
PROTECTING = ("market", "risk", "enforcement")     # workers that guard the accounts


def add_arguments(parser) -> None:
    add_name(parser)
    parser.add_argument("--yes", action="store_true",
                        help="stop a guarding worker even while accounts have open positions")


def open_positions_note(ctx) -> str:
    """Why stopping a guard is risky now ('' when no account has an open position)."""
    reply = ctx.call(PositionsRequest())
    if not reply.ok:
        return (f"riskctl cannot tell whether accounts have open positions ({reply.reason}); "
                f"they may be left unguarded")
    rows = reply.body.positions
    if not rows:
        return ""
    accounts = sorted({r.account_name or str(r.account_id) for r in rows})
    return (f"{len(rows)} open position(s) on {', '.join(accounts)} would be left unguarded")


def confirm(question: str) -> bool:
    answer = input(f"{question} [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def run(args, ctx) -> int:
    if args.name in PROTECTING and not args.yes:
        note = open_positions_note(ctx)
        if note:
            question = f"{args.name} protects the accounts: {note}."
            if not session_cache.interactive():
                raise CliError(f"{question} Re-run with --yes to stop it anyway.")
            if not confirm(f"{question} Stop {args.name} anyway?"):
                print(f"{args.name} left running")
                return 1
    return run_action(ctx, StopWorker(name=args.name))
