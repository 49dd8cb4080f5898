"""Every control command the supervisor serves, listed explicitly (one module each)."""
from services.supervisor.commands import ping, restart, shutdown, start, status, stop, workers
from services.supervisor.commands.base import Command, Registry, forward

REGISTRY = Registry((
    ping.COMMAND,
    workers.COMMAND,
    status.COMMAND,
    start.COMMAND,
    restart.COMMAND,
    stop.COMMAND,
    shutdown.COMMAND,
))

__all__ = ["REGISTRY", "Command", "Registry", "forward"]
