"""Shared shape of rules 3 and 13: today's realized PnL against a line -> flatten until roll."""
from __future__ import annotations

from decimal import Decimal

from services.risk.pnl import fee_note, fmt_money
from services.risk.rules.base import TRADE, Measure, Rule, progress, until_reset
from shared.messages.risk import FLATTEN


class RealizedLineRule(Rule):
    """Subclasses give the signed line (-500 for a loss limit, 1000 for a profit target)."""
    listens = frozenset({TRADE})
    words = ""
    locks_to_roll = True        # a trade made while locked counts: warns while locked

    def line(self, params) -> Decimal:
        raise NotImplementedError

    @staticmethod
    def past_line(realized, line) -> bool:
        """Is the day's realized PnL at or past the line (a loss limit's, or a target's)?"""
        return realized <= line if line < 0 else realized >= line

    def reached(self, ctx, params) -> bool:
        """Would evaluate flatten now (the engine's short cut for a breach repeated under this
        rule's own lockout: Acting.repeats_own_flatten)?"""
        return self.past_line(ctx.account.realized(params.include_fees), self.line(params))

    def measure(self, ctx, now, params):
        realized, line = ctx.account.realized(params.include_fees), self.line(params)
        return Measure(realized, line, progress(realized, line),
                       f"realized {fmt_money(realized)} of {fmt_money(line)}")

    def evaluate(self, ctx, event, now, params):
        realized, line = ctx.account.realized(params.include_fees), self.line(params)
        if not self.past_line(realized, line):
            return []
        return [self.decide(ctx, params, now, FLATTEN,
                            f"realized PnL {fmt_money(realized)}"
                            f"{fee_note(ctx.account.fees, params.include_fees)} reached the "
                            f"{self.words} "
                            f"{fmt_money(line)}",
                            value=realized, limit=line, lock=until_reset(ctx, now))]
