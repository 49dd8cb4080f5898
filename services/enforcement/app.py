"""The enforcement worker process: wires its sockets to the pure modules beside it."""
from __future__ import annotations

from shared.worker import Worker


class EnforcementWorker(Worker):
    """Enforcement worker: executes decided actions against the broker, idempotently."""

    name = "enforcement"
