"""Stop every worker in order, then riskd itself.

While accounts hold open positions or working orders a shutdown leaves them unguarded:
riskctl asks first (--yes skips the question; without a terminal riskctl refuses unless
--yes is given).
What to do when riskd must stop: docs/operations.md.
"""
from __future__ import annotations

from cli import session as session_cache
from cli.commands.stop import confirm
from cli.errors import CliError, NotRunning
from shared.messages.control import ShutdownRequest

NAME = "shutdown"
ROLE = "admin"
SHUTDOWN_TIMEOUT = 4.0     # riskd asks market for open positions and working orders first (2 s at most)


def add_arguments(parser) -> None:
    parser.add_argument("--reason", default="", help="why (goes to the audit trail)")
    parser.add_argument("--yes", action="store_true",
                        help="shut down even while accounts have open positions")


def leftover_words(running) -> str:
    """How an admin switches off the workers a killed supervisor left ((name, pids) each):
    shutdown reaches them only through a supervisor (trial23b section 7: the answer said only
    "start riskd again (it ends them and starts a fresh set)", so switching them off took
    guessing that a start comes first)."""
    pids = " ".join(str(p) for _n, ps in running for p in ps)
    return (f"Nothing was switched off: riskctl shutdown reaches the workers only through "
            f"riskd's supervisor. To switch them off, either start riskd again (it ends these "
            f"workers and starts a fresh set) and run `riskctl shutdown` once it answers, or "
            f"end them yourself as the user riskd runs as: `kill {pids}` (SIGTERM: each stops "
            f"cleanly; nothing guards the accounts after, and no audit record or alert is "
            f"made)")


def run(args, ctx) -> int:
    request = ShutdownRequest(reason=args.reason, confirmed=args.yes)
    try:
        reply = ctx.request(request, timeout=SHUTDOWN_TIMEOUT, retries=0,
                            tolerate=("confirm_needed",))
    except NotRunning as exc:
        from cli.notrunning import orphans
        seen = orphans(ctx.config_path, ctx.control_address)
        if not seen.running:
            raise
        raise NotRunning(f"{exc}\n{leftover_words(seen.running)}", exc.short) from None
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
