"""The simbroker worker process: wires its sockets to the pure modules beside it."""
from __future__ import annotations

from shared.worker import Worker


class SimBrokerWorker(Worker):
    """Sim broker: a local ProjectX-compatible gateway with a simulated market."""

    name = "simbroker"
