"""reduce_position: bring one position down by `size` contracts with partialCloseContract.

The target size (observed size minus `size`) is journaled BEFORE the call, so an attempt
after a crash or a lost answer re-reads the position and only closes what is still above the
target: a partial close that worked is never repeated. Target 0 is a closeContract.
"""
from __future__ import annotations

from services.enforcement.actions.base import ActionContext, GiveUp, Retry
from services.enforcement.planning import plan_reduce, reduce_target

NAME = "reduce_position"
PRIORITY = 0


def _check(ctx: ActionContext) -> tuple[str, int]:
    cmd = ctx.command
    if not cmd.contract_id or cmd.size is None or cmd.size <= 0:
        raise GiveUp(f"reduce_position needs a contract_id and a size above 0, got "
                     f"{cmd.contract_id!r} and {cmd.size!r}")
    return cmd.contract_id, cmd.size


def run(ctx: ActionContext) -> str:
    cid, cut = _check(ctx)
    pos = ctx.position(cid)
    target = ctx.progress.get("target")
    if target is None:
        if pos is None:
            return f"{cid} on account {ctx.account} was already flat"
        target = reduce_target(pos.size, cut)
        ctx.save_progress(target=target, observed=abs(pos.size))
    steps = plan_reduce(pos, target)
    if not steps:
        now = 0 if pos is None else abs(pos.size)
        return f"{cid} on account {ctx.account} is at {now} (target {target}): nothing left to do"
    ctx.execute(steps).raise_if_stuck(ctx.errors)
    ctx.settle()
    after = ctx.position(cid)
    size = 0 if after is None else abs(after.size)
    if size > target:
        raise Retry(f"{cid} still at {size}, above the target {target}")
    return (f"reduced {cid} on account {ctx.account} from {ctx.progress.get('observed')} "
            f"to {size} contracts")


def describe(ctx: ActionContext) -> str:
    cid, cut = _check(ctx)
    return f"reduce {cid} on account {ctx.account} by {cut}"
