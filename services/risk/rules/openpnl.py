"""Shared shape of rules 4 and 5: a position's (or the account's) open PnL against a line."""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from services.risk.pnl import fmt_money, position_unrealized
from services.risk.rules.base import (Ctx, Measure, Rule, left_open, progress, quoted,
                                      until_reset)
from shared.messages.risk import CLOSE_POSITION, FLATTEN


class OpenPnlRule(Rule):
    reads_open_pnl = True
    """Subclasses give the line (`threshold(params)`, signed: -200 for a loss, 300 for profit)
    and the words; breach when the open PnL reaches the line on its side."""
    words = ""

    def threshold(self, params) -> Decimal:
        raise NotImplementedError

    def _crossed(self, value: Decimal, line: Decimal) -> bool:
        return value <= line if line < 0 else value >= line

    def _readings(self, ctx: Ctx, event) -> list:
        only = quoted(event)
        out = []
        for p in ctx.account.positions.values():
            if only is None or p.contract_id in only:
                u = position_unrealized(ctx.account, ctx.market, p)
                if u is not None:
                    out.append((p, u))
        return out

    def measure(self, ctx, now, params) -> Optional[Measure]:
        line = self.threshold(params)
        if params.scope == "account":
            total, _ = ctx.account_unrealized()
            return Measure(total, line, progress(total, line), f"open PnL {fmt_money(total)}")
        best = None
        for p, u in self._readings(ctx, None):
            m = Measure(u, line, progress(u, line), f"{p.symbol} open PnL {fmt_money(u)}",
                        contract_id=p.contract_id)
            if best is None or m.progress > best.progress:
                best = m
        return best

    def acts_while_locked(self, ctx, now, params, m):
        """scope position: the position the reading is about, closed at the line, if the
        lockout left it open; scope account: a flatten of every position left open."""
        return left_open(ctx, now, m.contract_id if params.scope != "account" else None)

    def evaluate(self, ctx, event, now, params):
        line = self.threshold(params)
        if params.scope == "account":
            total, _ = ctx.account_unrealized()
            if not ctx.account.positions or not self._crossed(total, line):
                return []
            return [self.decide(ctx, params, now, FLATTEN,
                                f"the account's open PnL {fmt_money(total)} reached the "
                                f"{self.words} {fmt_money(line)}",
                                value=total, limit=line, lock=until_reset(ctx, now))]
        return [self.decide(ctx, params, now, CLOSE_POSITION,
                            f"{p.symbol} open PnL {fmt_money(u)} reached the {self.words} "
                            f"{fmt_money(line)}",
                            value=u, limit=line, contract_id=p.contract_id)
                for p, u in self._readings(ctx, event) if self._crossed(u, line)]
