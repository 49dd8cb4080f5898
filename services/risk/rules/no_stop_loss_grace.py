"""8. no_stop_loss_grace: a position open grace_seconds with no working stop -> close it."""
from __future__ import annotations

from decimal import Decimal

from services.risk.rules.base import CLOCK, ORDER, POSITION, Rule
from shared.messages.market import (ORDER_STOP, ORDER_STOP_LIMIT, ORDER_TRAILING_STOP, SIDE_BUY,
                                    SIDE_SELL)
from shared.messages.risk import CLOSE_POSITION

STOP_TYPES = (ORDER_STOP, ORDER_STOP_LIMIT, ORDER_TRAILING_STOP)
NS = 1_000_000_000


def stop_orders(account, position) -> list:
    """Working stop orders on the position's contract that would close it."""
    closing_side = SIDE_SELL if position.side > 0 else SIDE_BUY
    return [o for o in account.working_orders(position.contract_id)
            if o.type in STOP_TYPES and o.side == closing_side]


class NoStopLossGrace(Rule):
    name = "no_stop_loss_grace"
    listens = frozenset({POSITION, ORDER, CLOCK})
    description = "a position without a working stop after the grace period: close it"
    warns = False

    def evaluate(self, ctx, event, now, params):
        out = []
        for p in ctx.account.positions.values():
            age = now - p.opened_ns
            if age < params.grace_seconds * NS or stop_orders(ctx.account, p):
                continue
            out.append(self.decide(ctx, params, now, CLOSE_POSITION,
                                   f"{p.symbol} open {age // NS} s without a stop order "
                                   f"(grace {params.grace_seconds} s)",
                                   value=Decimal(age // NS), limit=Decimal(params.grace_seconds),
                                   contract_id=p.contract_id))
        return out
