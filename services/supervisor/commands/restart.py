"""`riskctl restart NAME`: stop a worker and start it again; answers once it is up or failed."""
from services.supervisor.commands.base import Command
from shared.messages.control import RestartWorker


def execute(sup, request, respond) -> None:
    sup.restart_worker(request.name, respond)


COMMAND = Command(RestartWorker, "ops", execute)
