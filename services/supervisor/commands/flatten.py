"""riskctl flatten: the kill switch (admin, audited), forwarded to the enforcement worker.

A flatten becomes ordinary flatten Commands (rule "admin", fresh ids) that enforcement
journals and executes on the same path as risk's commands; the reply lists them at once, and riskctl follows them with
EnforcementStatusRequest (commands/enforcement_status.py) until each is final (the control
socket never waits on the broker). Its audit row is written at acceptance; the outcome per
account follows in a second row once enforcement has finished (flattenaudit.py).
"""
from services.supervisor import untold
from services.supervisor.commands.base import Command
from shared.messages.enforce import RESUME_WINDOW_S, FlattenRequest
from shared.messages.system import Reply


def unanswered(reply: Reply) -> Reply:
    """A flatten enforcement gave no answer to within the wait: it may have journaled it before
    it stopped (it journals, then answers), so "not running ... try again" is not the truth
    (trial22b finding 2: such words read as "nothing was done"). Said as not known, with where
    the outcome shows (services/supervisor/untold.py); an 'unreachable' flatten never reached
    it: that answer stays."""
    return untold.unanswered(reply, *words(None))


def words(_request) -> tuple[str, str]:
    """The words for a flatten that may have been taken unanswered (riskctl's own, too, when
    the supervisor itself gives no answer: cli/unanswered.py)."""
    return ("the flatten", f"if it did, enforcement resumes it when it is back (within "
                           f"{RESUME_WINDOW_S // 60} minutes of it) and `riskctl history` "
                           f"shows it as admin flatten; look there before you flatten again")


def execute(sup, request, respond) -> None:
    who = sup.requester

    def answered(reply) -> None:
        reply = unanswered(reply)
        respond(reply)
        sup.flatten_outcomes.watch(reply, who, request, sup.clock.monotonic())
    sup.forward("enforcement", request, answered, timeout=5.0)


COMMAND = Command(FlattenRequest, "admin", execute, audited=True)
