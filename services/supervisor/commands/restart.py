"""`riskctl restart NAME`: stop a worker and start it again; answers once it is up or failed.

"risk" with risk as shards restarts every shard (services/supervisor/operator.py)."""
from services.supervisor.commands.base import Command
from services.supervisor.operator import act, targets
from shared.messages.control import RestartWorker


def execute(sup, request, respond) -> None:
    act(targets(sup, request.name), sup.restart_worker, respond)


COMMAND = Command(RestartWorker, "ops", execute)
