"""The GatewayQuote records a market-hub subscriber receives, text for text, against the way
the sim wrote them before round 9 (a dict of floats through json.dumps, per quote).

Round 9 writes each quote's JSON by hand from cached pieces (docs/performance.md); this
test keeps the reference -- the old writer, copied here -- and drives the real path
(Gateway moves -> HubServer._drain -> the text queued for a subscribed connection) with a
random sequence of moves, random-walk steps, fills' volume, clock steps and new
subscribers' full quotes, over contracts of every kind of tick size. Every record must be
the same text, and so parse to the same JSON, as the reference's.
"""
from __future__ import annotations

import collections
import json
from decimal import Decimal

from hypothesis import HealthCheck, given, settings, strategies as st

from services.simbroker.gateway import Gateway
from services.simbroker.hubs import HubServer
from services.simbroker.wire import iso
from shared.clock import FakeClock
from shared.config.sections import SimConfig
from shared.symbols import ticker_of

CONTRACTS = ("CON.F.US.EP.Z26", "CON.F.US.MNQ.Z26", "CON.F.US.CLE.F27", "CON.F.US.GCE.G27",
             "CON.F.US.M2K.Z26", "CON.F.US.YM.Z26")
FIELDS = ("lastPrice", "bestBid", "bestAsk", "change", "changePercent", "open", "high", "low",
          "volume")


class OldQuotes:
    """The pre-round-9 writer: Market._fields / Market.quote and signalr.invocation."""

    def __init__(self, market):
        self.m = market
        self.sent: dict = collections.defaultdict(dict)

    def _fields(self, cid: str) -> dict:
        b = self.m._books[cid]
        tick = self.m.specs[cid].tick_size
        p = lambda t: float(tick * t)  # noqa: E731
        change = b.last - b.prev_close
        return {"lastPrice": p(b.last), "bestBid": p(b.bid), "bestAsk": p(b.ask),
                "change": p(change),
                "changePercent": round(change / b.prev_close * 100, 4) if b.prev_close else 0.0,
                "open": p(b.open), "high": p(b.high), "low": p(b.low), "volume": b.volume}

    def record(self, cid: str, full: bool = False) -> str:
        spec = self.m.specs[cid]
        b = self.m._books[cid]
        fields = self._fields(cid)
        stamp = iso(b.updated_ns)
        if full:
            self.sent[cid] = dict(fields)
            payload = {"symbol": spec.symbol_id, "symbolName": f"/{ticker_of(cid)}", **fields,
                       "lastUpdated": stamp, "timestamp": stamp}
        else:
            changed = {k: v for k, v in fields.items() if self.sent[cid].get(k) != v}
            self.sent[cid].update(changed)
            payload = {"symbol": spec.symbol_id, **changed, "lastUpdated": stamp,
                       "timestamp": stamp}
        return json.dumps({"type": 1, "target": "GatewayQuote", "arguments": [cid, payload]},
                          separators=(",", ":")) + "\x1e"


class FakeConn:
    def __init__(self):
        self.out: collections.deque = collections.deque()
        self.subs: collections.Counter = collections.Counter()
        self.closing = False

    def push(self, text: str, times: int = 1) -> None:
        self.out.extend([text] * times)


def subscribed(spread: int):
    clock = FakeClock()
    gateway = Gateway(SimConfig(calendar_date="2026-12-04", spread_ticks=spread), "u", "k", clock)
    hubs = HubServer(gateway, "127.0.0.1", 0)        # not started: _drain is called by hand
    hubs._kick = lambda: None
    gateway.hub = hubs
    conn = FakeConn()
    for cid in CONTRACTS:
        conn.subs[("quotes", cid)] += 1
        hubs._by_topic[("quotes", cid)].add(conn)
    return clock, gateway, hubs, conn


def received(hubs, conn) -> list[str]:
    hubs._drain()
    texts = list(conn.out)
    conn.out.clear()
    return texts


def full_quote(hubs, conn, cid: str) -> list[str]:
    hubs._snapshot(conn, "SubscribeContractQuotes", [cid])
    texts = list(conn.out)
    conn.out.clear()
    return texts


contract = st.sampled_from(CONTRACTS)
step = st.one_of(
    st.tuples(st.just("tick"), contract),
    st.tuples(st.just("move"), contract, st.integers(1, 3_000_000),
              st.one_of(st.none(), st.integers(-3, 3)), st.one_of(st.none(), st.integers(0, 5))),
    st.tuples(st.just("volume"), contract, st.integers(1, 500)),
    st.tuples(st.just("clock"), st.integers(0, 2_000_000_000)),
    st.tuples(st.just("full"), contract),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spread=st.integers(0, 2), steps=st.lists(step, min_size=1, max_size=60))
def test_every_quote_record_is_the_text_the_old_writer_wrote(spread, steps):
    clock, gateway, hubs, conn = subscribed(spread)
    old = OldQuotes(gateway.market)
    for s in steps:
        kind, *args = s
        if kind == "clock":
            clock.advance(args[0] / 1e9)
            continue
        if kind == "full":
            assert full_quote(hubs, conn, args[0]) == [old.record(args[0], full=True)]
            continue
        if kind == "tick":
            gateway.tick([args[0]])
        elif kind == "volume":
            gateway.market.add_volume(args[0], args[1])
            gateway.move(args[0], gateway.market.last(args[0]))
        else:
            cid, ticks, bid_off, ask_off = args
            tick = gateway.market.specs[cid].tick_size
            bid = None if bid_off is None else tick * max(1, ticks + bid_off)
            ask = None if ask_off is None or bid is None else bid + tick * ask_off
            gateway.move(cid, tick * ticks, bid, ask)
        got = received(hubs, conn)
        want = [old.record(args[0])]
        assert got == want
        assert [json.loads(t[:-1]) for t in got] == [json.loads(t[:-1]) for t in want]


def test_a_quote_before_any_full_one_carries_every_field():
    clock, gateway, hubs, conn = subscribed(1)
    gateway.move(CONTRACTS[0], Decimal("6000.25"))
    (text,) = received(hubs, conn)
    data = json.loads(text[:-1])["arguments"][1]
    assert set(data) == {"symbol", *FIELDS, "lastUpdated", "timestamp"}
    assert data["lastPrice"] == 6000.25 and data["volume"] == 0


def test_the_controls_full_quote_is_still_a_dict():
    clock, gateway, hubs, conn = subscribed(0)
    quote = gateway.full_quote(CONTRACTS[1])
    assert quote["symbolName"] == "/MNQ" and isinstance(quote["lastPrice"], float)


def test_a_storm_quote_is_written_without_json_dumps(monkeypatch):
    """The hot path writes each quote from cached texts: json.dumps runs once per contract
    (its opening texts), not once per quote (what it cost before round 9)."""
    clock, gateway, hubs, conn = subscribed(1)
    for cid in CONTRACTS:                       # the first quote of each: heads made, cached
        gateway.tick([cid])
    received(hubs, conn)
    calls = []
    real = json.dumps

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)
    monkeypatch.setattr(json, "dumps", counting)         # the module every caller shares
    for i in range(600):
        clock.advance(0.00005)
        gateway.tick([CONTRACTS[i % len(CONTRACTS)]])
    assert len(received(hubs, conn)) == 600
    assert calls == []
