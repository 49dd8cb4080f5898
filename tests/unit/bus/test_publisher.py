"""An XPUB publisher on real loopback sockets: every subscription reaches its owner (a repeat
of one another subscriber holds too), and once handed over, what is published reaches that
subscriber; to a SUB it is a PUB like any other."""
import zmq

from shared.bus.publisher import Publisher
from shared.bus.sockets import make_socket
from shared.bus.subscriber import Subscriber
from shared.messages.system import Heartbeat
from tests.support.env import wait_for


def subscriptions_until(pub: Publisher, count: int) -> list[str]:
    seen: list[str] = []

    def more():
        if pub.sock.poll(50):
            seen.extend(pub.subscriptions())
        return len(seen) >= count
    wait_for(more, 5, interval=0.0, what=f"{count} subscriptions")
    return seen


def test_each_subscription_is_handed_over_and_what_follows_reaches_the_subscriber():
    ctx = zmq.Context.instance()
    xpub = make_socket(ctx, zmq.XPUB, bind="tcp://127.0.0.1:*")
    address = xpub.getsockopt(zmq.LAST_ENDPOINT).decode()
    pub = Publisher(xpub, "test")
    subs = [Subscriber(make_socket(ctx, zmq.SUB, connect=address)) for _ in range(2)]
    try:
        assert pub.subscriptions() == []                    # nobody yet
        subs[0].subscribe("cmd")
        subs[0].subscribe("status.")
        assert sorted(subscriptions_until(pub, 2)) == ["cmd", "status."]
        subs[1].subscribe("cmd")                            # the same topic again: seen too
        assert subscriptions_until(pub, 1) == ["cmd"]
        pub.publish("cmd", Heartbeat(name="a", pid=1, started_ns=1))
        pub.publish("decision", Heartbeat(name="b", pid=2, started_ns=2))   # nobody's topic
        for sub in subs:
            assert sub.sock.poll(2000)
            got = sub.recv()
            assert (got.topic, got.msg.name, got.envelope.seq) == ("cmd", "a", 1)
            assert not sub.sock.poll(100)
        subs[0].sock.close(0)                               # an unsubscription is not one
        subs[0] = Subscriber(make_socket(ctx, zmq.SUB, connect=address))
        subs[0].subscribe("")                               # reconnects: seen again
        assert subscriptions_until(pub, 1) == [""]
    finally:
        for sub in subs:
            sub.sock.close(0)
        xpub.close(0)
