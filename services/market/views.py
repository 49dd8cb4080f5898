"""Read-only views of the market state for riskctl: open positions and working orders.

Pure row building (positions_table / orders_table) plus register_views(worker),
which answers PositionsRequest and OrdersRequest on the worker's control socket.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from services.market import translate
from services.market.state import MarketState
from shared import pricewords
from shared.messages.market import (POSITION_SHORT, SIDE_BUY, ContractInfo, OrderRow,
                                    OrdersRequest, OrdersTable, PositionRow, PositionsRequest,
                                    PositionsTable)
from shared.messages.system import ok
from shared.projectx.models import OrderStatus, OrderType

TYPE_NAMES = {t.value: t.name.lower().replace("_", " ") for t in OrderType}
STATUS_NAMES = {s.value: s.name.lower().replace("_", " ") for s in OrderStatus}


def unrealized(contract: Optional[ContractInfo], signed_size: int, average: Decimal,
               last: Optional[Decimal]) -> Optional[Decimal]:
    """Open PnL in money from the contract's own tick size and value; None if unknown."""
    if contract is None or last is None or not contract.tick_size:
        return None
    ticks = (last - average) / contract.tick_size
    return (ticks * contract.tick_value * signed_size).quantize(Decimal("0.01"))


def _name(state: MarketState, account_id: int) -> str:
    account = state.accounts.get(account_id)
    return account.name if account else str(account_id)


def positions_table(state: MarketState, account_id: Optional[int] = None) -> PositionsTable:
    rows = []
    for p in sorted(state.positions.values(), key=lambda p: (p.account_id, p.contract_id)):
        if account_id is not None and p.account_id != account_id:
            continue
        short = p.type == POSITION_SHORT
        quote = state.quotes.get(p.contract_id)
        last = quote.last if quote else None
        contract = state.contracts.get(p.contract_id)
        # as risk values it: only a quote that arrived since the position opened (its
        # broker time) is news about it (shared/pricewords.py)
        arrived = state.arrived_ns.get(p.contract_id)
        why = (pricewords.NO_QUOTE if last is None
               else pricewords.NOT_SINCE_OPENED if arrived is not None and arrived < p.ts_ns
               else pricewords.NO_CONTRACT if contract is None or not contract.tick_size
               else "")
        rows.append(PositionRow(
            account_id=p.account_id, account_name=_name(state, p.account_id),
            contract_id=p.contract_id, ticker=translate.ticker(p.contract_id),
            side="short" if short else "long", size=p.size, average_price=p.average_price,
            last=last, unrealized=None if why else unrealized(
                contract, -p.size if short else p.size, p.average_price, last),
            since_ns=p.ts_ns, quoted_ns=arrived, unvalued=why))
    return PositionsTable(positions=rows, connections=list(state.connections.values()))


def orders_table(state: MarketState, account_id: Optional[int] = None) -> OrdersTable:
    rows = []
    for o in sorted(state.orders.values(), key=lambda o: (o.account_id, o.order_id)):
        if account_id is not None and o.account_id != account_id:
            continue
        rows.append(OrderRow(
            account_id=o.account_id, account_name=_name(state, o.account_id),
            order_id=o.order_id, contract_id=o.contract_id, ticker=translate.ticker(o.contract_id),
            side="buy" if o.side == SIDE_BUY else "sell",
            type=TYPE_NAMES.get(o.type, str(o.type)),
            status=STATUS_NAMES.get(o.status, str(o.status)), size=o.size,
            limit_price=o.limit_price, stop_price=o.stop_price, fill_volume=o.fill_volume,
            custom_tag=o.custom_tag, created_ns=o.created_ns))
    return OrdersTable(orders=rows, connections=list(state.connections.values()))


def register_views(worker) -> None:
    """Answer PositionsRequest and OrdersRequest from worker.state."""
    worker.handle(PositionsRequest, lambda req: ok(positions_table(worker.state, req.account_id)))
    worker.handle(OrdersRequest, lambda req: ok(orders_table(worker.state, req.account_id)))
