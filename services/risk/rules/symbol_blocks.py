"""11. symbol_blocks: an order or position in a blocked symbol is cancelled / closed."""
from __future__ import annotations

from services.risk.rules.base import ORDER, POSITION, Rule, symbol_matches
from services.risk.state import symbol_of
from shared.messages.risk import CANCEL_ORDERS, CLOSE_POSITION


def blocked(params, contract_id: str) -> bool:
    return any(symbol_matches(s, contract_id) for s in params.symbols)


class SymbolBlocks(Rule):
    name = "symbol_blocks"
    listens = frozenset({POSITION, ORDER})
    description = "orders and positions in blocked symbols: cancel / close them"
    warns = False

    def evaluate(self, ctx, event, now, params):
        if not params.symbols:
            return []
        out = [self.decide(ctx, params, now, CLOSE_POSITION,
                           f"{p.symbol} is a blocked symbol", contract_id=p.contract_id)
               for p in ctx.account.positions.values() if blocked(params, p.contract_id)]
        out += [self.decide(ctx, params, now, CANCEL_ORDERS,
                            f"order {o.order_id} in blocked symbol {symbol_of(o.contract_id)}",
                            contract_id=o.contract_id, order_id=o.order_id)
                for o in ctx.account.orders.values() if blocked(params, o.contract_id)]
        return out
