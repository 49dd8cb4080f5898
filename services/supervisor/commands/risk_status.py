"""Per-account risk status: PnL, rules, lockouts, positions (forwarded to risk)."""
from services.supervisor.commands.base import Command, to_risk
from shared.messages.risk import RiskStatusRequest

COMMAND = Command(RiskStatusRequest, "trader", to_risk())
