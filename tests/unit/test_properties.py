"""Property-based tests (hypothesis) for the codec and the PnL arithmetic.

The codec must give back exactly what it was given, for any money value the broker can send
(up to 10 fractional digits) and any 64-bit timestamp. Unrealized PnL is checked against facts
that do not repeat its formula: hand-computed cases, and the broker's own profitAndLoss (the
sim's ledger, its own code) when the position is closed at that price, for every contract the
sim lists; it also flips sign with the side, scales with the size and is zero at the average.
"""
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.risk.pnl import unrealized
from services.simbroker.accounts import Ledger
from services.simbroker.entities import BUY, MARKET, SELL, Account
from services.simbroker.market import Market
from shared import codec
from shared.clock import FakeClock
from shared.messages.market import ContractInfo, Fill, Quote
from tests.unit.simbroker.conftest import CONTRACTS as SIM_CONTRACTS

money = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=10,
                    allow_nan=False, allow_infinity=False)
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=10,
                     allow_nan=False, allow_infinity=False)
ns = st.integers(min_value=0, max_value=2**63 - 1)
CONTRACTS = [ContractInfo(contract_id="CON.F.US.MNQ.Z26", name="MNQZ6", symbol="MNQ",
                          tick_size=Decimal("0.25"), tick_value=Decimal("0.50")),
             ContractInfo(contract_id="CON.F.US.CLE.Z26", name="CLZ6", symbol="CL",
                          tick_size=Decimal("0.01"), tick_value=Decimal("10.00"))]


@settings(max_examples=300, deadline=None)
@given(money, st.none() | money, money, ns, st.integers(min_value=1, max_value=10_000))
def test_a_fill_comes_back_exactly_as_sent(price, pnl, fees, ts, size):
    fill = Fill(account_id=1, trade_id=2, contract_id="CON.F.US.MNQ.Z26", ts_ns=ts, price=price,
                pnl=pnl, fees=fees, side=0, size=size)
    env = codec.decode(codec.encode(fill, "market", ts, ts, ts))
    assert env.msg == fill and (env.seq, env.ts_ns) == (ts, ts)


@settings(max_examples=300, deadline=None)
@given(st.none() | prices, st.none() | prices, st.none() | prices, ns)
def test_a_sparse_quote_keeps_its_missing_prices_missing(last, bid, ask, ts):
    quote = Quote(contract_id="CON.F.US.EP.Z26", ts_ns=ts, last=last, bid=bid, ask=ask)
    assert codec.decode(codec.encode(quote)).msg == quote


def info(contract_id: str) -> ContractInfo:
    spec = next(c for c in SIM_CONTRACTS if c.id == contract_id)
    return ContractInfo(contract_id=spec.id, name=spec.name, symbol=spec.root,
                        tick_size=spec.tick_size, tick_value=spec.tick_value)


@pytest.mark.parametrize("contract, side, size, avg, price, expected", [
    # MNQ: 0.25 = $0.50, so $2 a point: long 2 from 21000.25, 20 points lower
    ("CON.F.US.MNQ.Z26", 1, 2, "21000.25", "20980.25", "-80"),
    # short 3 MES ($5 a point) from 6000, 1.5 points lower: a gain
    ("CON.F.US.MES.Z26", -1, 3, "6000", "5998.5", "22.5"),
    # RTY: 0.10 = $5, $50 a point: long 1, 39 points lower
    ("CON.F.US.RTY.Z26", 1, 1, "2200", "2161", "-1950"),
    # one tick of ES ($12.50) on 4 contracts, short, against
    ("CON.F.US.EP.Z26", -1, 4, "6000", "6000.25", "-50"),
])
def test_unrealized_matches_hand_computed_cases(contract, side, size, avg, price, expected):
    assert unrealized(side, size, Decimal(avg), Decimal(price), info(contract)) == \
        Decimal(expected)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([c.id for c in SIM_CONTRACTS]), st.sampled_from([1, -1]),
       st.integers(min_value=1, max_value=50), st.integers(min_value=5000, max_value=400_000),
       st.integers(min_value=-2000, max_value=2000))
def test_unrealized_equals_what_the_broker_books_when_the_position_closes_there(
        contract, side, size, entry_ticks, move_ticks):
    clock = FakeClock()
    market = Market(SIM_CONTRACTS, clock, random.Random(1), spread_ticks=0)
    ledger = Ledger(market, clock, [Account(id=1, name="A", balance=Decimal(10**9))])
    spec = info(contract)
    entry = entry_ticks * spec.tick_size
    price = (entry_ticks + move_ticks) * spec.tick_size
    market.set_last(contract, entry)
    assert ledger.place(1, contract, MARKET, BUY if side > 0 else SELL, size).success
    mine = unrealized(side, size, entry, price, spec)
    market.set_last(contract, price)
    closed = ledger.place(1, contract, MARKET, SELL if side > 0 else BUY, size)
    [trade] = [e.payload for e in closed.events if e.target == "GatewayUserTrade"]
    assert mine == Decimal(str(trade["profitAndLoss"]))
    assert mine == -unrealized(-side, size, entry, price, spec)
    assert unrealized(side, size * 2, entry, price, spec) == mine * 2
    assert unrealized(side, size, entry, entry, spec) == 0


@given(prices, st.integers(min_value=1, max_value=50))
def test_unrealized_without_a_price_or_contract_is_unknown_never_zero(avg, size):
    assert unrealized(1, size, avg, None, CONTRACTS[0]) is None
    assert unrealized(1, size, avg, avg, None) is None
