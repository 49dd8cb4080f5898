"""The supervisor's "NOT GUARDED now" follows market's latest hub state, whatever order the
kept copies come in (trial18a section 3).

A worker's PUB keeps what it published on the kept topics for 10 s and sends it again to every
subscriber whenever a subscription reaches it (shared/bus/publisher.py). A market that just
started publishes "connecting" before the supervisor's SUB has reconnected to it (missed
live), then "connected" (taken live); when market's loop then reads the subscriptions waiting
on its XPUB (or another worker's SUB arrives: the trial's risk, restarted 6 s after market),
the copies go out, and the supervisor took the copy of "connecting" it never had after the
live "connected": `status` said "NOT GUARDED now: broker user hub connecting; broker market hub
connecting" for over 2 minutes while market was connected and riskd enforcing, the day's
unguarded total grew, market's "back" alert said "accounts are still NOT guarded", and no
"guarded again" came. The same order with notify's channel states.

Real sockets on loopback: the supervisor built and bound as riskd builds it (nothing started),
market's and notify's PUBs as their workers make them (shared/worker.py publisher)."""
from __future__ import annotations

import time

import pytest
import zmq

from services.supervisor.app import Supervisor
from shared import topics
from shared.bus.publisher import Publisher
from shared.bus.sockets import make_socket
from shared.messages.market import BrokerConnection
from shared.messages.notify import ChannelState
from tests.support.env import make_config, wait_for
from tests.unit.supervisor.bound import bound_supervisor

pytestmark = pytest.mark.timeout(60)

GUARDS = ("market", "risk", "enforcement")


@pytest.fixture
def sup(tmp_path):
    with bound_supervisor(make_config(tmp_path, workers=[*GUARDS, "notify"])) as s:
        yield s


def worker_pub(sup: Supervisor, name: str) -> Publisher:
    """`name`'s PUB on its bus address, as its worker binds it (an XPUB keeping KEPT)."""
    sock = make_socket(zmq.Context.instance(), zmq.XPUB, bind=sup.config.bus.pub(name))
    sup._sockets.append(sock)                     # closed with the supervisor's
    return Publisher(sock, name, sup.clock, keep=topics.KEPT)


def subscribed(pub: Publisher) -> None:
    """The supervisor's subscriptions have reached `pub` (ZeroMQ applied them: a message sent
    now reaches it), not yet read by its worker's loop (so no copy has gone out yet)."""
    wait_for(lambda: pub.sock.poll(0, zmq.POLLIN), timeout=10)
    time.sleep(0.1)                               # every prefix of the supervisor's SUB


def read_all(sup: Supervisor, settle: float = 0.3) -> None:
    """Take what reached the supervisor's SUB (as its loop does when it is readable)."""
    deadline = time.monotonic() + settle
    while time.monotonic() < deadline:
        if sup.heartbeats.sock.poll(50):
            sup._on_heartbeats()


def test_a_copy_of_connecting_after_the_live_connected_leaves_the_accounts_guarded(sup):
    now = sup.clock.now_ns()
    for name in GUARDS:                           # every guard worker runs (supervisor._changed)
        sup.guard.worker(name, True, now)
    pub = worker_pub(sup, "market")
    # market's start: "connecting" before the supervisor's SUB reached its new PUB (missed)
    for hub in ("user", "market"):
        pub.publish(topics.CONNECTION, BrokerConnection(hub=hub, state="connecting"))
    subscribed(pub)
    for hub in ("user", "market"):                # taken live
        pub.publish(topics.CONNECTION, BrokerConnection(hub=hub, state="connected"))
    read_all(sup)
    assert sup.guard.reasons() == ()
    assert sup.guard.open_gap is None
    counted = sup.unguarded_today()[0]
    # market's loop reads the subscriptions that waited: its kept copies go to every subscriber
    assert pub.subscriptions()
    read_all(sup)
    assert sup.guard.hubs == {"user": "connected", "market": "connected"}
    assert sup.unguarded_today()[1] == []         # riskctl status: "guarded now"
    assert sup.guard.open_gap is None
    time.sleep(0.5)
    assert sup.unguarded_today()[0] == counted    # the day's unguarded total does not grow
    # market was alerted down: its "back" alert says the accounts are guarded again
    sup.back.down("market", now, "crashed: killed by signal 9 (SIGKILL)")
    sup.back.up("market", now + 10**9)
    alert = sup.back.due(sup.clock.now_ns(), sup.guard.reasons())
    assert alert is not None and alert.title.endswith(": accounts are guarded again"), alert


def test_a_later_subscriber_copy_of_an_older_hub_state_is_dropped_a_newer_taken(sup):
    """The trial's order: risk restarted 6 s after market, its SUB reaching market's PUB then
    sends every kept state again; a state newer than the copies still counts."""
    now = sup.clock.now_ns()
    for name in GUARDS:
        sup.guard.worker(name, True, now)
    pub = worker_pub(sup, "market")
    pub.publish(topics.CONNECTION, BrokerConnection(hub="user", state="connecting"))
    pub.publish(topics.CONNECTION, BrokerConnection(hub="market", state="connecting"))
    subscribed(pub)
    pub.publish(topics.CONNECTION, BrokerConnection(hub="user", state="connected"))
    pub.publish(topics.CONNECTION, BrokerConnection(hub="market", state="connected"))
    read_all(sup)
    late = make_socket(zmq.Context.instance(), zmq.SUB, connect=sup.config.bus.pub("market"))
    sup._sockets.append(late)
    late.setsockopt(zmq.SUBSCRIBE, topics.CONNECTION.encode())   # the restarted risk
    time.sleep(0.3)
    assert pub.subscriptions()
    read_all(sup)
    assert sup.unguarded_today()[1] == []
    # a real drop after the copies is taken: the state follows market's latest fact
    pub.publish(topics.CONNECTION, BrokerConnection(hub="user", state="reconnecting",
                                                    reason="the connection closed"))
    read_all(sup)
    assert sup.unguarded_today()[1] == ["broker user hub reconnecting: the connection closed"]


def test_a_copy_of_an_older_channel_state_does_not_undo_the_newer(sup):
    """notify's channel states (status's failing alerts) are states too."""
    pub = worker_pub(sup, "notify")
    pub.publish("notify.channel", ChannelState(name="telegram", state="failing", failures=3))
    subscribed(pub)
    pub.publish("notify.channel", ChannelState(name="telegram", state="ok"))
    read_all(sup)
    assert pub.subscriptions()
    read_all(sup)
    assert sup.health.channels["telegram"].state == "ok"
