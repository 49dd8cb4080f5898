"""`riskctl workers`: every worker with its state, pid, uptime, restarts and last exit code."""
from services.supervisor.commands.base import Command
from shared.messages.control import WorkersRequest
from shared.messages.system import ok


def execute(sup, _request, respond) -> None:
    respond(ok(sup.workers_table()))


COMMAND = Command(WorkersRequest, "trader", execute)
