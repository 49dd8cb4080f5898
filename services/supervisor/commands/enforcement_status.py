"""Enforcement's journal of commands (trader): forwarded to enforcement; while it cannot answer,
the error carries the outcomes the supervisor knows (services/supervisor/lastresults.py)."""
from services.supervisor.commands.base import Command
from shared.messages.enforce import EnforcementStatusRequest

WORKER = "enforcement"


def execute(sup, request, respond) -> None:
    sup.forward(WORKER, request, lambda reply: respond(
        sup.last_results.answer(request, reply, sup.not_running(WORKER))), timeout=3.0)


COMMAND = Command(EnforcementStatusRequest, "trader", execute)
