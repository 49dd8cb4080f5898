"""riskctl unlock: end an account's (or a symbol's) lockouts early; admin, audited.

Forwarded to risk, which refuses it when [admin] allow_unlock = false. An unlock risk did not
answer in time is said as not known (services/supervisor/untold.py): asked again, it would end
what it matches then, a lockout riskd set since included, so the admin looks first.
"""
from services.supervisor.commands.base import Command, to_risk
from shared.messages.risk import UnlockRequest


def untold(_request) -> tuple[str, str]:
    return ("the unlock", "if it did, `riskctl lockouts` no longer lists what it ended; look "
                          "there before you unlock again: a second unlock ends the lockouts it "
                          "matches then, one riskd set since included")


COMMAND = Command(UnlockRequest, "admin", to_risk(untold=untold), audited=True)
