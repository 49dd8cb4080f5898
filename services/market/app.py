"""The market worker process: wires its sockets to the pure modules beside it."""
from __future__ import annotations

from shared.worker import Worker


class MarketWorker(Worker):
    """Market worker: the broker's realtime hubs, REST snapshots, contract cache, quote conflation."""

    name = "market"
