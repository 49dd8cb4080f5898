"""7. cooldown_after_loss: one trade loses at least a tier's amount -> cooldown (largest tier).

A trade's loss is its profitAndLoss net of its fees (what the trader actually lost), and the
reason says so ("one trade lost 400.37 incl. fees 0.37": the open PnL the trader watched read
-400.00, before fees). A loss realized by riskd's own close is a loss all the same. The
cooldown runs from the fill's own time: an old fill (made while risk was down, or before riskd
ran) counts, but a cooldown that has already elapsed takes no action.
"""
from __future__ import annotations

from services.risk.pnl import ZERO, fee_note, fmt_money
from services.risk.rules.base import TRADE, Rule, timer
from shared.messages.risk import ACTION_NONE, FLATTEN
from shared.when import duration


class CooldownAfterLoss(Rule):
    name = "cooldown_after_loss"
    listens = frozenset({TRADE})
    description = "a single losing trade past a tier: cooldown for that tier's time"
    warns = False

    def evaluate(self, ctx, event, now, params):
        if ctx.change != "new" or event.voided or event.pnl is None:
            return []
        loss = -(event.pnl - event.fees)
        if loss <= ZERO:
            return []
        matching = [t for t in params.tiers if loss >= t.loss]
        if not matching:
            return []
        tier = max(matching, key=lambda t: t.loss)
        lock = timer(min(now, event.ts_ns), tier.seconds)
        if lock.until_ns <= now:
            return []
        return [self.decide(ctx, params, now, FLATTEN if params.flatten else ACTION_NONE,
                            f"one trade lost {fmt_money(loss)}{fee_note(event.fees)} "
                            f"(tier {fmt_money(tier.loss)}): "
                            f"cooldown {duration(tier.seconds)}",
                            value=-loss, limit=-tier.loss, lock=lock)]
