"""A test subscriber on a worker's PUB socket: decodes every message, counts quote frames,
and like every subscriber takes a message a publisher sent again to a late subscriber once
(shared.bus.subscriber.Copies).

Shared by the market, risk and fill-continuity tests and the market bench.
"""
from __future__ import annotations

import time

import zmq

from shared import codec
from shared.bus.sockets import make_socket
from shared.bus.subscriber import Copies
from shared.messages.market import BrokerConnection
from tests.support.env import wait_for


class Bus:
    """A test subscriber on market's PUB socket, decoding every message into `msgs`."""

    def __init__(self, address: str, prefixes=("",)):
        self.ctx = zmq.Context.instance()
        self.sock = make_socket(self.ctx, zmq.SUB, connect=address)
        for p in prefixes:
            self.sock.setsockopt(zmq.SUBSCRIBE, p.encode())
        self.msgs: list = []       # (seq, msg)
        self.received_ns: list[int] = []    # when each of msgs arrived (wall clock)
        self.raw_quotes = 0
        self.copies = Copies()

    def pump(self, max_time: float = 0.2) -> None:
        deadline = time.monotonic() + max_time
        while time.monotonic() < deadline:
            if not self.sock.poll(20):
                continue
            while True:
                try:
                    topic, body = self.sock.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                if topic.startswith(b"quote."):
                    self.raw_quotes += 1
                    continue
                env = codec.decode(body)
                if self.copies.take(topic.decode(), env) is None:
                    continue
                self.msgs.append((env.seq, env.msg))
                self.received_ns.append(time.time_ns())

    def of(self, cls) -> list:
        return [m for _s, m in self.msgs if isinstance(m, cls)]

    def wait(self, cond, timeout: float, what: str):
        def check():
            self.pump()
            return cond()
        return wait_for(check, timeout, interval=0.0, what=what)

    def close(self) -> None:
        self.sock.close(0)


def connected(bus: Bus, hub: str) -> bool:
    states = [c.state for c in bus.of(BrokerConnection) if c.hub == hub]
    return bool(states) and states[-1] == "connected"


def notify_tap(config: str) -> Bus:
    """A tap of the notify events of the riskd that `config` runs (its events PUB): make it
    before riskd starts, close it at the end."""
    from shared.config import load_config
    return Bus(load_config(config).config.bus.events, prefixes=("notify",))


def start_tapped(procs, config: str, workers) -> dict:
    """Start riskd, wait until `workers` run (their table), and give a tap made before it
    the moment its subscription needs to reach riskd."""
    procs.riskd(config)
    table = procs.wait_running(config, workers)
    time.sleep(0.3)                         # the tap's subscription reaches riskd
    return table
