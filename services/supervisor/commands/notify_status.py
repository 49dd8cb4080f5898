"""`riskctl notify status`: per-channel state from the notify worker (failing channels show)."""
from services.supervisor.commands.base import Command, forward
from shared.messages.notify import NotifyStatusRequest

COMMAND = Command(NotifyStatusRequest, "trader", forward("notify"))
