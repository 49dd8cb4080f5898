"""`riskctl workers`: every worker with its state, pid, uptime, restarts and last exit code."""
from services.supervisor.commands.base import Command
from shared.messages.control import WorkersRequest, WorkersTable
from shared.messages.system import ok


def execute(sup, _request, respond) -> None:
    respond(ok(WorkersTable(workers=sup.worker_infos())))


COMMAND = Command(WorkersRequest, "trader", execute)
