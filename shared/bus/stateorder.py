"""The order of state messages as a subscriber takes them (pure): an older state never undoes a
newer.

A worker's events (WorkerEvent: running, stopped, ...), market's hub states (BrokerConnection)
and notify's channel states (ChannelState) are states: the latest one is the truth. A
publisher's copy of what it sent in its last seconds (shared/bus/publisher.py), sent to every
subscriber whenever a subscription arrives, can reach a subscriber after a newer message of
the same worker, hub or channel that it took live, or one it never took live at all (sent
before its subscription reached the new process): taken as it came, an old "stopped" after
"running" would make a breach alert say enforcement is not running, an old "disconnected"
start the disconnect alert's clock (notify), and an old "connecting" left the supervisor
saying "NOT GUARDED now: broker user hub connecting" for minutes while market was connected
(trial18a section 3: market restarted, risk restarted 6 s later, its subscription sent market's
kept "connecting" again). So a state older (lower sequence number of the same publisher's
epoch) than the last one taken of the same worker, hub or channel is dropped. Every other
message is an event of its own, taken whatever its order.
"""
from __future__ import annotations

from shared.codec import Envelope
from shared.messages.control import WorkerEvent
from shared.messages.market import BrokerConnection
from shared.messages.notify import ChannelState


def state_key(msg) -> tuple | None:
    """What a state message is the state of; None for a message that is not a state."""
    if isinstance(msg, WorkerEvent):
        return ("worker", msg.name)
    if isinstance(msg, BrokerConnection):
        return ("hub", msg.hub)
    if isinstance(msg, ChannelState):
        return ("channel", msg.name)
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
