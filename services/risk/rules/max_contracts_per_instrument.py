"""2. max_contracts_per_instrument: a symbol's size over its limit -> reduce or close it."""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from services.risk.rules.base import POSITION, Measure, lookup_symbol, progress
from services.risk.rules.max_contracts import SizeRule, closing_words, past_shown
from shared.messages.risk import CLOSE_POSITION, REDUCE_POSITION
from shared.rulenumbers import ASIDE


def limit_for(params, contract_id: str) -> Optional[int]:
    """The configured limit, 0 for a blocked unknown symbol, None when unlimited."""
    limit = lookup_symbol(params.limits, contract_id)
    if limit is not None:
        return limit
    if params.unknown_symbol == "allow":
        return None
    if params.unknown_symbol == "block":
        return 0
    return params.unknown_symbol


class MaxContractsPerInstrument(SizeRule):
    name = "max_contracts_per_instrument"
    listens = frozenset({POSITION})
    description = "a symbol's size over its own limit: reduce or close that contract"
    held_size = True

    def measure(self, ctx, now, params, size=None):
        """size: a position's contracts (its size unless given)."""
        best = None
        for p in ctx.account.positions.values():
            limit = limit_for(params, p.contract_id)
            if not limit:
                continue
            n = p.size if size is None else size(p)
            closing = ctx.account.live_size(p) - n if size is not None else 0
            aside = f"{ASIDE}{closing_words(closing)}" if closing > 0 else ""
            m = Measure(Decimal(n), Decimal(limit), progress(Decimal(n), limit),
                        f"{p.symbol} {n} of {limit}{aside}", contract_id=p.contract_id)
            if best is None or m.progress > best.progress:
                best = m
        return best

    def warn_readings(self, ctx, now, params):
        """Each symbol's contracts once riskd's closes and reduces of it in flight are done
        (AccountState.kept_size), as max_contracts' warning reads them."""
        m = self.measure(ctx, now, params, lambda p: ctx.account.kept_size(p, now))
        return [] if m is None else [m]

    def past_shown(self, ctx, now, m):
        p = ctx.account.positions.get(m.contract_id or "")
        closing = 0 if p is None else ctx.account.live_size(p) - ctx.account.kept_size(p, now)
        return past_shown(m, closing)

    def evaluate(self, ctx, event, now, params):
        out = []
        for p in ctx.account.positions.values():
            limit = limit_for(params, p.contract_id)
            # the size as the fills see it, as max_contracts reads it: riskd's cut whose
            # Trade and answer came before its Position is not cut a second time (the
            # Position still showing it read as a new breach, a second reduce sent)
            n = ctx.account.live_size(p)
            if limit is None or n <= limit:
                continue
            why = f"{p.symbol}: {n} contracts, limit {limit}"
            if params.action == "close" or limit == 0:
                out.append(self.decide(ctx, params, now, CLOSE_POSITION, why,
                                       value=Decimal(n), limit=Decimal(limit),
                                       contract_id=p.contract_id))
            else:
                out.append(self.decide(ctx, params, now, REDUCE_POSITION,
                                       f"{why}: reduce by {n - limit}",
                                       value=Decimal(n), limit=Decimal(limit),
                                       contract_id=p.contract_id, size=n - limit,
                                       target=limit))
        return out
