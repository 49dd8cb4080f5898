"""The order of state messages as notify takes them (pure): an older state never undoes a newer.

A worker's events (WorkerEvent: running, stopped, ...) and market's hub states
(BrokerConnection) are states: the latest one is the truth. A publisher's copy of what it sent
in its last seconds (shared/bus/publisher.py), sent to a subscription that arrives, can reach
notify after a newer message of the same worker or hub that notify took live: taken as it
came, an old "stopped" after "running" would make a breach alert say enforcement is not
running, an old "disconnected" start the disconnect alert's clock. So a state older (lower
sequence number of the same publisher's epoch) than the last one taken of the same worker or
hub is dropped. Every other message is an event of its own, taken whatever its order.
"""
from __future__ import annotations

from shared.codec import Envelope
from shared.messages.control import WorkerEvent
from shared.messages.market import BrokerConnection


def state_key(msg) -> tuple | None:
    """What a state message is the state of; None for a message that is not a state."""
    if isinstance(msg, WorkerEvent):
        return ("worker", msg.name)
    if isinstance(msg, BrokerConnection):
        return ("hub", msg.hub)
    return None


class StateOrder:
    """The last (epoch, seq) taken of each state, per publisher."""

    def __init__(self) -> None:
        self._last: dict[tuple, tuple[int, int]] = {}

    def older(self, env: Envelope) -> bool:
        """True for a state older than one taken already (drop it); else remembers it."""
        key = state_key(env.msg)
        if key is None:
            return False
        key = (env.publisher, *key)
        last = self._last.get(key)
        if last is not None and last[0] == env.epoch and env.seq < last[1]:
            return True
        self._last[key] = (env.epoch, env.seq)
        return False
