"""ProjectX models -> riskd market messages (pure; no I/O, no clock but the one passed in)."""
from __future__ import annotations

from typing import Optional

from shared import symbols
from shared.messages.market import (AccountUpdate, ContractInfo, Fill, OrderUpdate,
                                    PositionUpdate, Quote)
from shared.projectx.models import Account, Contract, Order, Position, QuoteUpdate, Trade


def account(a: Account) -> AccountUpdate:
    return AccountUpdate(account_id=a.id, name=a.name, balance=a.balance, can_trade=a.can_trade,
                         simulated=a.simulated)


def position(p: Position, now_ns: int) -> PositionUpdate:
    return PositionUpdate(account_id=p.account_id, position_id=p.id, contract_id=p.contract_id,
                          ts_ns=p.created_ns if p.created_ns is not None else now_ns,
                          type=int(p.type), size=p.size, average_price=p.average_price)


def order(o: Order, now_ns: int) -> OrderUpdate:
    return OrderUpdate(account_id=o.account_id, order_id=o.id, contract_id=o.contract_id,
                       created_ns=o.created_ns if o.created_ns is not None else now_ns,
                       updated_ns=o.updated_ns, status=int(o.status), type=int(o.type),
                       side=int(o.side), size=o.size, limit_price=o.limit_price,
                       stop_price=o.stop_price, fill_volume=o.fill_volume,
                       filled_price=o.filled_price, custom_tag=o.custom_tag)


def fill(t: Trade) -> Fill:
    return Fill(account_id=t.account_id, trade_id=t.id, contract_id=t.contract_id,
                ts_ns=t.created_ns, price=t.price, pnl=t.profit_and_loss, fees=t.fees,
                side=int(t.side), size=t.size, voided=t.voided, order_id=t.order_id)


def quote(q: QuoteUpdate, now_ns: int) -> Quote:
    ts = q.timestamp_ns or q.last_updated_ns or now_ns
    return Quote(contract_id=q.contract_id, ts_ns=ts, last=q.last_price, bid=q.best_bid,
                 ask=q.best_ask)


def ticker(contract_id: str, fallback: Optional[str] = None) -> str:
    """The ticker people write (ES for CON.F.US.EP.Z26), via the one table in shared.symbols."""
    if symbols.is_contract_id(contract_id):
        return symbols.ticker_of(contract_id)
    return fallback or contract_id


def contract(c: Contract) -> ContractInfo:
    return ContractInfo(contract_id=c.id, name=c.name, tick_size=c.tick_size,
                        tick_value=c.tick_value, symbol=ticker(c.id, c.name),
                        description=c.description)
