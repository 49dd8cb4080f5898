"""riskctl lockouts: active lockouts (forwarded to risk)."""
from services.supervisor.commands.base import Command, forward
from shared.messages.risk import LockoutsRequest

COMMAND = Command(LockoutsRequest, "trader", forward("risk"))
