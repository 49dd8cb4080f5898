"""A test subscriber on a worker's PUB socket: decodes every message, counts quote frames,
and like every subscriber takes a message a publisher sent again to a late subscriber once
(shared.bus.subscriber.Copies), and drops the copy of a state older than one it took
(shared/bus/stateorder.py), as riskd's own subscribers do: a publisher sends its kept copies
after what it published between a subscription's arrival and its handling, so a hub's copied
"connecting" could come after its "connected" and read as the hub's last word.

Shared by the market, risk and fill-continuity tests and the market bench.
"""
from __future__ import annotations

import time

import zmq

from shared import codec
from shared.bus.sockets import make_socket
from shared.bus.stateorder import StateOrder
from shared.bus.subscriber import Copies
from shared.messages.market import BrokerConnection
from tests.support.env import wait_for


class Bus:
    """A test subscriber on market's PUB socket, decoding every message into `msgs`."""

    def __init__(self, address: str, prefixes=("",), keep_quotes: bool = False):
        self.ctx = zmq.Context.instance()
        self.sock = make_socket(self.ctx, zmq.SUB, connect=address)
        for p in prefixes:
            self.sock.setsockopt(zmq.SUBSCRIBE, p.encode())
        self.msgs: list = []       # (seq, msg)
        self.received_ns: list[int] = []    # when each of msgs arrived (wall clock)
        self.raw_quotes = 0
        # keep_quotes: each contract's quotes counted and its last one decoded (the quote storm)
        self.keep_quotes = keep_quotes
        self.quotes_of: dict[str, int] = {}
        self.last_quote: dict = {}
        self.copies = Copies()
        self.states = StateOrder()

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
                    if self.keep_quotes:
                        quote = codec.decode(body).msg
                        cid = quote.contract_id
                        self.quotes_of[cid] = self.quotes_of.get(cid, 0) + 1
                        self.last_quote[cid] = quote
                    continue
                env = codec.decode(body)
                if self.copies.take(topic.decode(), env) is None or self.states.older(env):
                    continue
                self.msgs.append((env.seq, env.msg))
                self.received_ns.append(time.time_ns())

    def of(self, cls) -> list:
        return [m for _s, m in self.msgs if isinstance(m, cls)]

    def wait(self, cond, timeout: float, what: str, fail_fast: type | tuple = ()):
        def check():
            self.pump()
            return cond()
        return wait_for(check, timeout, interval=0.0, what=what, fail_fast=fail_fast)

    def close(self) -> None:
        self.sock.close(0)


def connected(bus: Bus, hub: str) -> bool:
    states = [c.state for c in bus.of(BrokerConnection) if c.hub == hub]
    return bool(states) and states[-1] == "connected"


class Exited(AssertionError):
    """The process a wait was for has exited."""


def wait_connected(bus: Bus, hub: str, market, timeout: float = 20.0) -> None:
    """Until market (its Proc, tests/support/procs.py) says `hub` is connected on the tapped
    PUB. Fails at once when market has exited, and on a timeout says every state of the hub
    heard (with its reason: what the attempts ran into) and market's output."""
    def check():
        if market.popen.poll() is not None:
            raise Exited(f"market exited with {market.popen.returncode} before its "
                                 f"{hub} hub connected:\n{market.output()[-3000:]}")
        return connected(bus, hub)
    try:
        bus.wait(check, timeout, f"market's {hub} hub", fail_fast=Exited)
    except Exited:
        raise
    except AssertionError as exc:
        heard = [(c.state, c.reason) for c in bus.of(BrokerConnection) if c.hub == hub]
        raise AssertionError(f"{exc}; its states heard: {heard}; market's output: "
                             f"{market.output()[-3000:]!r}") from None


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
