"""Apply looser rule settings now instead of at the roll: admin, audited (forwarded to risk)."""
from services.supervisor.commands.base import Command, to_risk
from shared.messages.risk import RulesOverrideRequest

COMMAND = Command(RulesOverrideRequest, "admin", to_risk(), audited=True)
