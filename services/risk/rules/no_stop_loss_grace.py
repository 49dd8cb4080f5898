"""8. no_stop_loss_grace: a position open grace_seconds with no working stop -> close it.

A working stop is a stop, stop-limit or trailing order in status Open on the position's
contract, on the closing side; together such orders must cover the position. A suspended (8)
bracket child is not working. A flipped position starts a fresh grace period (the state sets
its start when it flips, whatever the broker's creationTimestamp).
Before it closes, it warns at warn_at of the grace, once per position (a new one after flat,
or a flip, warns again): "MNQ has no stop: closed in 2s unless a stop is placed", on the
phone, the log and the status row. That warning is what lets the trader place the stop in
time (fresh-user trial 17a: warn_at = 0.8 was listed for the rule and never warned, 4 of 4;
the first sign was the forced close).
"""
from __future__ import annotations

from decimal import Decimal

from services.risk.rules.base import CLOCK, ORDER, POSITION, Measure, Rule
from shared.messages.market import (ORDER_STOP, ORDER_STOP_LIMIT, ORDER_TRAILING_STOP, SIDE_BUY,
                                    SIDE_SELL, STATUS_OPEN)
from shared.messages.risk import CLOSE_POSITION
from shared.when import duration

STOP_TYPES = (ORDER_STOP, ORDER_STOP_LIMIT, ORDER_TRAILING_STOP)
NS = 1_000_000_000


def stop_orders(account, position) -> list:
    """Working stop orders on the position's contract that would close it, when together
    they cover it; [] when it is not protected."""
    closing_side = SIDE_SELL if position.side > 0 else SIDE_BUY
    stops = [o for o in account.working_orders(position.contract_id)
             if o.type in STOP_TYPES and o.side == closing_side and o.status == STATUS_OPEN]
    return stops if sum(o.size for o in stops) >= account.live_size(position) else []


class NoStopLossGrace(Rule):
    name = "no_stop_loss_grace"
    listens = frozenset({POSITION, ORDER, CLOCK})
    description = "a position without a working stop after the grace period: close it"
    keyed = True                # one warning per position (its key: contract and opening)

    def measure(self, ctx, now, params):
        """The unprotected position closest to its close (the status row's countdown)."""
        return max(self.readings(ctx, now, params), key=lambda m: m.progress, default=None)

    def readings(self, ctx, now, params):
        """One reading per open position with no working stop: seconds open vs the grace."""
        grace = params.grace_seconds * NS
        out = []
        for p in ctx.account.positions.values():
            if ctx.account.live_size(p) == 0 or stop_orders(ctx.account, p):
                continue
            age = max(0, now - p.opened_ns)
            left = max(0, grace - age)
            out.append(Measure(Decimal(age // NS), Decimal(params.grace_seconds),
                               age / grace if grace else 1.0,
                               f"{p.symbol} has no stop: closed in {duration(-(-left // NS))} "
                               f"unless a stop is placed",
                               key=f"{p.contract_id}@{p.opened_ns}"))
        return out

    def evaluate(self, ctx, event, now, params):
        out = []
        for p in ctx.account.positions.values():
            if ctx.account.live_size(p) == 0:
                continue
            age = now - p.opened_ns
            if age < params.grace_seconds * NS or stop_orders(ctx.account, p):
                continue
            out.append(self.decide(ctx, params, now, CLOSE_POSITION,
                                   f"{p.symbol} open {duration(age // NS)} without a stop order "
                                   f"(grace {duration(params.grace_seconds)})",
                                   value=Decimal(age // NS), limit=Decimal(params.grace_seconds),
                                   contract_id=p.contract_id))
        return out
