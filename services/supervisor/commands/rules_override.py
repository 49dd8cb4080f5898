"""Apply looser rule settings now instead of at the roll: admin, audited (forwarded to risk)."""
from services.supervisor.commands.base import Command, forward
from shared.messages.risk import RulesOverrideRequest

COMMAND = Command(RulesOverrideRequest, "admin", forward("risk"), audited=True)
