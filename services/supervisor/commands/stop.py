"""`riskctl stop NAME`: stop a worker and keep it stopped until someone starts it."""
from services.supervisor.commands.base import Command
from shared.messages.control import StopWorker


def execute(sup, request, respond) -> None:
    sup.stop_worker(request.name, respond)


# Stopping a worker that guards accounts is an admin's decision (DESIGN.md, CLI roles).
COMMAND = Command(StopWorker, "admin", execute)
