"""`riskctl shutdown`: stop every worker in order, then the supervisor itself.

Like stopping a guard worker (stop.py), a shutdown while accounts hold open positions or working orders leaves
them unguarded: it needs `confirmed` (riskctl asks, or --yes), checked here so no client can
skip it.
"""
from services.supervisor.commands.base import Command
from services.supervisor.commands.stop import unless_exposed
from shared.messages.control import ShutdownRequest
from shared.messages.system import ok

WHAT_IT_DOES = ("a shutdown stops every worker, then riskd itself: nothing guards the accounts "
                "until riskd is started again")


def execute(sup, request, respond) -> None:
    who = sup.requester        # the admin's session (role:user), for the stop alert

    def shut_down() -> None:
        sup.request_shutdown(request.reason, who)
        respond(ok(reason="riskd is shutting down: workers stop in order, then the supervisor"))

    if request.confirmed or "market" not in sup.slots:
        shut_down()
        return
    # what the shutdown does, then what market said is open (or why it cannot say): never
    # market's own restart state (task 22c-2: "restarting after a crash (attempt 4)")
    unless_exposed(sup, respond, WHAT_IT_DOES, shut_down)


COMMAND = Command(ShutdownRequest, "admin", execute)
