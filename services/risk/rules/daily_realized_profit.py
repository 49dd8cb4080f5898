"""13. daily_realized_profit: today's realized PnL >= target -> flatten, locked until the roll."""
from __future__ import annotations

from services.risk.pnl import fmt_money
from services.risk.rules.base import TRADE, Measure, Rule, progress, until_reset
from shared.messages.risk import FLATTEN


class DailyRealizedProfit(Rule):
    name = "daily_realized_profit"
    listens = frozenset({TRADE})
    description = "realized PnL today at or above the target: flatten and lock until the roll"

    def measure(self, ctx, now, params):
        realized = ctx.account.realized(params.include_fees)
        return Measure(realized, params.target, progress(realized, params.target),
                       f"realized {fmt_money(realized)} of {fmt_money(params.target)}")

    def evaluate(self, ctx, event, now, params):
        realized = ctx.account.realized(params.include_fees)
        if realized < params.target:
            return []
        return [self.decide(ctx, params, now, FLATTEN,
                            f"realized PnL {fmt_money(realized)} reached the daily profit "
                            f"target {fmt_money(params.target)}",
                            value=realized, limit=params.target, lock=until_reset(ctx, now))]
