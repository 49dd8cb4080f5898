"""riskctl history: decisions, warnings and lockout changes (forwarded to risk)."""
from services.supervisor.commands.base import Command, forward
from shared.messages.risk import HistoryRequest

COMMAND = Command(HistoryRequest, "trader", forward("risk"))
