"""`riskctl ping`: is the supervisor there? Answers with its pid and start time."""
from services.supervisor.commands.base import Command
from shared.messages.system import Ping, ok


def execute(sup, _request, respond) -> None:
    respond(ok(sup.pong()))


COMMAND = Command(Ping, "trader", execute)
