"""`riskctl stop NAME`: stop a worker and keep it stopped until someone starts it.

market, risk and enforcement guard the accounts: while one of them is stopped
nothing is guarded, so stopping one while any account holds an open position
needs `confirmed` (riskctl asks, or --yes). The check is here, in the
supervisor, so no client can skip it.
"""
from services.supervisor.commands.base import Command
from services.supervisor.guard import GUARD_WORKERS
from shared.messages.control import StopWorker
from shared.messages.market import PositionsRequest
from shared.messages.system import error


def open_positions_note(reply) -> str:
    """Why stopping a guard is risky now ('' when no account holds an open position)."""
    if not reply.ok:
        return (f"riskd cannot tell whether accounts hold open positions ({reply.reason}); "
                f"they may be left unguarded")
    rows = reply.body.positions
    if not rows:
        return ""
    accounts = sorted({r.account_name or str(r.account_id) for r in rows})
    return f"{len(rows)} open position(s) on {', '.join(accounts)} would be left unguarded"


def unless_positions_open(sup, respond, why: str, proceed) -> None:
    """Ask market for open positions; none: proceed(); some (or no answer): answer
    confirm_needed with `why` and what would be left unguarded."""
    def after_positions(reply) -> None:
        note = open_positions_note(reply)
        if note:
            respond(error("confirm_needed", f"{why}: {note}"))
        else:
            proceed()
    sup.forward("market", PositionsRequest(), after_positions, timeout=2.0)


def execute(sup, request, respond) -> None:
    if request.confirmed or request.name not in GUARD_WORKERS:
        sup.stop_worker(request.name, respond)
        return
    unless_positions_open(sup, respond, f"{request.name} guards the accounts",
                          lambda: sup.stop_worker(request.name, respond))


# Stopping a worker that guards accounts is an admin's decision (DESIGN.md, CLI roles).
COMMAND = Command(StopWorker, "admin", execute)
