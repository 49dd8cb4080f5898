"""14. daily_net_loss: realized + unrealized of the account <= the line -> flatten until roll.

trailing = none: the line is -limit from the day's start. realized: it trails the day's best
closed-trade PnL (the highest balance from closed trades). unrealized: it trails the day's
best realized + open PnL. The day's best is a mark in the account state (reset at the roll,
persisted by the store).
"""
from __future__ import annotations

from services.risk.pnl import ZERO, fee_note, fmt_money
from services.risk.rules.base import POSITION, QUOTE, TRADE, Measure, Rule, progress, until_reset
from shared.messages.risk import FLATTEN


def parts(ctx, params):
    """(realized, open): the two parts of the net figure."""
    return ctx.account.realized(params.include_fees), ctx.net_open_pnl()[0]


def net_and_line(ctx, params):
    realized, unrealized = parts(ctx, params)
    net = realized + unrealized
    base = ZERO
    if params.trailing == "realized":
        base = ctx.account.bump_high(f"net_loss.realized.{params.include_fees}",
                                     max(ZERO, realized))
    elif params.trailing == "unrealized":
        base = ctx.account.bump_high(f"net_loss.net.{params.include_fees}", max(ZERO, net))
    return net, base - params.limit


class DailyNetLoss(Rule):
    reads_open_pnl = True
    name = "daily_net_loss"
    locks_to_roll = True        # a trade made while locked counts: warns while locked
    listens = frozenset({TRADE, QUOTE, POSITION})
    description = "realized + open PnL of the account at the daily loss line: flatten"

    def measure(self, ctx, now, params):
        net, line = net_and_line(ctx, params)
        # progress: how much of the allowed drop below the day's best is used
        used = (line + params.limit) - net
        return Measure(net, line, progress(used, params.limit),
                       f"net {fmt_money(net)}, line {fmt_money(line)}")

    def evaluate(self, ctx, event, now, params):
        net, line = net_and_line(ctx, params)
        if net > line:
            return []
        # both parts with their signs: "(realized incl. fees 3.33 + open)" read as if
        # realized were +3.33 and never gave the open figure (trial)
        realized, unrealized = parts(ctx, params)
        return [self.decide(ctx, params, now, FLATTEN,
                            f"net PnL {fmt_money(net)} (realized {fmt_money(realized)}"
                            f"{fee_note(ctx.account.fees, params.include_fees)}, open "
                            f"{fmt_money(unrealized)}) reached the daily loss line "
                            f"{fmt_money(line)}",
                            value=net, limit=line, lock=until_reset(ctx, now))]
