"""Per-account risk status: PnL, rules, lockouts, positions (forwarded to risk).

risk's figures are kept as they pass (services/supervisor/lastrisk.py): when risk cannot
answer, the error answer carries the last known ones, marked with their time."""
from services.supervisor.commands.base import Command
from services.supervisor.riskshards import forward_risk
from shared.messages.risk import RiskStatusRequest


def execute(sup, request, respond) -> None:
    forward_risk(sup, request, lambda reply: respond(sup.last_risk.answer(request, reply)))


COMMAND = Command(RiskStatusRequest, "trader", execute)
