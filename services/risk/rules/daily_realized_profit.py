"""13. daily_realized_profit: today's realized PnL >= target -> flatten, locked until the roll."""
from __future__ import annotations

from services.risk.rules.realized import RealizedLineRule


class DailyRealizedProfit(RealizedLineRule):
    name = "daily_realized_profit"
    description = "realized PnL today at or above the target: flatten and lock until the roll"
    words = "daily profit target"

    def line(self, params):
        return params.target
