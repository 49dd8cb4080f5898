"""Will the fills of riskd's closes on their way lock the account as a whole?

A step that decides a close (daily_unrealized_loss closing a position at its line) moves no
realized PnL: the close's fill does, a moment later, and that fill may cross a realized line
that flattens the account and locks it until the roll (daily_realized_loss). The rules reading
open PnL judge the step that decides the close (the net figure is the same before and after
it, but for the close's fee), so their warning ("daily_net_loss at 97% of its limit") went to
the phone with the close, the lockout arriving with its fill 30 ms later (trial23b finding 4),
against docs/rules.md warn_at: no warning from the step that locks the account. And a
Position that shows the close before its Trade (the broker's order is not guaranteed) is a
step of its own between the two.

So the account is read as the trader will hold it once riskd's closes on their way and the
contracts the broker closed before their fills came are realized (AccountState.kept_size,
pnl.not_yet_realized): their open PnL added to realized, at today's prices, their fees not
known yet. A realized line that figure crosses, of a rule that flattens and locks to the roll
in enforce mode, is the lockout those fills take; the step's warnings are then judged as
under it (engine _run), and one held back is left due: the fill's own step judges it again
with the broker's figure (fees in), and gives it if that fill locks nothing after all.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from services.risk.pnl import ZERO, not_yet_realized, unrealized
from services.risk.rules.realized import RealizedLineRule
from shared.messages.risk import ALERT


def to_come(acct, market, now: int) -> Decimal:
    """The open PnL the fills still to come realize: riskd's closes and reduces on their way
    (live_size less kept_size, at the latest price), its done closes whose fills have not come
    and what the broker's Position showed closed before its fill (pnl.not_yet_realized). An
    unpriced part counts as nothing (no lockout is foreseen from it)."""
    total = ZERO
    for p in acct.positions.values():
        cut = acct.live_size(p) - acct.kept_size(p, now)
        if cut > 0:
            total += unrealized(p.side, cut, p.average_price, market.price(p.contract_id),
                                market.contracts.get(p.contract_id)) or ZERO
    if acct.ahead or acct.riskd.expected:
        total += sum((u for u in not_yet_realized(acct, market) if u is not None), ZERO)
    return total


def locking_rule(rules, cfg, acct, market, now: int) -> Optional[str]:
    """The rule whose realized line the fills still to come cross, flattening the account and
    locking it until the roll (enforce mode); None when none does or nothing is to come."""
    coming = to_come(acct, market, now)
    if not coming:
        return None
    for name, rule in rules.items():
        if not isinstance(rule, RealizedLineRule):
            continue
        params = getattr(cfg, name, None)
        if params is None or not params.enabled or params.mode == ALERT:
            continue
        line = rule.line(params)
        now_realized = acct.realized(params.include_fees)
        # already past it (an unlock left the account so): the fill locks it again, too
        if rule.past_line(now_realized + coming, line):
            return name
    return None
