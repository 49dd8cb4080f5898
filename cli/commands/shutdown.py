"""Stop every worker in order, then riskd itself.

While accounts hold open positions or working orders a shutdown leaves them unguarded:
riskctl asks first (--yes skips the question; without a terminal riskctl refuses unless
--yes is given).
What to do when riskd must stop: docs/operations.md.
"""
from __future__ import annotations

from cli import session as session_cache
from cli.commands.stop import confirm
from cli.errors import CliError
from shared.messages.control import ShutdownRequest

NAME = "shutdown"
ROLE = "admin"
SHUTDOWN_TIMEOUT = 4.0     # riskd asks market for open positions and working orders first (2 s at most)


def add_arguments(parser) -> None:
    parser.add_argument("--reason", default="", help="why (goes to the audit trail)")
    parser.add_argument("--yes", action="store_true",
                        help="shut down even while accounts have open positions")


def run(args, ctx) -> int:
    request = ShutdownRequest(reason=args.reason, confirmed=args.yes)
    reply = ctx.request(request, timeout=SHUTDOWN_TIMEOUT, retries=0,
                        tolerate=("confirm_needed",))
    if not reply.ok:
        if not session_cache.interactive():
            raise CliError(f"{reply.reason}. Re-run with --yes to shut down anyway.")
        if not confirm(f"{reply.reason}. Shut riskd down anyway?"):
            print("riskd left running")
            return 1
        reply = ctx.request(ShutdownRequest(reason=args.reason, confirmed=True),
                            timeout=SHUTDOWN_TIMEOUT, retries=0)
    print(reply.reason)
    return 0
