"""close_position: closeContract for one contract, then cancel every working order of the
account on that contract; PositionNotFound means the position was already closed.

A fresh command closes first, with no read before it (speed: this is the lockout's answer to
a new position). A command that may already have closed (resumed from a journal row left
'running' by a crash, or a later round after a lost answer) re-reads the position first and
closes only what is still open: a closeContract on a flat position is a call that should not
have been made (the chaos run counts them at the broker).

The broker's closeContract leaves the position's stop and target resting (PROJECTX.md); left
behind, one of them would later open a new, unguarded position (RULES.md "Closing a contract
closes its orders"). So: the close first, with no read before it (speed: this is the
lockout's answer to a new position); then the contract's working orders, suspended bracket
children included, are read, cancelled and re-read until none is left (the close's own market
order is left alone); then one read verifies the position is gone (a close that has not
filled yet is retried; a position opened after riskd decided, the trader's new one, is not
this close's: services/enforcement/newerposition.py). Every call is idempotent, so a run resumed after a crash re-checks
and only does what is missing. The cancels run even when the market is shut and the close
waits for it.

A close that took more than risk knew held when it decided (the trader bought more while it
was held at the broker) says so after its words: "; 2 contracts closed, 1 more than held when
riskd decided (bought after it)" (counted).

An order the trader placed after riskd decided the close (a stop placed while the close was
held at the broker) is cancelled with the others, and the result names it: "1 order cancelled:
the trader's sell stop MNQ 2 @ 20800.00, placed at Sun 22:16:20 CST while this close was in
flight" (fresh-user trial 18c: the trader's stop vanished with only "1 order cancelled" said).
Which orders those are is journaled (progress `placed`), so a later round's result says it too.
An order placed after the broker carried the close out is not the closed position's (the stop
of a position the trader opened since, which the close leaves open too): it is left working and
the result says so ("; 1 order left working: the trader's sell stop MNQ 1 @ 20800.00, placed at
..., after the position riskd decided on was closed: not cancelled by it ...";
services/enforcement/ordersafter.py).
"""
from __future__ import annotations

from typing import Generator, Optional

from services.enforcement.actions.base import (BY_EARLIER, ActionContext, GiveUp, Retry,
                                               StepReport, answered, unsure)
from services.enforcement import closedby, newerposition, ordersafter, placedorders
from services.enforcement.planning import CLOSE, Step, plan_cancels, plural

NAME = "close_position"
PRIORITY = 0
PASSES = 3


def _contract(ctx: ActionContext) -> str:
    if not ctx.command.contract_id:
        raise GiveUp("close_position needs a contract_id")
    return ctx.command.contract_id


def contract_orders(cid: str):
    """The plan that cancels what is left working on a closed contract."""
    return lambda orders: plan_cancels(orders, cid, keep_market=True)


def run(ctx: ActionContext) -> Generator[float, None, str]:
    cid = _contract(ctx)
    if ctx.resumed and _read(ctx, cid) is None:
        closed = StepReport()
        if ctx.restarted:
            ctx.found_flat_after_restart(Step(CLOSE, contract_id=cid))
    else:
        closed = ctx.execute([Step(CLOSE, contract_id=cid)])
    close = Step(CLOSE, contract_id=cid)
    if ctx.restarted and not answered(ctx.done, close) \
            and f"{close.describe()} (already done)" in ctx.done:
        # open at the re-read, gone at the call: the close the process that ended sent (held
        # at the broker, released meanwhile) or the trader closed it, never "nothing to do:
        # MNQ was already flat" (trial19a section 2's kill -9 of enforcement, replayed)
        ctx.found_flat_after_restart(close)
    # flat without a close of ours that worked (or may have), in any round or turn of it
    already = not answered(ctx.done, close)
    if already != bool(ctx.progress.get("closed_nothing")):
        # its close did nothing (in no round): every screen says "nothing to do", whatever
        # it cancelled (CommandResult.closed_nothing; trial22a F3)
        ctx.save_progress(closed_nothing=already)
    yield from ctx.settle_orders(noting_placed(ctx, cid), f"orders still working in {cid}",
                                 PASSES)
    closed.raise_if_stuck(ctx.errors)
    yield from ctx.settle()
    left = ctx.position(cid)
    if left is not None and not newerposition.opened_since(ctx, left):
        raise Retry(f"{cid} still open ({left.size}) after closeContract")
    cancelled = sum(1 for d in ctx.done if d.startswith("cancel"))
    # after a close that closed nothing, the cancel is said on its own: what riskd did
    orders = f"{'; ' if already else ', '}{plural(cancelled, 'order')} cancelled" \
        if cancelled else ""
    orders += placedorders.words(ctx) + ordersafter.words(ctx)
    if already and not ctx.resumed:
        # its own call found no position: what made it flat after riskd decided, when the
        # broker's orders show it (trial 21b finding 8: the trader's target filled while this
        # close was held at the broker; "ES was already flat" alone did not say so)
        sent = min((c.sent_ns for c in ctx.close_calls if c.sent_ns), default=0)
        how = closedby.already(ctx, cid, sent, ctx.closers)
    elif already:
        how = "was already flat"
    elif close.describe() + BY_EARLIER in ctx.done:
        how = ("is flat: closed by the close riskd sent before enforcement restarted (the "
               "broker carried it out after the restart; this run's close found no position)")
    elif close.describe() in ctx.done:
        how = "closed" + _reversed(ctx)
    elif ctx.restarted and unsure(ctx.done) is None:
        how = ("is flat: found so when enforcement resumed the close after a restart (the "
               "close sent before it, or the trader, closed it)")
    else:       # flat now; the close's answer never came or was a 5xx: it worked, or someone
        # else closed it; the broker's orders say which (closedby.py), never assumed ours
        sent = min((c.sent_ns for c in ctx.close_calls if c.sent_ns), default=0)
        how = closedby.words(ctx, cid, unsure(ctx.done, ctx.timed_out_s), sent, ctx.closers)
    newer = newerposition.words(ctx, cid)
    if newer and how.startswith("is flat"):
        # not flat: what was open when riskd decided is closed, a newer position is open
        how = "was closed" + how[len("is flat"):]
    return f"{cid} on account {ctx.account} {how}{newer}{orders}"


def noting_placed(ctx: ActionContext, cid: str):
    """contract_orders' plan, less the orders placed after the close was carried out (the
    trader's new position's: services/enforcement/ordersafter.py), journaling the orders it
    cancels that the trader placed after riskd issued the close (placedorders.py)."""
    plan = contract_orders(cid)

    def planned(orders):
        steps = ordersafter.leave(ctx, cid, orders, plan(orders))
        placedorders.note(ctx, orders, steps)
        return steps
    return planned


def handed_to(ctx: ActionContext, queued: list) -> Optional[str]:
    """At a handover (the executor: a round failed and a command waits in the lane): the
    result words when a queued command closes this contract anyway -- a close of it or a
    flatten of the account, enforced, not alert mode -- and this command's own close was
    answered. Else None: hand over and come back. The storm bench found it: a locked trader
    buying every ~60 ms kept the first close seeing the NEXT position, retrying and handing
    over until it gave up after 4 rounds, and the trader read ENFORCEMENT FAILED for closes
    that had all worked."""
    cid = _contract(ctx)
    if Step(CLOSE, contract_id=cid).describe() not in ctx.done:
        return None
    after = next((c for c in queued if c.mode == "enforce" and c.account_id == ctx.account_id
                  and (c.action == "flatten" or (c.action == NAME and c.contract_id == cid))),
                 None)
    if after is None:
        return None
    then = "the next close of it" if after.action == NAME else "the account's flatten"
    return (f"{cid} on account {ctx.account} closed; what is open on it now (a later fill) "
            f"is closed by {then}, queued behind this one")


def _read(ctx: ActionContext, cid: str):
    """The position a later round reads before it closes; the largest seen on the side riskd
    decided on is journaled (progress `read`): what that close takes (counted)."""
    found = ctx.position(cid)
    if newerposition.opened_since(ctx, found):
        return None         # opened after riskd decided: not this close's (newerposition.py)
    held = ctx.command.held
    if found is not None and held and (found.type == 1) == (held > 0) \
            and found.size > int(ctx.progress.get("read") or 0):
        ctx.save_progress(read=found.size)
    # the other side open: the trader reversed the position since riskd decided; the close
    # that follows closes that (progress `reversed`, signed; 0 once the read side is riskd's)
    other = 0 if found is None or not held or (found.type == 1) == (held > 0) \
        else (found.size if found.type == 1 else -found.size)
    if found is not None and other != int(ctx.progress.get("reversed") or 0):
        ctx.save_progress(reversed=other)
    return found


def _reversed(ctx: ActionContext) -> str:
    """' short 2 (the position reversed since riskd decided on long 1)' after "MNQ ... closed"
    when the round whose close closed it read the other side of what riskd decided on open
    (_read): the trader's reversing order closed that, and riskd's close took what the
    reversal opened (trial20c finding 3: "MNQ closed" hid that the long 1 was closed by the
    trader's sell of 3 and riskd's second round closed the short 2 it opened). '' else."""
    other = int(ctx.progress.get("reversed") or 0)
    held = ctx.command.held
    if not other or not held:
        return ""
    return (f" {closedby.position_words(other)} (the position reversed since riskd decided on "
            f"{closedby.position_words(held)})")


def counted(ctx: ActionContext, orders: list, known: bool) -> str:
    """'; 2 contracts closed, 1 more than held when riskd decided (bought after it)' after a
    done close's words when it took more than risk knew held on the contract when it decided
    (Command.held): a close carried out late, or retried, takes all that is open then
    (trial19b finding 8: a held close of MNQ long 1 closed the 1 the trader bought 6 s later
    too, and its "✅ Done" and history said only "MNQ closed"). How many: the largest position
    a later round read on that side before closing it (_read); else the orders its closes
    created on the closing side (closeorders.py; the list complete: known), only when no
    order on the other side shows in their window: a trader's market order there may be a
    buy that grew the position or a sell that reversed it (a flip's sell of 2 against long 1
    would read as riskd's close of 2), and that cannot be told from the orders alone. ''
    when it took no more, or when that is not known. A close carried out after the trader
    reversed the position, its orders showing both (closedby.reversal): what it closed."""
    command = ctx.command
    held = command.held
    if not held:
        return ""
    if ctx.progress.get(closedby.REVERSAL):
        return str(ctx.progress[closedby.REVERSAL])     # closedby.reversal: what it closed
    side = 1 if held > 0 else 0                 # the closing side: sell a long, buy a short
    mine = [o for o in orders if o.contract_id == command.contract_id]
    closed = int(ctx.progress.get("read") or 0)
    if not closed and known and all(o.side == side for o in mine):
        closed = sum(o.size for o in mine)
    more = closed - abs(held)
    if more <= 0:
        return ""
    return (f"; {plural(closed, 'contract')} closed, {more} more than held when riskd decided "
            f"(bought after it)")


def describe(ctx: ActionContext) -> str:
    cid = _contract(ctx)
    n = len(contract_orders(cid)(ctx.working_orders()))
    orders = f", cancelling {plural(n, 'order')}" if n else ""
    return f"close {cid} on account {ctx.account}{orders}"
