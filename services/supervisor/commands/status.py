"""`riskctl status`: the supervisor and the health of every worker."""
from services.supervisor.commands.base import Command
from shared.messages.control import StatusRequest
from shared.messages.system import ok


def execute(sup, _request, respond) -> None:
    respond(ok(sup.status()))


COMMAND = Command(StatusRequest, "trader", execute)
