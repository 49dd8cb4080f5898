"""`riskctl start NAME`: start a stopped (or backing-off) worker; answers once it is up or failed.

"risk" with risk as shards starts every shard (services/supervisor/operator.py)."""
from services.supervisor.commands.base import Command
from services.supervisor.operator import act, targets
from shared.messages.control import StartWorker


def execute(sup, request, respond) -> None:
    act(targets(sup, request.name), sup.start_worker, respond)


COMMAND = Command(StartWorker, "ops", execute)
