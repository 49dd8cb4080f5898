"""Gap and epoch detection (pure), and a subscriber that counts bad frames instead of raising."""
import zmq

from shared import codec
from shared.bus.publisher import Publisher
from shared.bus.subscriber import StreamTracker, Subscriber
from shared.clock import FakeClock
from shared.messages.system import Heartbeat

HB = Heartbeat(name="m", pid=1, started_ns=0)


def env(seq, epoch=1, publisher="market"):
    return codec.Envelope(publisher, epoch, seq, 0, HB)


def test_first_contact_then_in_order_then_a_gap_then_a_new_epoch():
    t = StreamTracker()
    assert t.observe(env(1)).kind == "first"
    assert t.observe(env(2)) is None
    gap = t.observe(env(5))
    assert (gap.kind, gap.expected, gap.got) == ("gap", 3, 5)
    assert t.observe(env(6)) is None
    restarted = t.observe(env(1, epoch=2))
    assert restarted.kind == "epoch"


def test_a_replayed_old_message_is_reported_and_does_not_lower_the_mark():
    t = StreamTracker()
    t.observe(env(1))
    t.observe(env(2))
    assert t.observe(env(2)).kind == "gap"
    assert t.position("market") == (1, 2)
    assert t.observe(env(3)) is None


def test_after_a_snapshot_only_newer_updates_are_in_sequence():
    t = StreamTracker()
    t.reset("market", 7, 100)
    assert t.observe(env(101, epoch=7)) is None


def test_bad_frames_are_counted_and_never_raised():
    ctx = zmq.Context.instance()
    pub = ctx.socket(zmq.PUB)
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    sub_sock = ctx.socket(zmq.SUB)
    sub_sock.connect(f"tcp://127.0.0.1:{port}")
    sub = Subscriber(sub_sock)
    sub.subscribe("")
    publisher = Publisher(pub, "market", FakeClock(), epoch=3)
    try:
        # slow joiner: publish until the subscription is in place
        for _ in range(200):
            publisher.publish("hb", HB)
            if sub_sock.poll(10):
                break
        while sub.recv() is not None:
            pass
        pub.send_multipart([b"hb", b"\xc1junk"])
        pub.send_multipart([b"only-one-frame"])
        pub.send_multipart([b"\xff\xfe", codec.encode(HB)])
        publisher.publish("hb", HB)
        received = []
        for _ in range(50):
            if not sub_sock.poll(100):
                continue
            r = sub.recv()
            if r is not None:
                received.append(r)
                break
        assert sub.bad_frames == 3
        assert received and received[0].msg == HB
    finally:
        pub.close(0)
        sub_sock.close(0)
