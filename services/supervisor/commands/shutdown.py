"""`riskctl shutdown`: stop every worker in order, then the supervisor itself."""
from services.supervisor.commands.base import Command
from shared.messages.control import ShutdownRequest
from shared.messages.system import ok


def execute(sup, request, respond) -> None:
    sup.request_shutdown(request.reason)
    respond(ok(reason="riskd is shutting down: workers stop in order, then the supervisor"))


COMMAND = Command(ShutdownRequest, "admin", execute)
