"""The sim's event orders: each fill's Trade, Position, Order and Account events in the
TopstepX order, Position first, a seeded random order, or twice; nothing else moves."""
from __future__ import annotations

import collections
import random

import pytest
from hypothesis import given, settings, strategies as st

from services.simbroker.ordering import (POSITION_FIRST, RANDOM, TRADE_FIRST, arrange, groups,
                                         quirks_of)
from shared.clock import FakeClock
from tests.unit.simbroker.conftest import ES, MNQ, make_ledger

BUY, SELL, MARKET, LIMIT = 0, 1, 2, 1
T, P, O, A = "GatewayUserTrade", "GatewayUserPosition", "GatewayUserOrder", "GatewayUserAccount"


def a_busy_batch(book):
    """A market buy of 2 MNQ with a bracket (its children wake after the fill), an ES limit
    that rests, an ES market sell: order events around two fills."""
    market, ledger = book
    placed = ledger.place(1, MNQ, MARKET, BUY, 2, stop_loss_ticks=8, take_profit_ticks=8)
    rest = ledger.place(1, ES, LIMIT, BUY, 1, limit_price=market.last(ES) - 100)
    sell = ledger.place(1, ES, MARKET, SELL, 1)
    return list(placed.events + rest.events + sell.events)


def test_a_fill_is_its_trade_position_filled_order_and_account(book):
    events = a_busy_batch(book)
    fills = [g for g in groups(events) if g[0].target == T]
    assert [[e.target for e in g] for g in fills] == [[T, P, O, A], [T, P, O, A]]
    for g in fills:
        assert g[2].payload["id"] == g[0].payload["orderId"]
        assert g[1].payload["contractId"] == g[0].payload["contractId"]
    assert sum(len(g) for g in groups(events)) == len(events)


def test_trade_first_is_the_ledgers_own_order_and_the_default(book):
    events = a_busy_batch(book)
    assert arrange(events) == events == arrange(events, TRADE_FIRST)


def test_position_first_moves_only_each_fills_position_ahead_of_its_trade(book):
    events = a_busy_batch(book)
    out = arrange(events, POSITION_FIRST)
    assert sorted(map(id, out)) == sorted(map(id, events))
    for i, e in enumerate(out):
        if e.target == T:
            assert out[i - 1].target == P
            assert out[i - 1].payload["contractId"] == e.payload["contractId"]


def test_the_random_order_varies_reproducibly_by_seed_and_moves_nothing_else(book):
    events = a_busy_batch(book)
    seen = {tuple(e.target for e in arrange(events, RANDOM, rng=random.Random(s)))
            for s in range(30)}
    assert len(seen) > 3                                      # the fills really vary
    assert any(t.index(P) < t.index(T) for t in seen) and any(t.index(T) < t.index(P)
                                                              for t in seen)
    one = arrange(events, RANDOM, rng=random.Random(11))
    assert one == arrange(events, RANDOM, rng=random.Random(11))
    in_fills = {id(e) for g in groups(events) if g[0].target == T for e in g}
    outside = [e for e in events if id(e) not in in_fills]
    assert [e for e in one if id(e) not in in_fills] == outside


def test_duplicates_send_every_event_of_a_fill_twice(book):
    events = a_busy_batch(book)
    for order in (TRADE_FIRST, RANDOM):
        out = arrange(events, order, duplicate=True, rng=random.Random(3))
        count = collections.Counter(id(e) for e in out)
        fill_ids = {id(e) for g in groups(events) if g[0].target == T for e in g}
        assert {i: n for i, n in count.items() if n == 2}.keys() == fill_ids
        assert len(out) == len(events) + len(fill_ids)


def test_duplicate_trades_repeat_each_trade_right_after_itself(book):
    events = a_busy_batch(book)
    out = arrange(events, POSITION_FIRST, duplicate_trades=True)
    trades = [i for i, e in enumerate(out) if e.target == T]
    assert len(trades) == 4 and trades[1] == trades[0] + 1 and trades[3] == trades[2] + 1


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2 ** 32), sizes=st.lists(st.integers(1, 4), min_size=1, max_size=5),
       duplicate=st.booleans())
def test_any_random_order_keeps_each_fill_whole_and_every_other_event_in_place(
        seed, sizes, duplicate):
    market, ledger = make_ledger(FakeClock())
    events = []
    for n, size in enumerate(sizes):
        events += ledger.place(1, MNQ if n % 2 else ES, MARKET, n % 2, size).events
    out = arrange(events, RANDOM, duplicate=duplicate, rng=random.Random(seed))
    fills_in = [g for g in groups(events) if g[0].target == T]
    # each fill's events arrive together (contiguous), as a permutation of the fill
    at = 0
    for g in groups(events):
        width = len(g) * (2 if duplicate and g[0].target == T else 1)
        chunk = out[at:at + width]
        assert collections.Counter(map(id, chunk)) == collections.Counter(
            map(id, g * (2 if duplicate and g[0].target == T else 1)))
        at += width
    assert at == len(out) and len(fills_in) == len(sizes)


def test_the_config_keys_switch_the_same_quirks():
    assert quirks_of("trade_first", False) == {"positionBeforeTrade": False,
                                               "randomOrder": False, "duplicateFills": False}
    assert quirks_of("random", True)["randomOrder"] and quirks_of("random", True)["duplicateFills"]
    assert quirks_of("position_first", False)["positionBeforeTrade"]
    with pytest.raises(ValueError, match="trade_first"):
        quirks_of("sideways", False)
    with pytest.raises(ValueError):
        arrange([], "sideways")
