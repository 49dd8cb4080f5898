"""1. max_contracts: open contracts over the limit -> reduce the newest exposure, or flatten.

"Newest exposure" is the contracts added last, by fill time, whichever position they belong
to (each position keeps its lots: when contracts were added). Sizes are read as the fills see
them, so a close whose Position update lags is not counted as open.
"""
from __future__ import annotations

from decimal import Decimal

import attrs

from services.risk.rules.base import POSITION, Ctx, Measure, Rule, progress
from shared.messages.risk import FLATTEN, REDUCE_POSITION
from shared.plural import plural
from shared.rulenumbers import ASIDE


def open_contracts(ctx: Ctx, count: str, size=None) -> int:
    """size: a position's open contracts (AccountState.live_size unless given)."""
    acct = ctx.account
    size = size or acct.live_size
    if count == "net":
        return abs(sum(p.side * size(p) for p in acct.positions.values()))
    return sum(size(p) for p in acct.positions.values())


def closing_words(n: int) -> str:
    """What a size warning leaves out: 'not counting 1 contract riskd's close in flight
    takes'."""
    return f"not counting {plural(n, 'contract')} riskd's close in flight takes"


def being_closed_words(n: int) -> str:
    """What a size row past its limit adds: '1 of them being closed by riskd' (the contracts
    held, as the rule acts on them, and how many riskd's close in flight takes)."""
    return f"{n} of them being closed by riskd"


def past_shown(m: Measure, closing: int) -> Measure:
    """A size rule's reading past its limit, with what riskd is closing of it said."""
    if closing <= 0:
        return m
    return attrs.evolve(m, detail=f"{m.detail}{ASIDE}{being_closed_words(closing)}")


def newest_first(acct, positions) -> list[tuple[int, object, int]]:
    """(added_ns, position, contracts) of every lot, newest first, within the live sizes."""
    lots = []
    for p in positions:
        left = acct.live_size(p)
        for added_ns, n in reversed(p.lots or [[p.updated_ns, p.size]]):
            take = min(n, left)
            if take <= 0:
                break
            lots.append((added_ns, p, take))
            left -= take
    return sorted(lots, key=lambda lot: lot[0], reverse=True)


class SizeRule(Rule):
    """What both size rules (max_contracts, max_contracts_per_instrument) decide alike."""

    def acts_while_locked(self, ctx, now, params, m):
        """Never: a lockout cuts every contract added while it holds (lockout enforcement),
        so the count cannot grow to a breach before the lockout ends (its warning comes
        then, if still due)."""
        return False

    def past(self, m: Measure) -> bool:
        return m.value > m.limit            # evaluate: a breach is over the limit, not at it


class MaxContracts(SizeRule):
    name = "max_contracts"
    listens = frozenset({POSITION})
    description = "open contracts over the limit: reduce the newest exposure, or flatten"
    held_size = True

    def measure(self, ctx, now, params):
        return self._reading(open_contracts(ctx, params.count), params)

    def warn_readings(self, ctx, now, params):
        """The contracts the trader will hold once riskd's closes and reduces in flight are
        done (AccountState.kept_size): no "80 %" of contracts riskd is closing, and no wait
        for its close before a warning of the trader's own (trial18c: warnings came 8-9 s
        late, with a close held at the broker)."""
        acct = ctx.account
        kept = {p.contract_id: acct.kept_size(p, now) for p in acct.positions.values()}
        closing = sum(acct.live_size(p) - kept[p.contract_id] for p in acct.positions.values())
        n = open_contracts(ctx, params.count, lambda p: kept[p.contract_id])
        return [self._reading(n, params, closing)]

    def past_shown(self, ctx, now, m):
        acct = ctx.account
        return past_shown(m, sum(acct.live_size(p) - acct.kept_size(p, now)
                                 for p in acct.positions.values()))

    @staticmethod
    def _reading(n: int, params, closing: int = 0) -> Measure:
        aside = f"{ASIDE}{closing_words(closing)}" if closing > 0 else ""
        return Measure(Decimal(n), Decimal(params.limit), progress(Decimal(n), params.limit),
                       f"{n} of {params.limit} contracts ({params.count}){aside}")

    def evaluate(self, ctx, event, now, params):
        n = open_contracts(ctx, params.count)
        if n <= params.limit:
            return []
        why = f"{n} contracts open ({params.count}), limit {params.limit}"
        value, limit = Decimal(n), Decimal(params.limit)
        if params.action == "flatten":
            return [self.decide(ctx, params, now, FLATTEN, why, value=value, limit=limit)]
        acct = ctx.account
        positions = list(acct.positions.values())
        if params.count == "net":       # only the side that makes the net exposure counts
            direction = 1 if sum(p.side * acct.live_size(p) for p in positions) > 0 else -1
            positions = [p for p in positions if p.side == direction]
        excess = n - params.limit
        cuts: dict[str, list] = {}      # contract -> [position, contracts], newest lot first
        for _added, p, size in newest_first(acct, positions):
            if excess <= 0:
                break
            cut = min(excess, size)
            excess -= cut
            cuts.setdefault(p.contract_id, [p, 0])[1] += cut
        # each down to a size, not by a count: a reduce whose position grew before enforcement
        # read it still ends where this decision wants it (services/risk/acting.py
        # _still_closing), and one that finds it cut already cuts nothing more
        return [self.decide(ctx, params, now, REDUCE_POSITION,
                            f"{why}: reduce {p.symbol} by {cut}", value=value, limit=limit,
                            contract_id=p.contract_id, size=cut,
                            target=acct.live_size(p) - cut)
                for p, cut in cuts.values()]
