"""`riskctl notify test`: forwarded to the notify worker, which sends a test message now."""
from services.supervisor.commands.base import Command, forward
from shared.messages.notify import NotifyTest

# The channels are tried in parallel with a 2.5 s deadline each, so notify answers well
# inside this forward timeout (and inside its own heartbeat budget).
COMMAND = Command(NotifyTest, "ops", forward("notify", timeout=6.0))
