"""What riskctl says when riskd gave no answer to an admin action it sent once.

An action (flatten, lockout, unlock, rules override, accounts disable --now) is sent once
(retries=0): when no answer comes, riskd may have taken it before its supervisor was killed or
while it was busy. "riskd is not running or not answering" then reads as "nothing was done; do
it again" (trial23b finding 2), and an action done twice is not always harmless. So the answer
says the action was sent (and when), that whether riskd took it is not known, where its outcome
shows and what doing it again would do: the words the supervisor gives a worker's timeout
(services/supervisor/untold.py and each command's own), one set for both.
"""
from __future__ import annotations

from typing import Any, Optional

# what riskctl waits for a lockout's or an unlock's answer: longer than the supervisor waits for
# risk (3 s, services/supervisor/commands/base.py to_risk), so a busy risk is answered with the
# supervisor's own words ("risk did not answer within 3 s, so whether it took the lockout is
# not known ..."), not with riskctl giving up first (it waited 1.2 s, riskctl's default)
ACTION_WAIT_S = 5.0


def words(command: Any) -> Optional[tuple[str, str]]:
    """(action, outcome) of an action riskd may take without answering; None for a command
    that changes nothing or that riskctl may send again (a read, a login)."""
    from services.supervisor.commands import flatten, lockout, rules_override, unlock
    from shared.messages.enforce import FlattenRequest
    from shared.messages.risk import (AdminLockRequest, RulesOverrideRequest, SelfLockRequest,
                                      UnlockRequest)
    told = {FlattenRequest: flatten.words, SelfLockRequest: lockout.untold,
            AdminLockRequest: lockout.untold, UnlockRequest: unlock.untold,
            RulesOverrideRequest: rules_override.untold}.get(type(command))
    return told(command) if told else None


def not_known(command: Any, sent_at: str, silence: str, now: str) -> Optional[str]:
    """'riskctl sent the lockout at Mon 11:08:36 CST; riskd gave no answer within 6 s (now:
    ...), so whether it took the lockout is not known: <outcome>'; None for a command words()
    has no words for (its usual answer stands). silence: 'no answer within 6 s'; now: riskd's
    state as found after the silence."""
    told = words(command)
    if told is None:
        return None
    from services.supervisor import untold
    action, outcome = told
    return untold.not_known(f"riskctl sent {action} at {sent_at}; riskd gave no answer "
                            f"({silence}; {now})", action, outcome)
