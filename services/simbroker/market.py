"""The sim broker's market: the listed contracts' prices, a random walk, quotes.

Pure: takes a clock and a seeded random.Random, does no I/O. Prices live as
whole ticks (ints) so nothing drifts off the tick grid; bid sits at the last
price and ask spread_ticks above it (spread 0: bid = ask = last). Quotes are
written sparse, as the gateway does: after the first full quote a contract's
update carries only the fields that changed (plus symbol and the timestamps).
The storm's hot path writes a quote's JSON text by hand (quote_json) from
cached pieces: each price's number and text once per price, not per quote.
"""
from __future__ import annotations

import json
import random
from decimal import Decimal
from typing import Iterable, Optional

import attrs

from services.simbroker.contracts import ContractSpec
from services.simbroker.wire import iso, num
from shared.clock import Clock
from shared.symbols import ticker_of

@attrs.define
class _Book:
    """One contract's price state, in ticks."""
    last: int
    bid: int
    ask: int
    open: int
    high: int
    low: int
    prev_close: int
    volume: int = 0
    updated_ns: int = 0
    sent: Optional[list] = None           # QUOTE_FIELDS' values in the last quote written
    depth_sent: Optional[tuple] = None    # (ask ticks, bid ticks) of the last depth written


DEPTH_LEVELS = 5                # price levels each side in GatewayDepth
ASK, BID, BEST_ASK, BEST_BID, RESET = 1, 2, 3, 4, 6     # DomType


def _level_volume(ticks: int) -> int:
    """A resting size for a price level: deterministic, so a level that stays keeps it."""
    return 3 + (ticks * 7) % 29


QUOTE_FIELDS = ("lastPrice", "bestBid", "bestAsk", "change", "changePercent", "open", "high",
                "low", "volume")
_KEYS = tuple(f',"{name}":' for name in QUOTE_FIELDS)      # each field's text before its value


class Market:
    """Every contract's price and quote; moves by random walk, by set_last and by fills."""

    def __init__(self, contracts: Iterable[ContractSpec], clock: Clock, rng: random.Random,
                 spread_ticks: int = 1):
        self.clock = clock
        self.rng = rng
        self.spread = spread_ticks
        self.specs: dict[str, ContractSpec] = {}      # every contract ever listed (by id)
        self.listed: list[str] = []                   # the ones listed now, catalogue order
        self.is_open = True
        self._books: dict[str, _Book] = {}
        self._floats: dict[str, dict[int, float]] = {}
        self._texts: dict[str, dict[int, tuple[float, str]]] = {}     # ticks -> number, text
        self._percents: dict[tuple[int, int], tuple[float, str]] = {}
        self._quote_heads: dict[str, tuple[str, str]] = {}
        self.list(contracts)

    def list(self, contracts: Iterable[ContractSpec]) -> None:
        """List these contracts now (a roll): new ones start at their start price; a contract
        no longer listed keeps its book, so positions in it still price and close."""
        now = self.clock.now_ns()
        contracts = list(contracts)
        for c in contracts:
            if c.id not in self._books:
                t = int(c.start_price / c.tick_size)
                self._books[c.id] = _Book(last=t, bid=t, ask=t + self.spread, open=t, high=t,
                                          low=t, prev_close=t, updated_ns=now)
            self.specs[c.id] = c
        self.listed = [c.id for c in contracts]

    # -- lookups ---------------------------------------------------------------
    def ids(self) -> list[str]:
        """The contracts listed now."""
        return list(self.listed)

    def active_ids(self) -> list[str]:
        """The active month of each product (what the random walk moves)."""
        return [cid for cid in self.listed if self.specs[cid].active]

    def listed_specs(self) -> list[ContractSpec]:
        return [self.specs[cid] for cid in self.listed]

    def spec(self, contract_id: str) -> ContractSpec:
        try:
            return self.specs[contract_id]
        except KeyError:
            raise KeyError(f"unknown contract {contract_id!r}") from None

    def _price(self, contract_id: str, ticks: int) -> Decimal:
        return self.specs[contract_id].tick_size * ticks

    def last(self, contract_id: str) -> Decimal:
        return self._price(contract_id, self._books[contract_id].last)

    def bid(self, contract_id: str) -> Decimal:
        return self._price(contract_id, self._books[contract_id].bid)

    def ask(self, contract_id: str) -> Decimal:
        return self._price(contract_id, self._books[contract_id].ask)

    def to_ticks(self, contract_id: str, price: Decimal) -> int:
        """A price -> whole ticks (rounded to the nearest tick)."""
        return int((price / self.spec(contract_id).tick_size).to_integral_value())

    def round_price(self, contract_id: str, price: Decimal) -> Decimal:
        return self._price(contract_id, self.to_ticks(contract_id, price))

    # -- moves ---------------------------------------------------------------------
    def _move(self, contract_id: str, ticks: int, bid: Optional[int] = None,
              ask: Optional[int] = None) -> None:
        b = self._books[contract_id]
        b.last = max(1, ticks)
        b.bid = b.last if bid is None else max(1, bid)
        b.ask = b.bid + self.spread if ask is None else max(b.bid, ask)
        b.high = max(b.high, b.last)
        b.low = min(b.low, b.last)
        b.updated_ns = self.clock.now_ns()

    def step(self, contract_id: str) -> None:
        """One random-walk step of one tick up or down, pulled back toward the start price."""
        b = self._books[contract_id]
        drift = (b.last - b.prev_close) / max(1, b.prev_close) * 50     # 1% away: 0.5 bias
        up = self.rng.random() < 0.5 - max(-0.4, min(0.4, drift))
        self._move(contract_id, b.last + (1 if up else -1))
        b.volume += self.rng.randint(1, 5)

    def step_all(self) -> list[str]:
        for cid in self.listed:
            self.step(cid)
        return list(self.listed)

    def set_last(self, contract_id: str, price: Decimal, bid: Optional[Decimal] = None,
                 ask: Optional[Decimal] = None) -> None:
        """Move a contract to price (rounded to its tick); bid/ask optional, else around it."""
        self.spec(contract_id)
        if price <= 0:
            raise ValueError(f"expected a positive price for {contract_id}, got {price}")
        self._move(contract_id, self.to_ticks(contract_id, price),
                   None if bid is None else self.to_ticks(contract_id, bid),
                   None if ask is None else self.to_ticks(contract_id, ask))

    def restore_last(self, contract_id: str, ticks: int) -> None:
        """Start from where a previous run left the price (the day's open, high, low too)."""
        b = self._books[contract_id]
        b.last = b.bid = b.open = b.high = b.low = b.prev_close = ticks
        b.ask = ticks + self.spread

    def last_ticks(self, contract_id: str) -> int:
        return self._books[contract_id].last

    def volume(self, contract_id: str) -> int:
        return self._books[contract_id].volume

    def add_volume(self, contract_id: str, size: int) -> None:
        self._books[contract_id].volume += size

    # -- depth and prints ---------------------------------------------------------
    def price_json(self, contract_id: str, ticks: int) -> float:
        """A price in ticks as the JSON number it is written as (cached: the hot path)."""
        cache = self._floats.get(contract_id)
        if cache is None:
            cache = self._floats[contract_id] = {}
        value = cache.get(ticks)
        if value is None:
            value = cache[ticks] = float(self._price(contract_id, ticks))
        return value

    def depth(self, contract_id: str, reset: bool = False) -> str:
        """GatewayDepth data as a JSON array, consistent with the quote: the book is best ask
        and bid and DEPTH_LEVELS asks upward from bestAsk, bids downward from bestBid, a
        level's size a function of its price. reset: a reset (6) and the whole book (for a
        new subscriber); else what changed since the last depth written: best ask and bid,
        levels that left the book (volume 0) and levels that joined it."""
        b = self._books[contract_id]
        asks = range(b.ask, b.ask + DEPTH_LEVELS)
        bids = range(b.bid - DEPTH_LEVELS + 1, b.bid + 1)
        rows = [(RESET, 0, 0)] if reset else []
        rows += [(BEST_ASK, b.ask, _level_volume(b.ask)), (BEST_BID, b.bid, _level_volume(b.bid))]
        old = None if reset else b.depth_sent
        for kind, now, before in ((ASK, asks, old and old[0]), (BID, bids, old and old[1])):
            if before is not None:
                rows += [(kind, t, 0) for t in before if t not in now]
            rows += [(kind, t, _level_volume(t)) for t in now if before is None or t not in before]
        b.depth_sent = (asks, bids)
        stamp = iso(b.updated_ns)
        p = self.price_json
        return "[" + ",".join(
            f'{{"timestamp":"{stamp}","type":{kind},"price":{p(contract_id, t) if t else 0.0!r},'
            f'"volume":{v},"currentVolume":{v}}}' for kind, t, v in rows) + "]"

    def prints(self, contract_id: str, price: float, side: int, size: int) -> str:
        """GatewayTrade data, one print as a JSON array (type 0 a buy, 1 a sell)."""
        return (f'[{{"symbolId":"{self.spec(contract_id).symbol_id}","price":{price!r},'
                f'"timestamp":"{iso(self.clock.now_ns())}","type":{side},"volume":{size}}}]')

    # -- quotes -------------------------------------------------------------------
    def _quote_values(self, contract_id: str) -> tuple[list, list]:
        """The quote's field values (QUOTE_FIELDS order, as JSON numbers) and their JSON text,
        from cached pieces: a price's float and text once per price, not once per quote."""
        b = self._books[contract_id]
        cache = self._texts.get(contract_id)
        if cache is None:
            cache = self._texts[contract_id] = {}
        change = b.last - b.prev_close
        try:
            p = (cache[b.last], cache[b.bid], cache[b.ask], cache[change], cache[b.open],
                 cache[b.high], cache[b.low])
        except KeyError:
            for t in (b.last, b.bid, b.ask, change, b.open, b.high, b.low):
                if t not in cache:
                    value = self.price_json(contract_id, t)
                    cache[t] = (value, repr(value))
            p = (cache[b.last], cache[b.bid], cache[b.ask], cache[change], cache[b.open],
                 cache[b.high], cache[b.low])
        pct = self._percents.get((change, b.prev_close))
        if pct is None:
            if len(self._percents) > 100_000:       # set_last can go anywhere: stay bounded
                self._percents.clear()
            value = round(change / b.prev_close * 100, 4) if b.prev_close else 0.0
            pct = self._percents[(change, b.prev_close)] = (value, repr(value))
        return ([p[0][0], p[1][0], p[2][0], p[3][0], pct[0], p[4][0], p[5][0], p[6][0], b.volume],
                [p[0][1], p[1][1], p[2][1], p[3][1], pct[1], p[4][1], p[5][1], p[6][1],
                 str(b.volume)])

    def _heads(self, contract_id: str) -> tuple[str, str]:
        """The quote's opening text, sparse and full (symbol, and symbolName when full)."""
        heads = self._quote_heads.get(contract_id)
        if heads is None:
            sparse = '{"symbol":' + json.dumps(self.spec(contract_id).symbol_id)
            heads = self._quote_heads[contract_id] = (
                sparse, sparse + ',"symbolName":' + json.dumps(f"/{ticker_of(contract_id)}"))
        return heads

    def quote_json(self, contract_id: str, full: bool = False) -> str:
        """The GatewayQuote payload as JSON text: full (a new subscriber) or sparse (the fields
        changed since the last quote written, compared as the JSON numbers they are).

        The text is what json.dumps(..., separators=(",", ":")) made of the payload dict
        before round 9 (tests/unit/simbroker/test_quote_wire.py), written from cached
        pieces: the storm's hot path."""
        sparse_head, full_head = self._heads(contract_id)
        b = self._books[contract_id]
        values, texts = self._quote_values(contract_id)
        stamp = iso(b.updated_ns)
        tail = f',"lastUpdated":"{stamp}","timestamp":"{stamp}"}}'
        if full:
            # what a new subscriber now knows: the next sparse quote is a change from this
            # (with no subscriber, sparse quotes are not made and `sent` went stale: a move
            # back to its price would leave lastPrice out, and the client keep this one)
            b.sent = values
            return full_head + "".join(map(str.__add__, _KEYS, texts)) + tail
        sent = b.sent
        b.sent = values
        if sent is None:
            return sparse_head + "".join(map(str.__add__, _KEYS, texts)) + tail
        return sparse_head + "".join([k + text for k, text, v, before in
                                      zip(_KEYS, texts, values, sent) if v != before]) + tail

    def quote(self, contract_id: str, full: bool = False) -> dict:
        """The GatewayQuote payload as a dict (the same as quote_json's text, parsed)."""
        return json.loads(self.quote_json(contract_id, full))
