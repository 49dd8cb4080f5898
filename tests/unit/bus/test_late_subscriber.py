"""The slow joiner and the restarted subscriber: what a publisher sent on the kept topics in
its last seconds reaches a subscriber that joins late, once; an early subscriber still takes
each message once; a restarted one that remembers what it took takes only what it missed;
the window ends by time and by count.

Real XPUB/SUB sockets on loopback; the publisher's clock is injected (the window's time)."""
from __future__ import annotations

import logging

import zmq

from shared import codec, topics
from shared.bus import publisher as publisher_mod
from shared.bus.publisher import COPY_MARK, KEEP_FOR_S, Publisher
from shared.bus.sockets import make_socket
from shared.bus.subscriber import Copies, Subscriber
from shared.clock import FakeClock
from shared.messages.system import Heartbeat
from tests.unit.bus.test_publisher import subscriptions_until


def hb(n: int) -> Heartbeat:
    return Heartbeat(name=f"m{n}", pid=n, started_ns=0)


class Bus:
    """An XPUB publisher that keeps topics.KEPT, and subscribers made on demand."""

    def __init__(self, clock: FakeClock):
        self.ctx = zmq.Context.instance()
        self.xpub = make_socket(self.ctx, zmq.XPUB, bind="tcp://127.0.0.1:*")
        self.address = self.xpub.getsockopt(zmq.LAST_ENDPOINT).decode()
        self.pub = Publisher(self.xpub, "risk", clock, keep=topics.KEPT)
        self.subs: list[Subscriber] = []

    def join(self, *prefixes: str) -> Subscriber:
        """A subscriber whose subscriptions have reached the publisher (and were answered)."""
        sub = Subscriber(make_socket(self.ctx, zmq.SUB, connect=self.address))
        for prefix in prefixes:
            sub.subscribe(prefix)
        subscriptions_until(self.pub, len(prefixes))
        self.subs.append(sub)
        return sub

    def close(self) -> None:
        for sub in self.subs:
            sub.sock.close(0)
        self.xpub.close(0)


def taken(sub: Subscriber, quiet_ms: int = 300) -> list[tuple[str, str, int]]:
    """(topic, name, seq) of each message the subscriber takes, until it is quiet."""
    out = []
    while sub.sock.poll(quiet_ms):
        got = sub.recv()
        if got is not None:
            out.append((got.topic, got.msg.name, got.envelope.seq))
    return out


def test_a_late_subscriber_gets_what_was_published_before_it_joined_once_and_in_order():
    bus = Bus(FakeClock())
    try:
        bus.pub.publish(topics.DECISION, hb(1))       # nobody subscribes yet: dropped by ZeroMQ
        bus.pub.publish(topics.COMMAND, hb(2))        # commands are not kept (own re-send)
        bus.pub.publish(topics.status(7), hb(3))      # nor a status (sent again anyway)
        bus.pub.publish(topics.NOTIFY, hb(4))
        late = bus.join(topics.DECISION, topics.NOTIFY)
        bus.pub.publish(topics.DECISION, hb(5))
        assert taken(late) == [("decision", "m1", 1), ("notify", "m4", 4),
                               ("decision", "m5", 5)]
    finally:
        bus.close()


def test_an_early_subscriber_takes_each_message_once_when_a_late_one_joins():
    bus = Bus(FakeClock())
    try:
        early = bus.join("")                          # logging: everything
        bus.pub.publish(topics.DECISION, hb(1))
        bus.pub.publish(topics.WARNING, hb(2))
        late = bus.join(topics.DECISION)              # notify, late: sent decision 1 again
        bus.pub.publish(topics.DECISION, hb(3))
        assert taken(late) == [("decision", "m1", 1), ("decision", "m3", 3)]
        assert taken(early) == [("decision", "m1", 1), ("warning", "m2", 2),
                                ("decision", "m3", 3)]
        assert early.copies.dropped == 1              # the copy came, and was dropped
    finally:
        bus.close()


def test_a_copy_that_comes_after_later_messages_is_no_gap():
    bus = Bus(FakeClock())
    try:
        bus.pub.publish(topics.DECISION, hb(1))       # before anyone
        late = Subscriber(make_socket(bus.ctx, zmq.SUB, connect=bus.address))
        bus.subs.append(late)
        late.subscribe("")
        # the subscription is applied before the publisher reads it: what it publishes
        # meanwhile reaches the subscriber before the copy of decision 1
        assert bus.xpub.poll(5000)
        bus.pub.publish(topics.HEARTBEAT, hb(2))
        bus.pub.publish(topics.DECISION, hb(3))
        assert bus.pub.subscriptions() == [""]        # sends decision 1 again
        got = []
        while late.sock.poll(300):
            r = late.recv()
            if r is not None:
                got.append(r)
        assert [r.envelope.seq for r in got] == [2, 3, 1]
        assert [r.continuity and r.continuity.kind for r in got] == ["first", None, None]
        assert [r.topic for r in got] == ["hb", "decision", "decision"]   # the mark is off
    finally:
        bus.close()


def test_a_restarted_subscriber_gets_what_it_missed_in_the_window_only():
    clock = FakeClock()
    bus = Bus(clock)
    try:
        notify = bus.join(topics.DECISION)
        bus.pub.publish(topics.DECISION, hb(1))
        clock.advance(KEEP_FOR_S / 2)
        bus.pub.publish(topics.DECISION, hb(2))
        assert [seq for _t, _n, seq in taken(notify)] == [1, 2]
        notify.sock.close(0)                          # notify killed: it had 1 and 2
        bus.subs.remove(notify)
        bus.pub.publish(topics.DECISION, hb(3))       # published while it was down
        clock.advance(KEEP_FOR_S / 2)                 # decision 1 is older than the window
        again = Subscriber(make_socket(bus.ctx, zmq.SUB, connect=bus.address))
        bus.subs.append(again)
        again.copies.remember("risk", bus.pub.epoch, 2)   # what the run before took (disk)
        again.subscribe(topics.DECISION)
        subscriptions_until(bus.pub, 1)
        assert [seq for _t, _n, seq in taken(again)] == [3]    # 2: had it; 1: too old
        assert again.copies.dropped == 1
        clock.advance(KEEP_FOR_S)
        assert bus.pub.expire()                       # nothing kept past the window
        assert taken(bus.join(topics.DECISION)) == []
    finally:
        bus.close()


def test_at_most_the_last_keep_max_are_kept_and_the_rest_is_said(caplog, monkeypatch):
    monkeypatch.setattr(publisher_mod, "KEEP_MAX", 3)
    bus = Bus(FakeClock())
    try:
        with caplog.at_level(logging.WARNING, logger="shared.bus.publisher"):
            for n in range(1, 6):
                bus.pub.publish(topics.DECISION, hb(n))
        assert "more than 3 messages to keep" in caplog.text
        assert caplog.text.count("more than 3") == 1  # said once
        late = bus.join(topics.DECISION)
        assert [seq for _t, _n, seq in taken(late)] == [3, 4, 5]
    finally:
        bus.close()


def env(seq: int, epoch: int = 1, publisher: str = "risk") -> codec.Envelope:
    return codec.Envelope(publisher, epoch, seq, 0, hb(seq))


def test_copies_drop_a_copy_of_a_message_taken_and_never_an_original():
    copies = Copies(keep=3)
    copy = "decision" + COPY_MARK
    assert copies.take("decision", env(1)) == ("decision", False)
    assert copies.take(copy, env(1)) is None                      # had it: dropped
    assert copies.take(copy, env(2)) == ("decision", True)        # missed it: taken, once
    assert copies.take(copy, env(2)) is None                      # (a later late subscriber's)
    assert copies.take("decision", env(1)) == ("decision", False)  # an original: always
    assert copies.take("hb", env(9)) == ("hb", False)             # not a kept topic
    assert copies.take(copy, env(1, epoch=2)) == ("decision", True)   # a new epoch
    assert copies.take(copy, env(1, publisher="market")) == ("decision", True)
    for seq in (3, 4, 5):                             # epoch 2 had 1 already
        copies.take("notify", env(seq, epoch=2))
    assert copies.take("notify" + COPY_MARK, env(5, epoch=2)) is None   # among the last 3
    assert copies.take("notify" + COPY_MARK, env(1, epoch=2)) is not None   # forgotten
    copies.remember("risk", 2, 7)                     # taken by a run before this one
    assert copies.take("decision" + COPY_MARK, env(7, epoch=2)) is None
    assert copies.dropped == 4


def test_a_late_subscriber_whose_first_message_is_a_copy_sees_no_gap():
    bus = Bus(FakeClock())
    try:
        bus.pub.publish(topics.CONNECTION, hb(1))     # before anyone: sent again
        bus.pub.publish(topics.HEARTBEAT, hb(2))      # before anyone: lost, not kept
        late = bus.join("")
        bus.pub.publish(topics.HEARTBEAT, hb(3))
        got = []
        while late.sock.poll(300):
            r = late.recv()
            if r is not None:
                got.append((r.topic, r.envelope.seq, r.continuity and r.continuity.kind))
        # the copy is out of the stream's order: the stream starts at 3, without a hole
        assert got == [("conn", 1, None), ("hb", 3, "first")]
    finally:
        bus.close()
