"""7. cooldown_after_loss: one trade loses at least a tier's amount -> cooldown (largest tier).

"One trade" is one broker Trade, a fill, as everywhere in the rules ("a partial exit is a
trade"; the opening half-turn has no profitAndLoss): its loss is the closing fill's
profitAndLoss net of that fill's own fees. The entry's fees are not in it -- a position built
from several entries and closed in partial exits has no one round trip to charge them to --
they count in realized PnL (rules 3, 13, 14). The reason says which figure it is, so it does
not contradict daily_realized_loss's on the same fill ("closing fill lost 977.80 incl. its
fees 2.80" beside "realized PnL -980.60 incl. fees 5.60", trial 2026-12-05, where "one trade
lost" read as the round trip less half its fees). A loss realized by riskd's own close is a
loss all the same. The cooldown runs from the fill's own time: an old fill (made while risk
was down, or before riskd ran) counts, but a cooldown that has already elapsed takes no action.
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
                            f"closing fill lost {fmt_money(loss)}"
                            f"{fee_note(event.fees, its=True)} "
                            f"(tier {fmt_money(tier.loss)}): "
                            f"cooldown {duration(tier.seconds)}",
                            value=-loss, limit=-tier.loss, lock=lock)]
