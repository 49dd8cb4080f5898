"""7. cooldown_after_loss: one trade loses at least a tier's amount -> cooldown (largest tier).

"One trade" is one broker Trade, a fill, as everywhere in the rules ("a partial exit is a
trade"; the opening half-turn has no profitAndLoss): its loss is the closing fill's
profitAndLoss net of that fill's own fees, those of its closing part alone when it also
opened the next position (a reversal in one order: services/risk/closedpart.py). The entry's
fees are not in it -- a position built from several entries and closed in partial exits has
no one round trip to charge them to -- they count in realized PnL (rules 3, 13, 14). The
reason says which figure it is, so it does not contradict daily_realized_loss's on the same
fill ("closing fill lost 977.80 incl. its fees 2.80" beside "realized PnL -980.60 incl. fees
5.60", trial 2026-12-05, where "one trade lost" read as the round trip less half its fees). A loss realized by riskd's own close is a
loss all the same. The cooldown runs from the fill's own time: an old fill (made while risk
was down, or before riskd ran) counts, but a cooldown that has already elapsed takes no action.
A losing fill of a contract whose earlier loss started a cooldown still in force (riskd's close
of what the trader's partial sell left) says whose it is and that it follows that loss
(shared/lossagain.py): notify tells the cooldown's later end in one line, not as a breach.
"""
from __future__ import annotations

from services.risk.closedpart import closing_loss, closing_part, part_words
from services.risk.pnl import ZERO, fee_note, fmt_money
from services.risk.rules.base import TRADE, Rule, timer
from services.risk.state import symbol_of
from shared.lossagain import again_reason
from shared.messages.risk import ACTION_NONE, FLATTEN
from shared.when import duration

NS = 1_000_000_000


def _tier(params, loss):
    """The largest tier the loss reaches (None: none)."""
    return max((t for t in params.tiers if loss >= t.loss), key=lambda t: t.loss, default=None)


def _loss(fill):
    return closing_loss(fill)


def after_a_running_one(acct, fill, params, in_force=None) -> bool:
    """An earlier losing fill of the same contract today (earlier: its time, then its trade id)
    started a cooldown of this rule that still runs at this fill's time: its lockout is in
    force (`in_force`: the end of this rule's timer lockout on the account, or its would-be
    one in alert mode; None: none). A cooldown an admin's unlock ended runs no more: "after
    the loss ... that started the cooldown" would name one that is not there (trial25a N9),
    and riskd's close whose loss starts the cooldown follows none (trial25c F5)."""
    if in_force is None or in_force <= fill.ts_ns:
        return False
    key = (fill.ts_ns, fill.trade_id)
    for f in acct.trades.values():
        if f.contract_id != fill.contract_id or f.voided or f.pnl is None \
                or (f.ts_ns, f.trade_id) >= key:
            continue
        tier = _tier(params, _loss(f))
        if tier is not None and f.ts_ns + tier.seconds * NS > fill.ts_ns:
            return True
    return False


def whose(acct, fill):
    """riskd's (True), the trader's (False), or not known yet (None: held or claimed by
    expectation until riskd's close in flight is answered, services/risk/exits.py)."""
    if not fill.by_riskd:
        return False
    r = acct.riskd
    return None if fill.trade_id in r.held or fill.trade_id in r.claimed else True


class CooldownAfterLoss(Rule):
    name = "cooldown_after_loss"
    listens = frozenset({TRADE})
    description = "a single losing trade past a tier: cooldown for that tier's time"
    warns = False

    def evaluate(self, ctx, event, now, params):
        if ctx.change != "new" or event.voided or event.pnl is None:
            return []
        loss = _loss(event)
        if loss <= ZERO:
            return []
        tier = _tier(params, loss)
        if tier is None:
            return []
        lock = timer(min(now, event.ts_ns), tier.seconds)
        if lock.until_ns <= now:
            return []
        lost = f"{fmt_money(loss)}{fee_note(closing_part(event)[1], its=True)}" \
               f"{part_words(event)}"
        in_force = ctx.timer_of(self.name) if ctx.timer_of is not None else None
        if after_a_running_one(ctx.account, event, params, in_force):
            reason = again_reason(symbol_of(event.contract_id), whose(ctx.account, event),
                                  lost, fmt_money(tier.loss), duration(tier.seconds))
        else:
            reason = (f"closing fill lost {lost} (tier {fmt_money(tier.loss)}): "
                      f"cooldown {duration(tier.seconds)}")
        return [self.decide(ctx, params, now, FLATTEN if params.flatten else ACTION_NONE,
                            reason, value=-loss, limit=-tier.loss, lock=lock)]
