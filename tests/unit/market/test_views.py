"""What `riskctl positions` / `orders` show: tickers, sides, open PnL from the contract's tick data."""
from decimal import Decimal

from services.market.state import MarketState
from services.market.views import orders_table, positions_table, unrealized
from shared.messages.market import (AccountUpdate, ContractInfo, OrderUpdate, PositionUpdate,
                                    Quote)

ES = "CON.F.US.EP.Z26"


def test_a_short_es_position_shows_es_and_its_open_pnl_in_money():
    state = MarketState()
    state.apply(AccountUpdate(account_id=1, name="SIM-1", balance=Decimal(50000), can_trade=True))
    state.apply(ContractInfo(contract_id=ES, name="EPZ6", tick_size=Decimal("0.25"),
                             tick_value=Decimal("12.50"), symbol="ES"))
    state.apply(PositionUpdate(account_id=1, position_id=9, contract_id=ES, ts_ns=1, type=2,
                               size=2, average_price=Decimal("5000.00")))
    state.apply(Quote(contract_id=ES, ts_ns=2, last=Decimal("4998.75")))
    (row,) = positions_table(state).positions
    assert (row.ticker, row.side, row.size, row.account_name) == ("ES", "short", 2, "SIM-1")
    assert row.unrealized == Decimal("125.00")          # 5 ticks x 12.50 x 2, short gains
    assert positions_table(state, account_id=2).positions == []


def test_open_pnl_is_unknown_without_a_price_or_contract_data():
    assert unrealized(None, 1, Decimal(1), Decimal(2)) is None
    info = ContractInfo(contract_id=ES, name="", tick_size=Decimal("0.25"),
                        tick_value=Decimal("12.5"), symbol="ES")
    assert unrealized(info, 1, Decimal(1), None) is None


def test_orders_show_names_not_numbers_and_keep_unknown_codes():
    state = MarketState()
    for oid, status, type_ in ((1, 1, 1), (2, 8, 4), (3, 6, 99)):
        state.apply(OrderUpdate(account_id=1, order_id=oid, contract_id=ES, created_ns=0,
                                updated_ns=None, status=status, type=type_, side=oid % 2, size=1))
    rows = orders_table(state).orders
    assert [(r.order_id, r.side, r.type, r.status, r.ticker) for r in rows] == [
        (1, "sell", "limit", "open", "ES"), (2, "buy", "stop", "suspended", "ES"),
        (3, "sell", "99", "pending", "ES")]
