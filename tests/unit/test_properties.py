"""Property-based tests (hypothesis) for the codec and the PnL arithmetic.

The codec must give back exactly what it was given, for any money value the broker can send
(up to 10 fractional digits) and any 64-bit timestamp; unrealized PnL must be exact, flip sign
with the side, scale with the size, and be zero at the average price.
"""
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from services.risk.pnl import unrealized
from shared import codec
from shared.messages.market import ContractInfo, Fill, Quote

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


@settings(max_examples=300, deadline=None)
@given(prices, prices, st.integers(min_value=1, max_value=500), st.sampled_from(CONTRACTS))
def test_unrealized_is_exact_signed_by_side_and_linear_in_size(avg, price, size, contract):
    long_ = unrealized(1, size, avg, price, contract)
    short = unrealized(-1, size, avg, price, contract)
    assert long_ == -short
    assert long_ == (price - avg) / contract.tick_size * contract.tick_value * size
    assert unrealized(1, size * 2, avg, price, contract) == long_ * 2
    assert unrealized(1, size, avg, avg, contract) == 0


@given(prices, st.integers(min_value=1, max_value=50))
def test_unrealized_without_a_price_or_contract_is_unknown_never_zero(avg, size):
    assert unrealized(1, size, avg, None, CONTRACTS[0]) is None
    assert unrealized(1, size, avg, avg, None) is None
