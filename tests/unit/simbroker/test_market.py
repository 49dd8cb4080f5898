"""The sim market: real roots and tick data, the random walk on the tick grid, sparse quotes."""
from __future__ import annotations

import random
from decimal import Decimal

import pytest

from services.simbroker.contracts import listed, products_with_fees
from services.simbroker.market import Market
from tests.unit.simbroker.conftest import CONTRACTS, DAY, ES, MNQ


def test_contracts_carry_real_roots_and_tick_data():
    specs = {c.id: c for c in CONTRACTS if c.active}
    expect = {"CON.F.US.MNQ.Z26": ("0.25", "0.50"), "CON.F.US.MES.Z26": ("0.25", "1.25"),
              "CON.F.US.ENQ.Z26": ("0.25", "5.00"), "CON.F.US.EP.Z26": ("0.25", "12.50"),
              "CON.F.US.RTY.Z26": ("0.10", "5.00"), "CON.F.US.M2K.Z26": ("0.10", "0.50"),
              "CON.F.US.CLE.F27": ("0.01", "10.00"), "CON.F.US.GCE.G27": ("0.10", "10.00"),
              "CON.F.US.MGC.G27": ("0.10", "1.00"), "CON.F.US.YM.Z26": ("1.00", "5.00"),
              "CON.F.US.MYM.Z26": ("1.00", "0.50")}
    assert set(specs) == set(expect)
    for cid, (tick, value) in expect.items():
        assert (specs[cid].tick_size, specs[cid].tick_value) == (Decimal(tick), Decimal(value))
    payload = specs[ES].payload()
    assert payload == {"id": ES, "name": "ESZ6", "description": "E-mini S&P 500: December 2026",
                       "tickSize": 0.25, "tickValue": 12.5, "activeContract": True,
                       "symbolId": "F.US.EP"}
    assert specs["CON.F.US.ENQ.Z26"].name == "NQZ6" and specs["CON.F.US.CLE.F27"].name == "CLF7"


def test_fee_overrides_by_ticker_or_root_and_unknown_key_refused():
    specs = {c.id: c for c in listed(products_with_fees({"ES": 2.0, "MNQ": 0.5}), DAY)}
    assert specs[ES].fee == Decimal("2.0") and specs[MNQ].fee == Decimal("0.5")
    assert specs["CON.F.US.EP.H27"].fee == Decimal("2.0")          # every month of the product
    assert specs["CON.F.US.MES.Z26"].fee == Decimal("0.37")
    with pytest.raises(ValueError, match="known ticker"):
        products_with_fees({"ZZ": 1.0})


def test_random_walk_is_seeded_and_stays_on_the_tick_grid(clock):
    a = Market(CONTRACTS, clock, random.Random(5))
    b = Market(CONTRACTS, clock, random.Random(5))
    for _ in range(200):
        a.step_all()
        b.step_all()
    for cid, spec in a.specs.items():
        assert a.last(cid) == b.last(cid)
        assert a.last(cid) % spec.tick_size == 0
        assert a.ask(cid) - a.bid(cid) == spec.tick_size       # default spread: one tick
        assert abs(a.last(cid) - spec.start_price) <= 200 * spec.tick_size


def test_set_last_rounds_to_the_tick_and_places_bid_ask(clock):
    m = Market(CONTRACTS, clock, random.Random(1), spread_ticks=2)
    m.set_last(MNQ, Decimal("21010.13"))
    assert (m.last(MNQ), m.bid(MNQ), m.ask(MNQ)) == (
        Decimal("21010.25"), Decimal("21010.25"), Decimal("21010.75"))
    m.set_last(MNQ, Decimal("21000"), bid=Decimal("20999.75"), ask=Decimal("21000.25"))
    assert (m.bid(MNQ), m.ask(MNQ)) == (Decimal("20999.75"), Decimal("21000.25"))
    with pytest.raises(ValueError, match="positive price"):
        m.set_last(MNQ, Decimal("-1"))
    with pytest.raises(KeyError, match="unknown contract"):
        m.set_last("CON.F.US.XX.Z26", Decimal("1"))


def test_quotes_are_full_then_sparse(clock):
    m = Market(CONTRACTS, clock, random.Random(1), spread_ticks=1)
    full = m.quote(ES, full=True)
    assert set(full) == {"symbol", "symbolName", "lastPrice", "bestBid", "bestAsk", "change",
                         "changePercent", "open", "high", "low", "volume", "lastUpdated",
                         "timestamp"}
    assert full["symbolName"] == "/ES" and full["symbol"] == "F.US.EP"
    first = m.quote(ES)                        # a change from the full quote: none yet
    assert set(first) == {"symbol", "lastUpdated", "timestamp"}
    clock.advance(1)
    m.set_last(ES, Decimal("6000"))            # same price, nothing but the stamps changed
    assert set(m.quote(ES)) == {"symbol", "lastUpdated", "timestamp"}
    m.set_last(ES, Decimal("6000.25"))
    sparse = m.quote(ES)
    assert sparse["lastPrice"] == 6000.25 and "open" not in sparse and "volume" not in sparse
    assert sparse["timestamp"].endswith("+00:00") and len(sparse["timestamp"].split(".")[1]) == 13


def test_a_sparse_quote_after_a_full_one_is_a_change_from_what_the_full_one_said(clock):
    """Found by bench wide: subscribed at 20860, unsubscribed, moved to 21000 (no sparse quote
    made), a new subscriber's full quote says 21000, the move back to 20860 must carry
    lastPrice (it was left out as 'unchanged' from the stale 20860, and the client kept
    21000)."""
    m = Market(CONTRACTS, clock, random.Random(1), spread_ticks=1)
    m.quote(MNQ, full=True)
    m.set_last(MNQ, Decimal("20860"))
    assert m.quote(MNQ)["lastPrice"] == 20860.0         # the subscriber heard it
    m.set_last(MNQ, Decimal("21000"))                    # nobody subscribed: no quote made
    assert m.quote(MNQ, full=True)["lastPrice"] == 21000.0
    m.set_last(MNQ, Decimal("20860"))
    assert m.quote(MNQ)["lastPrice"] == 20860.0
