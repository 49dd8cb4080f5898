"""riskctl flatten: the kill switch (admin, audited), forwarded to the enforcement worker.

A flatten becomes ordinary flatten Commands (rule "admin", fresh ids) that enforcement
journals and executes on the same path as risk's commands; the reply lists them at once, and riskctl follows them with
EnforcementStatusRequest (commands/enforcement_status.py) until each is final (the control
socket never waits on the broker).
"""
from services.supervisor.commands.base import Command, forward
from shared.messages.enforce import FlattenRequest

COMMAND = Command(FlattenRequest, "admin", forward("enforcement", timeout=5.0), audited=True)
