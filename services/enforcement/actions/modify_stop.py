"""modify_stop: move a stop order's stop price (Order/modify); setting a price is idempotent.

An order that is no longer working has nothing left to move: that is reported, not retried.
"""
from __future__ import annotations

from services.enforcement.actions.base import ActionContext, GiveUp
from services.enforcement.planning import MODIFY, Step

NAME = "modify_stop"
PRIORITY = 1


def _check(ctx: ActionContext) -> int:
    cmd = ctx.command
    if cmd.order_id is None or cmd.stop_price is None:
        raise GiveUp(f"modify_stop needs an order_id and a stop_price, got {cmd.order_id!r} "
                     f"and {cmd.stop_price!r}")
    return cmd.order_id


def run(ctx: ActionContext) -> str:
    order_id = _check(ctx)
    ctx.execute([Step(MODIFY, order_id=order_id)]).raise_if_stuck(ctx.errors)
    if ctx.done[-1].endswith("(already done)"):
        return f"order {order_id} on account {ctx.account} is no longer working: stop not moved"
    return f"stop of order {order_id} on account {ctx.account} moved to {ctx.command.stop_price}"


def describe(ctx: ActionContext) -> str:
    return (f"move the stop of order {_check(ctx)} on account {ctx.account} "
            f"to {ctx.command.stop_price}")
