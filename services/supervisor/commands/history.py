"""riskctl history: decisions, warnings and lockout changes (forwarded to risk)."""
from services.supervisor.commands.base import Command, to_risk
from shared.messages.risk import HistoryRequest

COMMAND = Command(HistoryRequest, "trader", to_risk())
