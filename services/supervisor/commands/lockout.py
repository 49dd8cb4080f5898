"""riskctl lockout: a trader locks their own account (no password: it only adds protection).

Audited; forwarded to risk. A lockout risk did not answer in time is said as not known
(services/supervisor/untold.py), with where it shows and that asking again does no harm.
"""
from services.supervisor.commands.base import Command, to_risk
from shared.lockwords import AGAIN_HARMLESS
from shared.messages.risk import SelfLockRequest


def untold(_request) -> tuple[str, str]:
    """The words for a lockout (a trader's or an admin's) risk may have taken unanswered.
    Asked again it does no harm: an account keeps one lockout per owner, the later end of the
    two (services/risk/acting.py _as_own_lock), and is flattened again (enforcement finds it
    flat, or closes what opened since)."""
    return ("the lockout", "if it did, `riskctl lockouts` lists it and `riskctl history` shows "
                           f"its flatten; {AGAIN_HARMLESS}")


COMMAND = Command(SelfLockRequest, "trader", to_risk(untold=untold), audited=True)
