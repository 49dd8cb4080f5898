"""riskctl lockouts: active lockouts (forwarded to risk).

While risk cannot answer, the error answer carries risk's last known figures of the accounts
asked for (services/supervisor/lastrisk.py): riskctl shows their lockouts as riskd last knew
them, with their time, never as live."""
from services.supervisor.commands.base import Command
from services.supervisor.riskshards import forward_risk
from shared.messages.risk import LockoutsRequest


def execute(sup, request, respond) -> None:
    forward_risk(sup, request, lambda reply: respond(
        sup.last_risk.lockouts_answer(request, reply, sup.config)))


COMMAND = Command(LockoutsRequest, "trader", execute)
