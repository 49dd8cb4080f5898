"""Per-account risk status: PnL, rules, lockouts, positions (forwarded to risk)."""
from services.supervisor.commands.base import Command, forward
from shared.messages.risk import RiskStatusRequest

COMMAND = Command(RiskStatusRequest, "trader", forward("risk"))
