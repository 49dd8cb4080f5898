"""The logging worker process: wires its sockets to the pure modules beside it."""
from __future__ import annotations

from shared.worker import Worker


class LoggingWorker(Worker):
    """Logging worker: structured JSON log files, rotation, audit chain, live tail."""

    name = "logging"
