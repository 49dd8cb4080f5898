"""The tests' bus tap reads a hub's state in publish order, as riskd's subscribers do.

test_risk_worker's fixture once timed out waiting 20 s for market's user hub (round 18's
make test). One way to it, found in the code: market keeps its hub states for late subscribers
and sends them again when a subscription arrives, but ZeroMQ applies the subscription before
market reads it, so what market publishes in between reaches the tap first: a "connected"
live, then the copy of the "connecting" before it, the tap's last word on the hub for good.
The tap now drops a copied state older than one it took (shared/bus/stateorder.py).

Real XPUB/SUB sockets on loopback: market's publisher and the tap."""
from __future__ import annotations

import zmq

from shared import topics
from shared.bus.publisher import Publisher
from shared.bus.sockets import make_socket
from shared.clock import FakeClock
from shared.messages.market import BrokerConnection
from tests.support.bustap import Bus, connected


def test_a_copied_connecting_after_the_live_connected_leaves_the_hub_connected():
    xpub = make_socket(zmq.Context.instance(), zmq.XPUB, bind="tcp://127.0.0.1:*")
    market = Publisher(xpub, "market", FakeClock(), keep=topics.KEPT)
    try:
        market.publish(topics.CONNECTION, BrokerConnection(hub="user", state="connecting"))
        tap = Bus(xpub.getsockopt(zmq.LAST_ENDPOINT).decode())
        assert xpub.poll(5000)                 # the tap's subscription is applied already
        market.publish(topics.CONNECTION, BrokerConnection(hub="user", state="connected"))
        assert market.subscriptions() == [""]  # now the copy of "connecting"
        tap.pump(0.5)
        assert connected(tap, "user")
        assert [c.state for c in tap.of(BrokerConnection)] == ["connected"]
        tap.close()
    finally:
        xpub.close(0)
