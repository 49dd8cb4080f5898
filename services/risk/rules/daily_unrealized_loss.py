"""4. daily_unrealized_loss: a position's (or the account's) open loss reaches the limit."""
from __future__ import annotations

from services.risk.rules.base import POSITION, QUOTE
from services.risk.rules.openpnl import OpenPnlRule


class DailyUnrealizedLoss(OpenPnlRule):
    name = "daily_unrealized_loss"
    listens = frozenset({QUOTE, POSITION})
    description = ("open loss of a position (or the account) at -limit: close it "
                   "(or flatten and lock until the roll)")
    words = "unrealized loss limit"

    def threshold(self, params):
        return -params.limit
