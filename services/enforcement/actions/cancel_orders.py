"""cancel_orders: cancel one order (order_id) or every working order of the account (optionally
of one contract), suspended bracket children included; OrderNotFound means already done.

One order is cancelled without a read first (the lockout's answer to a new order); "every
order" reads, cancels, then verifies nothing is left working (bounded passes).

"Every order" leaves market orders alone, as a close's own cancels do (planning.plan_cancels
keep_market): a cancel of the account's orders runs beside the account's closes (lanes.py:
orders and positions are two groups), and the one market order working on a contract while
a close or flatten is under way is that close, which a cancel would undo (the close would see
the position still open and send again). A market order never rests: it fills or is
rejected; risk never asks to cancel one (a new market order on a locked account is closed
once it fills, services/risk/lockouts.py).

A command with placed_by_ns (riskd's late close's cancel: services/risk/latecarried.py)
cancels only the contract's orders placed by then, by the broker's times (an order of no
known time counts as placed before): one the trader placed after the late close came is for
what they opened since, and stays working. Its result names the orders it cancelled
(journaled before the cancels, so a resumed run says them too: namedorders.py) and how
many placed after it were left working.
"""
from __future__ import annotations

from typing import Generator

from services.enforcement import namedorders
from services.enforcement.actions.base import ActionContext
from services.enforcement.planning import CANCEL, Step, plan_cancels, plural

NAME = "cancel_orders"
PRIORITY = 1
PASSES = 3


def run(ctx: ActionContext) -> Generator[float, None, str]:
    cmd = ctx.command
    if cmd.order_id is not None:
        ctx.execute([Step(CANCEL, contract_id=cmd.contract_id or "", order_id=cmd.order_id)]
                    ).raise_if_stuck(ctx.errors)
        return one_order_done(cmd, ctx.account, ctx.done[-1])
    if cmd.placed_by_ns:
        return (yield from _placed_by(ctx))
    yield from ctx.settle_orders(lambda orders: plan_cancels(orders, cmd.contract_id,
                                                             keep_market=True),
                      f"orders still working{_of(cmd.contract_id)}", PASSES)
    n = len(ctx.done)
    return (f"cancelled {plural(n, 'order')}{_of(cmd.contract_id)} on account {ctx.account}"
            if n else f"account {ctx.account} had no working orders{_of(cmd.contract_id)}")


def placed_by(orders, cmd) -> list:
    """The orders a command with placed_by_ns may cancel: placed at or before it (or of no
    known time)."""
    return [o for o in orders if not o.created_ns or o.created_ns <= cmd.placed_by_ns]


def _placed_by(ctx: ActionContext) -> Generator[float, None, str]:
    """cancel_orders of riskd's late close (placed_by_ns): the contract's orders placed by the
    late fill, named in the result; those placed after it left working, counted."""
    cmd = ctx.command
    cid = cmd.contract_id or ""
    last: list = []          # the last read: what is left working after the cancels

    def planned(orders):
        last[:] = orders
        steps = plan_cancels(placed_by(orders, cmd), cid or None, keep_market=True)
        namedorders.note(ctx, orders, steps)
        return steps
    yield from ctx.settle_orders(planned, f"orders still working{_of(cid)}", PASSES)
    cancelled = [words for _oid, words in namedorders.cancelled(ctx, gone_too=False)]
    after = len(plan_cancels(last, cid or None, keep_market=True))
    left = (f"; {plural(after, 'order')} placed after riskd's late close left working"
            if after else "")
    if cancelled:
        return (f"cancelled {plural(len(cancelled), 'order')}{_of(cid)} on account "
                f"{ctx.account}, working before riskd's late close: {', '.join(cancelled)}"
                f"{left}")
    return (f"account {ctx.account} had no working orders{_of(cid)} placed before riskd's "
            f"late close{left}")


def one_order_done(cmd, account: str, done: str) -> str:
    """'order 9000040 (sell stop MNQ 2 @ 20880.00) cancelled on account Demo 1'; an order the
    broker no longer had: 'was no longer working (filled or cancelled already)'. Trial
    2026-12-06: "order 9000040 on account Demo 1: cancel order 9000040"."""
    order = f"order {cmd.order_id}" + (f" ({cmd.order_text})" if cmd.order_text else "")
    if done.endswith("(already done)"):
        return f"{order} on account {account} was no longer working (filled or cancelled already)"
    if done == Step(CANCEL, order_id=cmd.order_id).describe():
        return f"{order} cancelled on account {account}"
    return f"{order} on account {account}: {done}"       # its answer lost, or after a restart


def _of(contract_id) -> str:
    return f" in {contract_id}" if contract_id else ""


def describe(ctx: ActionContext) -> str:
    cmd = ctx.command
    if cmd.order_id is not None:
        return f"cancel order {cmd.order_id} on account {ctx.account}"
    orders = ctx.working_orders()
    if cmd.placed_by_ns:
        orders = placed_by(orders, cmd)
    n = len(plan_cancels(orders, cmd.contract_id, keep_market=True))
    return f"cancel {plural(n, 'order')}{_of(cmd.contract_id)} on account {ctx.account}"
