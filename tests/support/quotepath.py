"""Market's quote path in one process, as the worker wires it: websocket text frames of the
market hub -> its protocol's quote short cut -> the Inbox -> the worker loop's drain -> the
publisher. No sockets, no processes: for tests and tests/bench/bench_market_cpu.py."""
from __future__ import annotations

from typing import Any, Callable

import zmq

from services.market.app import MarketWorker
from services.market.connection import FeedWatch
from services.market.inbox import Inbox
from services.market.quotes import LastQuotes
from services.market.state import MarketState
from shared.bus.publisher import Publisher
from shared.clock import SYSTEM_CLOCK, Clock
from shared.projectx.realtime import MARKET_HUB, HubClient


class _Sink:
    """Stands in for the PUB socket: drops the frames (keep=False) or keeps them."""

    def __init__(self, keep: bool) -> None:
        self.keep, self.sent = keep, []

    def send_multipart(self, frames, copy: bool = True) -> None:
        if self.keep:
            self.sent.append(frames)


class QuotePath:
    def __init__(self, ctx: zmq.Context, clock: Clock = SYSTEM_CLOCK, keep: bool = False):
        self.inbox = inbox = Inbox(ctx)
        client = HubClient(MARKET_HUB, "wss://quotes.invalid/hubs/market", inbox.put,
                           quotes=inbox.put_quotes)
        self._parse: Callable[[str], list] = client.protocol(1).parse_messages
        w = self.worker = MarketWorker.__new__(MarketWorker)   # the loop's state, no set-up
        w.clock = clock
        w.quote_pace = 0           # every drain publishes (the worker paces them: its timers)
        w.inbox, w.book, w.state = inbox, LastQuotes(), MarketState()
        w.feed = FeedWatch(clock)
        w.gens, w.hubs = {MARKET_HUB: 1}, {MARKET_HUB: client}
        w._subs_due, w.user_pubs, w.parse_errors = False, [], 0
        w.published = {"quotes": 0, "events": 0}
        w.pub = Publisher(_Sink(keep), "market", clock)        # type: ignore[arg-type]
        self.quotes: list = []                                 # what was published
        if keep:
            publish = w.pub.publish

            def keeping(topic: str, msg: Any) -> int:
                self.quotes.append(msg)
                return publish(topic, msg)
            w.pub.publish = keeping                            # type: ignore[method-assign]

    def feed(self, frame: bytes) -> list:
        """One websocket text frame, as signalrcore's transport handles it; returns the
        messages left for signalrcore (everything but the quotes)."""
        text = frame.decode("utf-8")
        "Message received {0}".format(text)        # signalrcore's transport formats each frame
        return self._parse(text)

    def drain(self) -> None:
        self.worker._drain()

    def close(self) -> None:
        self.inbox.close()


class UserPath:
    """Market's user-event path in one process, as the worker wires it: user-hub text frames
    -> the hub protocol's parse -> each invocation to its handler (as signalrcore's transport
    hands them) -> the Inbox -> the loop's drain -> the publisher (tests/bench/hop_cpu.py).
    Every account the frames name is watched; the market hub is not connected."""

    def __init__(self, ctx: zmq.Context, account_ids: tuple[int, ...] = (1001,),
                 clock: Clock = SYSTEM_CLOCK):
        from services.market.connection import HubLink
        from shared.projectx.realtime import USER_HUB
        self.inbox = inbox = Inbox(ctx)
        client = HubClient(USER_HUB, "wss://user.invalid/hubs/user", inbox.put)
        self._parse: Callable[[str], list] = client.protocol(1).parse_messages
        self._handlers = {name: client._handler(1, name) for name in client.events}
        w = self.worker = MarketWorker.__new__(MarketWorker)   # the loop's state, no set-up
        w.clock = clock
        w.quote_pace = 0
        w.inbox, w.book, w.state = inbox, LastQuotes(), MarketState()
        w.feed = FeedWatch(clock)
        w.gens, w.hubs = {USER_HUB: 1, MARKET_HUB: 1}, {USER_HUB: client}
        w.links = {MARKET_HUB: HubLink(MARKET_HUB, clock)}     # never connected: no quotes
        w._subs_due, w.user_pubs, w.parse_errors = False, [], 0
        w.account_ids = list(account_ids)
        w.reconciling, w.touched = False, set()
        w.contracts_asked, w.quote_subs = set(), set()
        w.published = {"quotes": 0, "events": 0}
        w.pub = Publisher(_Sink(False), "market", clock)       # type: ignore[arg-type]

    def feed(self, frame: bytes) -> None:
        """One websocket text frame, as signalrcore's transport handles it."""
        text = frame.decode("utf-8")
        "Message received {0}".format(text)        # signalrcore's transport formats each frame
        for message in self._parse(text):
            handler = self._handlers.get(getattr(message, "target", None))
            if handler is not None:
                handler(message.arguments)

    def drain(self) -> None:
        self.worker._drain()

    def close(self) -> None:
        self.inbox.close()
