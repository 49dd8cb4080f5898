"""The risk worker process: wires its sockets to the pure modules beside it."""
from __future__ import annotations

from shared.worker import Worker


class RiskWorker(Worker):
    """Risk worker: account state, the rules, lockouts, timers, the trading day."""

    name = "risk"
