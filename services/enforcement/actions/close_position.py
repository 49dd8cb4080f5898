"""close_position: closeContract for one contract; PositionNotFound means already done.

No read before the call (speed: this is the lockout's answer to a new position); one read
after it verifies the position is gone (a close that has not filled yet is retried).
"""
from __future__ import annotations

from services.enforcement.actions.base import ActionContext, GiveUp, Retry
from services.enforcement.planning import CLOSE, Step

NAME = "close_position"
PRIORITY = 0


def _contract(ctx: ActionContext) -> str:
    if not ctx.command.contract_id:
        raise GiveUp("close_position needs a contract_id")
    return ctx.command.contract_id


def run(ctx: ActionContext) -> str:
    cid = _contract(ctx)
    ctx.execute([Step(CLOSE, contract_id=cid)]).raise_if_stuck(ctx.errors)
    ctx.settle()
    left = ctx.position(cid)
    if left is not None:
        raise Retry(f"{cid} still open ({left.size}) after closeContract")
    already = ctx.done and ctx.done[-1].endswith("(already done)")
    return f"{cid} on account {ctx.account} " + ("was already flat" if already else "closed")


def describe(ctx: ActionContext) -> str:
    return f"close {_contract(ctx)} on account {ctx.account}"
