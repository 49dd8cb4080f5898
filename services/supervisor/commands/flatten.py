"""riskctl flatten: the kill switch (admin, audited), forwarded to the enforcement worker.

A flatten becomes ordinary flatten Commands (rule "admin", fresh ids) that enforcement
journals and executes on the same path as risk's commands; the reply lists them at once, and riskctl follows them with
EnforcementStatusRequest (commands/enforcement_status.py) until each is final (the control
socket never waits on the broker). Its audit row is written at acceptance; the outcome per
account follows in a second row once enforcement has finished (flattenaudit.py).
"""
from services.supervisor.commands.base import Command
from shared.messages.enforce import FlattenRequest


def execute(sup, request, respond) -> None:
    who = sup.requester

    def answered(reply) -> None:
        respond(reply)
        sup.flatten_outcomes.watch(reply, who, request, sup.clock.monotonic())
    sup.forward("enforcement", request, answered, timeout=5.0)


COMMAND = Command(FlattenRequest, "admin", execute, audited=True)
