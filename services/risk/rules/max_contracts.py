"""1. max_contracts: open contracts over the limit -> reduce the newest exposure, or flatten."""
from __future__ import annotations

from decimal import Decimal

from services.risk.rules.base import POSITION, Ctx, Measure, Rule, progress
from shared.messages.risk import FLATTEN, REDUCE_POSITION


def open_contracts(ctx: Ctx, count: str) -> int:
    positions = ctx.account.positions.values()
    if count == "net":
        return abs(sum(p.signed for p in positions))
    return sum(p.size for p in positions)


class MaxContracts(Rule):
    name = "max_contracts"
    listens = frozenset({POSITION})
    description = "open contracts over the limit: reduce the newest exposure, or flatten"

    def measure(self, ctx, now, params):
        n = open_contracts(ctx, params.count)
        return Measure(Decimal(n), Decimal(params.limit), progress(Decimal(n), params.limit),
                       f"{n} of {params.limit} contracts ({params.count})")

    def evaluate(self, ctx, event, now, params):
        n = open_contracts(ctx, params.count)
        if n <= params.limit:
            return []
        why = f"{n} contracts open ({params.count}), limit {params.limit}"
        value, limit = Decimal(n), Decimal(params.limit)
        if params.action == "flatten":
            return [self.decide(ctx, params, now, FLATTEN, why, value=value, limit=limit)]
        positions = list(ctx.account.positions.values())
        if params.count == "net":       # only the side that makes the net exposure counts
            direction = 1 if sum(p.signed for p in positions) > 0 else -1
            positions = [p for p in positions if p.side == direction]
        excess = n - params.limit
        out = []
        for p in sorted(positions, key=lambda p: p.updated_ns, reverse=True):   # newest first
            if excess <= 0:
                break
            cut = min(excess, p.size)
            excess -= cut
            out.append(self.decide(ctx, params, now, REDUCE_POSITION,
                                   f"{why}: reduce {p.symbol} by {cut}", value=value,
                                   limit=limit, contract_id=p.contract_id, size=cut))
        return out
