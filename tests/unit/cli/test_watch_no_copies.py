"""The live screen drops a publisher's copies (shared/bus/publisher.py: what it sent in its
last seconds, sent again for a subscription that arrives): a copy of market's "disconnected"
read after the live "connected" showed the broker disconnected (round 7, test_watch under
load). Real PUB/SUB sockets on loopback."""
from __future__ import annotations

import time

import pytest
import zmq

from cli.watch.source import Source
from shared import codec, topics
from shared.bus.publisher import COPY_MARK
from shared.bus.sockets import make_socket
from shared.config.sections import BusConfig
from shared.messages.market import BrokerConnection

pytestmark = pytest.mark.timeout(30)


def test_a_copy_is_not_read_a_live_message_is():
    ctx = zmq.Context.instance()
    pub = make_socket(ctx, zmq.PUB, bind="tcp://127.0.0.1:*")
    sub = make_socket(ctx, zmq.SUB, connect=pub.getsockopt(zmq.LAST_ENDPOINT).decode())
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    try:
        time.sleep(0.3)                                   # the subscription reaches the PUB
        old = BrokerConnection(hub="market", state="disconnected")
        new = BrokerConnection(hub="market", state="connected")
        pub.send_multipart([(topics.CONNECTION + COPY_MARK).encode(),
                            codec.encode(old, "market", 1, 1, 0)])
        pub.send_multipart([topics.CONNECTION.encode(), codec.encode(new, "market", 1, 2, 0)])
        assert sub.poll(5000)
        time.sleep(0.2)
        source = Source(BusConfig())
        source.learned(b"")           # its riskd answered (one sending no id, as these frames)
        source._read(sub)
        assert source.drain() == [new]
    finally:
        sub.close(0)
        pub.close(0)
