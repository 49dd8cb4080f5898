"""Market publishes quotes at a pace, events at once (round 14, docs/performance.md).

After a drain that published quotes, the next quotes wait at most QUOTE_PACE, merged per
contract in the inbox (DESIGN: the latest price per contract wins) and ringing no wake; an
event (a fill, an order, a position, an account) still wakes the loop at once and is handed on
while the quotes stay held. The first quote after a quiet spell goes at once."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
import zmq

from services.market.app import QUOTE_PACE
from shared.clock import FakeClock
from shared.projectx.realtime import EV_TRADE, USER_HUB, HubEvent
from tests.support.quotepath import QuotePath

pytestmark = pytest.mark.timeout(30)

NOW = 1_790_000_000_123_456_789
MNQ = "CON.F.US.MNQ.Z26"


def frame(last: float) -> bytes:
    return (json.dumps({"type": 1, "target": "GatewayQuote",
                        "arguments": [MNQ, {"lastPrice": last}]}) + "\x1e").encode()


def test_quotes_wait_for_the_pace_merged_and_an_event_does_not_wait_behind_them():
    clock = FakeClock(NOW)
    path = QuotePath(zmq.Context.instance(), clock, keep=True)
    w = path.worker
    w.quote_pace = QUOTE_PACE                      # as the worker runs (QuotePath turns it off)
    w._timers, w._timer_seq, w.max_wait_ms = [], 0, 1000   # Worker's timers, no set-up
    handed: list = []
    w._dispatch_item = handed.append               # the events the loop hands on
    reader = path.inbox.reader
    try:
        path.feed(frame(100.0))
        assert reader.poll(1000)
        path.drain()                               # the first quote: at once
        assert [q.last for q in path.quotes] == [Decimal("100")]

        path.feed(frame(101.0))
        path.feed(frame(102.0))
        assert not reader.poll(50)                 # held: a quote wakes nobody
        fill = HubEvent(USER_HUB, 1, EV_TRADE, [{"id": 7}])
        path.inbox.put(fill)
        assert reader.poll(1000)                   # an event rings at once
        path.drain()
        assert handed == [fill]                    # handed on, the quotes still held
        assert [q.last for q in path.quotes] == [Decimal("100")]

        clock.advance(QUOTE_PACE / 2)
        w._run_timers()
        assert len(path.quotes) == 1               # not yet
        clock.advance(QUOTE_PACE / 2)
        w._run_timers()                            # the pace is up: the newest price, once
        assert [q.last for q in path.quotes] == [Decimal("100"), Decimal("102")]

        clock.advance(1.0)
        w._run_timers()                            # a quiet spell: nothing held any more
        path.feed(frame(103.0))
        assert reader.poll(1000)
        path.drain()
        assert [q.last for q in path.quotes][-1] == Decimal("103")
    finally:
        path.close()
