"""`riskctl start NAME`: start a stopped (or backing-off) worker; answers once it is up or failed.

"risk" with risk as shards starts every shard (services/supervisor/operator.py)."""
from services.supervisor.commands.base import Command
from services.supervisor.operator import act, targets
from shared.messages.control import StartWorker


def execute(sup, request, respond) -> None:
    names = targets(sup, request.name)
    for name in names:        # its "back" alert says who started it and why (backalerts.py)
        sup.back.started(name, sup.requester, request.reason)
    act(names, sup.start_worker, respond)


COMMAND = Command(StartWorker, "ops", execute)
