"""3. daily_realized_loss: today's realized PnL <= -limit -> flatten, locked until the roll."""
from __future__ import annotations

from services.risk.pnl import fmt_money
from services.risk.rules.base import TRADE, Measure, Rule, progress, until_reset
from shared.messages.risk import FLATTEN


class DailyRealizedLoss(Rule):
    name = "daily_realized_loss"
    listens = frozenset({TRADE})
    description = "realized PnL today at or below -limit: flatten and lock until the roll"

    def measure(self, ctx, now, params):
        realized = ctx.account.realized(params.include_fees)
        return Measure(realized, -params.limit, progress(-realized, params.limit),
                       f"realized {fmt_money(realized)} of -{fmt_money(params.limit)}")

    def evaluate(self, ctx, event, now, params):
        realized = ctx.account.realized(params.include_fees)
        if realized > -params.limit:
            return []
        return [self.decide(ctx, params, now, FLATTEN,
                            f"realized PnL {fmt_money(realized)} reached the daily loss limit "
                            f"-{fmt_money(params.limit)}",
                            value=realized, limit=-params.limit, lock=until_reset(ctx, now))]
