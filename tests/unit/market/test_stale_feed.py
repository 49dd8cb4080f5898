"""The market worker's stale-feed reconnect, its loop driven by hand with an injected clock.

Round 10's trial: the sim paused (`POST /sim/pause`), a position held. market logged "market
hub lost (no quote for 15 s ...; the next reconnect after 30 s of silence); next attempt in
1.0 s" every ~17.4 s, 42 times in 12 minutes, and each reconnect counted as unguarded time.
Two causes, both in the worker (the pure FeedWatch and HubLink have tests of their own in
test_connection.py): the connection market dropped itself said "the connection closed" under
the generation market still held, a second lost() (backoff 2 s, the reason replaced, a second
WARNING); and the full quote the hub sends to every new subscriber reset the silence to 15 s.
"""
from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import attrs

from services.market.app import MarketWorker
from services.market.connection import RECONNECTING, FeedWatch, HubLink
from services.market.quotes import LastQuotes
from services.market.state import MarketState
from shared.clock import FakeClock
from shared.messages.market import POSITION_LONG, BrokerConnection, PositionUpdate
from shared.projectx.realtime import MARKET_HUB, USER_HUB, HubClosed

MNQ = "CON.F.US.MNQ.Z26"


class FakeHub:
    def __init__(self) -> None:
        self.dropped: list = []

    def drop(self, gen=None) -> None:
        self.dropped.append(gen)

    def invoke(self, gen, method, args) -> bool:
        return True


class FakeInbox:
    def __init__(self) -> None:
        self.events: list = []
        self.quotes: dict = {}

    def drain(self):
        out = self.events, self.quotes
        self.events, self.quotes = [], {}
        return out


class OneDay:
    def trading_day(self, _ns):
        return dt.date(2026, 12, 4)


class FakeRest:
    def __init__(self) -> None:
        self.jobs: list = []

    def submit(self, job, fn, tag=None) -> None:
        self.jobs.append((job, tag))


def worker(clock: FakeClock) -> MarketWorker:
    """A MarketWorker with its loop's state and fakes for what talks to the world, both hubs
    connected and one contract subscribed (what market runs: 15 s, the sim's words)."""
    w = MarketWorker.__new__(MarketWorker)
    w.clock = clock
    w.quote_pace = 0            # every drain publishes its quotes (pacing: test_quote_pace.py)
    w.published = []
    w._publish = w.published.append
    w._later, w._subs_due = [], False
    w.calendar, w.day = OneDay(), OneDay().trading_day(0)
    w.inbox, w.rest, w.book, w.state = FakeInbox(), FakeRest(), LastQuotes(), MarketState()
    w.hubs = {USER_HUB: FakeHub(), MARKET_HUB: FakeHub()}
    w.links = {hub: HubLink(hub, clock) for hub in w.hubs}
    w.gens = {USER_HUB: 1, MARKET_HUB: 1}
    w.hub_tokens = {}
    w.quote_subs = {MNQ}
    w.feed = FeedWatch(clock, 15.0, hours="")
    for link in w.links.values():
        link.start()
        link.attempting()
        link.opened()
    w.feed.watching(True)
    return w


def quote(w: MarketWorker, at: str, last: float = 20680.0) -> None:
    w.inbox.quotes = {MNQ: {"lastPrice": last, "timestamp": at, "lastUpdated": at}}
    w._drain()


def reconnected(w: MarketWorker, gen: int) -> None:
    """The next attempt ran and opened; the hub repeats the last quote to the subscriber."""
    clock, link = w.clock, w.links[MARKET_HUB]
    while link.deadline is None:                # the tick starts the attempt when due
        clock.advance(0.2)
        w._tick()
    assert w.rest.jobs[-1] == ("token", MARKET_HUB)
    w.gens[MARKET_HUB] = gen
    w._publish(link.opened())
    w.feed.watching(True)


def test_the_connection_market_dropped_itself_does_not_count_as_a_second_loss(caplog):
    clock = FakeClock()
    w = worker(clock)
    quote(w, "2026-12-04T15:00:00Z")
    clock.advance(15.0)
    with caplog.at_level(logging.INFO, logger="services.market.app"):
        w._tick()
        assert w.hubs[MARKET_HUB].dropped == [1]
        # signalrcore's on_close of the dropped connection, under its own generation
        w.inbox.events = [HubClosed(MARKET_HUB, 1, "the connection closed")]
        w._drain()
    link = w.links[MARKET_HUB]
    assert link.state == RECONNECTING and link.precaution
    assert link.reason.startswith("no quote for 15 s (stale feed")
    assert link.retry_in() == 1.0                               # not doubled to 2 s
    lost = [r for r in caplog.records if "hub lost" in r.getMessage()]
    assert len(lost) == 1 and lost[0].levelno == logging.WARNING


def test_a_paused_feed_is_reconnected_after_15_30_60_s_and_warned_of_once(caplog):
    clock = FakeClock()
    w = worker(clock)
    stamp = "2026-12-04T15:00:00Z"
    quote(w, stamp)
    starts = []
    with caplog.at_level(logging.INFO, logger="services.market.app"):
        for gen in (2, 3, 4):
            start = clock.monotonic()
            while w.links[MARKET_HUB].state == "connected":
                clock.advance(0.2)
                w._tick()
            starts.append(round(clock.monotonic() - start))
            reconnected(w, gen)
            quote(w, stamp)                     # the full quote a new subscriber gets
        lost = [r for r in caplog.records if "hub lost" in r.getMessage()]
        assert starts == [15, 30, 60]
        assert [r.levelno for r in lost] == [logging.WARNING, logging.INFO, logging.INFO]
        clock.advance(5.0)
        quote(w, "2026-12-04T15:02:00Z", 20681.0)  # the sim resumed: a live quote
    back = caplog.records[-1]
    assert back.levelno == logging.WARNING and back.getMessage().startswith(
        "market hub: quotes again after ")
    assert "(3 stale-feed reconnects meanwhile); stale after 15 s again" in back.getMessage()
    assert w.feed.stale_after == 15.0
    # and the unguarded counter's view: every one of them was the precaution
    assert [c.precaution for c in w.published
            if isinstance(c, BrokerConnection) and c.state == RECONNECTING] == [True] * 3


def test_an_account_gone_flat_ends_the_backoff_the_next_position_is_watched_at_15_s(caplog):
    """The feed paused with MNQ held: reconnected after 15, 30, 60 s of silence (the wait
    doubling). The trader closes MNQ: nothing is subscribed, the watch stops. Before, the
    next position's feed was held to the old silence's wait (120 s): a feed dead by then went
    unnoticed 8 times longer than documented. Now the watch starts at 15 s again."""
    clock = FakeClock()
    w = worker(clock)
    stamp = "2026-12-04T15:00:00Z"
    quote(w, stamp)
    held = PositionUpdate(account_id=1001, position_id=1, contract_id=MNQ, ts_ns=0,
                          type=POSITION_LONG, size=1, average_price=Decimal("20680"))
    w.state.apply(held)
    w.contracts_asked = {MNQ}                   # its contract is known (the REST cache)
    for gen in (2, 3, 4):
        while w.links[MARKET_HUB].state == "connected":
            clock.advance(0.2)
            w._tick()
        reconnected(w, gen)
        quote(w, stamp)                         # the full quote a new subscriber gets
    assert w.feed.stale_after == 120.0
    w.state.apply(attrs.evolve(held, type=0, size=0))      # the trader closed MNQ
    with caplog.at_level(logging.INFO, logger="services.market.app"):
        w._after_change()
    assert w.quote_subs == set()
    assert "3 stale-feed reconnects; stale after 15 s again" in caplog.text
    clock.advance(3600.0)                       # an hour with nothing held: nothing to watch
    w._tick()
    assert w.links[MARKET_HUB].state == "connected"
    w.state.apply(held)                         # a new position, its quotes subscribed
    w._after_change()
    assert w.quote_subs == {MNQ}
    start = clock.monotonic()
    while w.links[MARKET_HUB].state == "connected":
        clock.advance(0.2)
        w._tick()
    assert round(clock.monotonic() - start) == 15
