"""10. auth_loss_guard: the broker says canTrade = false -> flatten, locked until it is true."""
from __future__ import annotations

from services.risk.rules.base import ACCOUNT, Rule
from shared.messages.risk import FLATTEN, MANUAL, LockSpec

CLEARS_ON = "can_trade"


class AuthLossGuard(Rule):
    name = "auth_loss_guard"
    listens = frozenset({ACCOUNT})
    description = "the broker reports canTrade = false: flatten and lock until it returns"
    warns = False

    def evaluate(self, ctx, event, now, params):
        if ctx.account.can_trade:
            return []
        return [self.decide(ctx, params, now, FLATTEN,
                            "the broker reports canTrade = false for this account",
                            lock=LockSpec(kind=MANUAL, clears_on=CLEARS_ON))]
