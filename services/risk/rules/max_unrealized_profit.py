"""5. max_unrealized_profit: a position's (or the account's) open profit reaches the target."""
from __future__ import annotations

from services.risk.rules.base import POSITION, QUOTE
from services.risk.rules.openpnl import OpenPnlRule


class MaxUnrealizedProfit(OpenPnlRule):
    name = "max_unrealized_profit"
    listens = frozenset({QUOTE, POSITION})
    description = ("open profit of a position (or the account) at the target: close it "
                   "(or flatten and lock until the roll)")
    words = "unrealized profit target"

    def threshold(self, params):
        return params.target
