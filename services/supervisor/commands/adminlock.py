"""riskctl lockout --admin: an admin locks an account (flatten, then locked until a time or the
roll), recorded as the admin's lockout, not the trader's own; admin, audited.

Forwarded to risk; unanswered in time, said as a trader's lockout is (lockout.py untold).
"""
from services.supervisor.commands.base import Command, to_risk
from services.supervisor.commands.lockout import untold
from shared.messages.risk import AdminLockRequest

COMMAND = Command(AdminLockRequest, "admin", to_risk(untold=untold), audited=True)
