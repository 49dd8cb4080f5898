"""3. daily_realized_loss: today's realized PnL <= -limit -> flatten, locked until the roll."""
from __future__ import annotations

from services.risk.rules.realized import RealizedLineRule


class DailyRealizedLoss(RealizedLineRule):
    name = "daily_realized_loss"
    description = "realized PnL today at or below -limit: flatten and lock until the roll"
    words = "daily loss limit"

    def line(self, params):
        return -params.limit
