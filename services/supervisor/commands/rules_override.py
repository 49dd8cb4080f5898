"""Apply looser rule settings now instead of at the roll: admin, audited (forwarded to risk).

`accounts disable ACCOUNT --now` sends it too (disable=True: that account's disable only).
One risk did not answer in time is said as not known (services/supervisor/untold.py), with
where it shows and what asking again would do.
"""
from services.supervisor.commands.base import Command, to_risk
from shared.messages.risk import RulesOverrideRequest


def untold(request: RulesOverrideRequest) -> tuple[str, str]:
    if request.disable:
        # risk applies (or arms for 30 s, until it reads the edit) this account's disable
        # only: once more changes nothing else (services/risk/disabled.py)
        return ("the disable", f"`riskctl accounts` shows whether risk still guards "
                               f"{request.account}; running `riskctl accounts disable "
                               f"{request.account} --now` again does no harm (it applies that "
                               f"account's disable only)")
    return ("the override", "if it did, `riskctl rules` shows those settings in force, no "
                            "longer waiting for the roll; look there before you override "
                            "again: a second override applies what waits for the roll then, "
                            "an edit made since included")


COMMAND = Command(RulesOverrideRequest, "admin", to_risk(untold=untold), audited=True)
