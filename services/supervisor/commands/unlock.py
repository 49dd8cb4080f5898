"""riskctl unlock: end an account's (or a symbol's) lockouts early; admin, audited.

Forwarded to risk, which refuses it when [admin] allow_unlock = false.
"""
from services.supervisor.commands.base import Command, to_risk
from shared.messages.risk import UnlockRequest

COMMAND = Command(UnlockRequest, "admin", to_risk(), audited=True)
