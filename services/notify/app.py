"""The notify worker process: wires its sockets to the pure modules beside it."""
from __future__ import annotations

from shared.worker import Worker


class NotifyWorker(Worker):
    """Notify worker: Telegram and Discord alerts."""

    name = "notify"
