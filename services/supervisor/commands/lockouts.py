"""riskctl lockouts: active lockouts (forwarded to risk)."""
from services.supervisor.commands.base import Command, to_risk
from shared.messages.risk import LockoutsRequest

COMMAND = Command(LockoutsRequest, "trader", to_risk())
