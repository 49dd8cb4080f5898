"""`riskctl start NAME`: start a stopped (or backing-off) worker; answers once it is up or failed."""
from services.supervisor.commands.base import Command
from shared.messages.control import StartWorker


def execute(sup, request, respond) -> None:
    sup.start_worker(request.name, respond)


COMMAND = Command(StartWorker, "ops", execute)
