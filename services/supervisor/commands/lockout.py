"""riskctl lockout: a trader locks their own account (no password: it only adds protection).

Audited; forwarded to risk.
"""
from services.supervisor.commands.base import Command, forward
from shared.messages.risk import SelfLockRequest

COMMAND = Command(SelfLockRequest, "trader", forward("risk"), audited=True)
