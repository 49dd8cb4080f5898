"""A Supervisor built and bound as riskd builds it, for unit tests of what it says: its alerts
kept as it publishes them (`sup.sent`), its sockets and stores closed at the end; and market's
hub states fed to it as its SUB takes them."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from services.supervisor.app import Supervisor
from shared.config import load_config
from shared.messages.notify import NotifyEvent


@contextmanager
def bound_supervisor(config_path: str, clock=None) -> Iterator[Supervisor]:
    s = Supervisor(load_config(config_path), **({"clock": clock} if clock is not None else {}))
    s.bind()
    s.sent = []
    publish = s.pub.publish

    def kept(topic, msg):
        if isinstance(msg, NotifyEvent):
            s.sent.append(msg)
        return publish(topic, msg)
    s.pub.publish = kept
    try:
        yield s
    finally:
        for sock in s._sockets:
            sock.close(0)
        s.guard_store.close()
        s.login_store.close()


def hubs(sup: Supervisor, state: str) -> None:
    """market's hub states, as the supervisor takes them from its SUB (_on_heartbeats)."""
    for hub in ("user", "market"):
        sup._guard_changed(sup.guard.hub(hub, state, sup.clock.now_ns()))
