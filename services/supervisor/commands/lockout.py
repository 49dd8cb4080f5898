"""riskctl lockout: a trader locks their own account (no password: it only adds protection).

Audited; forwarded to risk.
"""
from services.supervisor.commands.base import Command, to_risk
from shared.messages.risk import SelfLockRequest

COMMAND = Command(SelfLockRequest, "trader", to_risk(), audited=True)
