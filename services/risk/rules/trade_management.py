"""12. trade_management: move the position's stop to breakeven, then trail it (automation).

In profit by breakeven_after_ticks: the stop goes to the average price (rounded onto the tick
grid in the trader's favour). In profit by trail_after_ticks: the stop trails the price at
trail_distance_ticks. A stop only ever moves in the protective direction; with no working
stop nothing is done (no_stop_loss_grace covers that).
"""
from __future__ import annotations

from services.risk.pnl import profit_ticks, round_to_tick
from services.risk.rules.base import POSITION, QUOTE, Rule, quoted
from services.risk.stops import stop_orders
from shared.messages.risk import MODIFY_STOP


def target_stop(p, price, contract, params):
    """Where the stop should be now, or None when no threshold is reached."""
    ticks = profit_ticks(p.side, p.average_price, price, contract)
    if params.trail_after_ticks and ticks >= params.trail_after_ticks:
        return price - p.side * params.trail_distance_ticks * contract.tick_size, "trail"
    if params.breakeven_after_ticks and ticks >= params.breakeven_after_ticks:
        return round_to_tick(p.average_price, contract, up=p.side > 0), "breakeven"
    return None


class TradeManagement(Rule):
    name = "trade_management"
    listens = frozenset({QUOTE, POSITION})
    description = "move the stop to breakeven, then trail it, as profit grows"
    warns = False

    def evaluate(self, ctx, event, now, params):
        only = quoted(event)
        out = []
        for p in ctx.account.positions.values():
            if only is not None and p.contract_id not in only:
                continue
            price = ctx.market.price_of(p)
            contract = ctx.market.contracts.get(p.contract_id)
            if price is None or contract is None:
                continue
            target = target_stop(p, price, contract, params)
            if target is None:
                continue
            stop_price, step = target
            for order in stop_orders(ctx.account, p):
                current = order.stop_price
                better = current is None or (stop_price - current) * p.side > 0
                if better:
                    out.append(self.decide(
                        ctx, params, now, MODIFY_STOP,
                        f"{p.symbol}: {step} stop {current} -> {stop_price}",
                        value=stop_price, limit=current, contract_id=p.contract_id,
                        order_id=order.order_id, stop_price=stop_price))
        return out
