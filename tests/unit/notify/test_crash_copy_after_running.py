"""A crash notify never took is alerted, also when its copy comes after the worker's newer state.

The flaky test_a_killed_notify_says_it_crashed_and_then_that_it_is_back (round 19): under load
the phone got "🟢 Worker notify is back" and no "💥 Worker notify crashed". The supervisor
keeps what it published in its last seconds and sends it again when a subscription arrives
(shared/bus/publisher.py), but ZeroMQ applies a subscription before the supervisor reads it:
a busy supervisor that answered the new notify's ping first published notify's "running"
live, then the copy of its crash. notify dropped the crash as an older state of the worker
(shared/bus/stateorder.py), and the crash alert with it.

Real XPUB/SUB sockets on loopback: the supervisor's publisher, and notify's subscriber taken
by NotifyWorker._on_sub (its alerts recorded where they would be queued for the channels)."""
from __future__ import annotations

import zmq

from services.notify.app import NotifyWorker
from services.notify.lockedbuys import LockedBuys
from services.notify.outbox import Outbox
from services.notify.running import WorkerStates
from services.notify.templates import Context, DisconnectWatch
from shared import topics
from shared.bus.publisher import Publisher
from shared.bus.sockets import make_socket
from shared.bus.stateorder import StateOrder
from shared.bus.subscriber import Subscriber
from shared.clock import FakeClock
from shared.messages.control import WorkerEvent

NOW = 1_800_000_000 * 10**9
SIGKILL = "killed by signal 9 (SIGKILL)"


class Notify(NotifyWorker):
    """notify as far as taking the supervisor's worker events goes; its alerts are recorded."""

    def __init__(self, tmp_path):          # no process, no sockets of its own
        self.clock = FakeClock(NOW)
        self.outbox = Outbox(str(tmp_path / "notify.sqlite"))
        self.states = StateOrder()
        self.running = WorkerStates()
        self.ctx_t = Context()
        self.watch = DisconnectWatch(30)  # the broker hubs' alert (told of the sim's start)
        self.locked_buys = LockedBuys(self.outbox)
        self._late_results: set = set()
        self._late_folded: dict = {}
        self._waited: dict = {}
        self._claimed: dict = {}
        self._fills: dict = {}
        self._market_waited: dict = {}
        self._accepted: dict = {}         # small19b: commands enforcement accepted
        self._locks: dict = {}
        self.alerts: list = []

    def queue(self, alert, *_args, **_kwargs) -> None:
        self.alerts.append(alert)


def crashed(name: str) -> WorkerEvent:
    return WorkerEvent(name=name, state="backoff", exit_code=-9, reason=SIGKILL)


def test_a_crash_copy_after_the_workers_running_is_still_alerted_and_undoes_nothing(tmp_path):
    ctx = zmq.Context.instance()
    xpub = make_socket(ctx, zmq.XPUB, bind="tcp://127.0.0.1:*")
    supervisor = Publisher(xpub, "supervisor", FakeClock(NOW), keep=topics.KEPT)
    sub = Subscriber(make_socket(ctx, zmq.SUB, connect=xpub.getsockopt(zmq.LAST_ENDPOINT)
                                 .decode()), track=False)
    notify = Notify(tmp_path)
    try:
        # notify and enforcement crash (kill -9) while notify is down; both start again
        for name in ("notify", "enforcement"):
            supervisor.publish(topics.WORKER, crashed(name))
            supervisor.publish(topics.WORKER, WorkerEvent(name=name, state="starting", pid=7))
        sub.subscribe(topics.WORKER)                  # the new notify
        assert xpub.poll(5000)                        # its subscription is applied already
        # the supervisor answers their pings before it reads the subscription: "running" live
        for name in ("notify", "enforcement"):
            supervisor.publish(topics.WORKER, WorkerEvent(name=name, state="running", pid=7))
        assert supervisor.subscriptions() == [topics.WORKER]     # now the kept copies
        while sub.sock.poll(300):
            NotifyWorker._on_sub(notify, sub)
        assert [a.title for a in notify.alerts] == [
            f"💥 Worker notify crashed: {SIGKILL}", f"💥 Worker enforcement crashed: {SIGKILL}"]
        # the older states are not taken: enforcement runs, as its newest event said
        assert notify.running.down_since("enforcement") is None
    finally:
        sub.sock.close(0)
        xpub.close(0)
        notify.outbox.close()
