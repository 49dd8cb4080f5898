"""flatten: close every open position FIRST, then cancel every working order (suspended bracket
children included), then verify the account is flat and repeat the missing parts (bounded).

A fresh flatten (one that runs at once, not resumed nor a later round) closes the contracts
risk knew open when it decided (Command.contracts) with no read before them, as a fresh
close_position does (speed: the breach's first close waits for no round trip; issue 21), then
reads the positions and closes any other contract open; a known contract found flat by its
close is left unsaid, as a read would have left it. Otherwise (and in every later pass):
positions are read right before closing and orders right after the closes, so a bracket
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
from services.enforcement.actions.base import ActionContext, Retry, StepReport, as_said
from services.enforcement.planning import (CLOSE, Step, describe_flatten, plan_cancels,
                                           plan_closes, plural)
from shared.projectx.models import OrderType

NAME = "flatten"
PRIORITY = 0
PASSES = 4          # act + verify rounds within one attempt


def run(ctx: ActionContext) -> Generator[float, None, str]:
    known = _known(ctx)
    for _ in range(PASSES):
        if known:
            closes, tried = _close_known(ctx, known)
            # a contract whose close was made is the next pass's to verify (its fill may not
            # be booked yet: closed again on this read, it would be closed twice; a close
            # that failed ends the pass as any failed step does); one its close found flat
            # and the read shows open was opened since: closed now
            positions = [p for p in ctx.positions() if p.contract_id not in tried]
            closes += ctx.execute(plan_closes(positions))
            known = ()
        else:
            tried = set()
            positions = ctx.positions()
            closes = ctx.execute(plan_closes(positions))
        orders = [o for o in ctx.working_orders() if o.type != OrderType.MARKET]
        if not positions and not orders and not tried:
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


def _known(ctx: ActionContext) -> tuple[str, ...]:
    """The contracts to close before the first read: the command's, when it is the decision's
    first try sent once (risk's re-send of it, or a later try made from it seconds after a
    failure, names what was open then) and this is its first run (not resumed)."""
    cmd = ctx.command
    if ctx.resumed or cmd.attempt != 1 or not cmd.id.endswith(".1"):
        return ()
    return tuple(cmd.contracts)


def _close_known(ctx: ActionContext, contracts: tuple[str, ...]) -> tuple[StepReport, set]:
    """Close the contracts risk knew open, no read before (a fresh flatten's first pass):
    (what the closes came to, the contracts whose close did not find them flat: made, maybe
    made, or failed). A contract already flat at its close is left out of what was done:
    planned on risk's view, not the broker's, it is what a read first would have shown flat
    (never "closed MNQ (already done)"; an account found flat so stays "already flat",
    nothing to do)."""
    steps = [Step(CLOSE, contract_id=c) for c in dict.fromkeys(contracts)]
    before = len(ctx.done)
    report = ctx.execute(steps)
    flat = {f"{s.describe()} (already done)": s.contract_id for s in steps}
    found_flat = {flat[d] for d in ctx.done[before:] if d in flat}
    ctx.done[before:] = [d for d in ctx.done[before:] if d not in flat]
    return report, {s.contract_id for s in steps} - found_flat


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
