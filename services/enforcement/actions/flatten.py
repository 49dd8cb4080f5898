"""flatten: close every open position FIRST, then cancel every working order (suspended bracket
children included), then verify the account is flat and repeat the missing parts (bounded).

Positions are read right before closing and orders right after the closes, so a bracket
order woken by a close is seen (a market order working then is a close of ours, filling:
left alone, see planning.plan_cancels); each pass re-reads, so a pass after a crash or a lost answer
only does what is still missing. An already-flat account is a success (nothing to do).
An order the trader placed while the flatten was in flight, cancelled with the rest, is named
in its result (services/enforcement/placedorders.py), each order in words (namedorders.py):
"cancelled 1 order: sell stop MNQ 1 @ 20800.00 (order 11), placed by the trader at Sun 22:16:20
CST while this flatten was in flight".
"""
from __future__ import annotations

from typing import Generator

from services.enforcement import namedorders, placedorders
from services.enforcement.actions.base import ActionContext, Retry, as_said
from services.enforcement.planning import (describe_flatten, plan_cancels, plan_closes,
                                           plural)
from shared.projectx.models import OrderType

NAME = "flatten"
PRIORITY = 0
PASSES = 4          # act + verify rounds within one attempt


def run(ctx: ActionContext) -> Generator[float, None, str]:
    for _ in range(PASSES):
        positions = ctx.positions()
        closes = ctx.execute(plan_closes(positions))
        orders = [o for o in ctx.working_orders() if o.type != OrderType.MARKET]
        if not positions and not orders:
            if not ctx.done and ctx.restarted:
                ctx.found_flat_after_restart()
                return (f"account {ctx.account} is flat: found so when enforcement resumed the "
                        f"flatten after a restart (what it sent before, or the trader, did it)")
            return _summary(ctx)
        steps = plan_cancels(orders, keep_market=True)      # not our own closes
        placedorders.note(ctx, orders, steps)
        namedorders.note(ctx, orders, steps)
        cancels = ctx.execute(steps)
        (closes + cancels).raise_if_stuck(ctx.errors)
        yield from ctx.settle()
    raise Retry(f"account {ctx.account} still not flat after {PASSES} passes")


def _summary(ctx: ActionContext) -> str:
    if not ctx.done:
        return f"account {ctx.account} was already flat"
    # done, not planned: "closed MNQ", and each cancelled order in words (trial 21b: "close
    # MNQ; cancelled 5 orders" in a done line, the 5 unnamed; task 22c-3: then by id only)
    closed = ["closed " + d[len("close "):] for d in as_said(ctx.done)
              if d.startswith("close ")]
    cancelled = namedorders.cancelled(ctx)
    parts = []
    if closed:
        parts.append("; ".join(closed))
    if cancelled:
        parts.append(f"cancelled {plural(len(cancelled), 'order')}: " + "; ".join(
            words + placedorders.placed_note(ctx, oid, "flatten") for oid, words in cancelled))
    return f"flattened account {ctx.account}: {'; '.join(parts)} (verified flat)"


def describe(ctx: ActionContext) -> str:
    return "flatten " + describe_flatten(ctx.account, ctx.positions(), ctx.working_orders())
