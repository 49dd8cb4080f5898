"""A close carried out after its command was withdrawn: riskd cleans up after it.

Risk takes a command back when its lockout ends (services/enforcement/withdraw.py); one
running stops before its next trading call, but a close already out at the broker cannot be
taken back, and the broker closes what is open when it carries it out: with the trader's buy
made after the unlock too (trial25c F1: a close held 6 s at the broker closed MNQ long 2, the
trader's new long 1 with it). The command then stopped before its cancels, and the closed
positions' stops and targets (the old ones, and the ones the trader placed for the new
position) stayed working on a flat account: the limits filled later and opened an unguarded
short 2.

Closing a contract closes its orders (docs/rules.md): that is the clean-up of what riskd has
already done, not a new trading decision. So a command stopped by a withdraw after a close of
its went out (or, resumed after a restart, one the ended process may have sent) learns whether
that close was carried out: its answer, or one order search (ordersafter.fill_in: the market
order that left the contract flat, walked from the position the close was sent against). An
answer lost (or a 5xx, or a close sent before a restart) with no close order found is not
known: nothing is cancelled, it is said ("riskd cannot tell whether it will be carried out"),
and its call is left unsettled (CommandResult.unsettled): a later fill of it is risk's late
close, which cancels then; the market orders its window holds then (none on the side that
closes what it was sent against) are the trader's, never in the result's order list. Carried out: every working order on that contract the broker created
before the close's fill is cancelled (the positions they protected are gone: the close took
them), and each one created after it is left (the trader's new position's: ordersafter.py).
The reads come after the search: the positions read is the one after the closes that tells a
trader's market order in the close's window from riskd's (closefits.py), so risk does not book
the trader's buy as riskd's fill (trial25c "F2 on another path": "closed MNQ +1 at 20935.08
(average)"); the result's order list is made from the same search (ActionContext.searched).
A reduce's cut is never cleaned up so: the position it leaves keeps its orders.

The words say what happened, after "then stopped, withdrawn while it ran (...)": ": its close
of MNQ, already sent (a call out at the broker is not taken back), was carried out at Mon
17:20:53 CST: it closed MNQ long 2, with the long 1 the trader bought at Mon 17:20:51 CST while
that close was at the broker; riskd's clean-up of that close (not a new action) cancelled 4
orders it left without a position: sell stop MNQ 1 @ 20900.00 (order 9000002); ...; nothing
else was sent".
"""
from __future__ import annotations

from typing import Optional

from services.enforcement import closeorders, namedorders, ordersafter
from services.enforcement.actions.base import (CALL_ERRORS, SENDING, ActionContext,
                                               CannotEnforce, unsure)
from services.enforcement.closedby import position_words
from services.enforcement.closeorders import CloseCall
from services.enforcement.planning import plan_cancels, plural
from shared import showtime
from shared.clock import SKEW_NS
from shared.latewords import RESTARTED
from shared.projectx.errors import ParseError
from shared.projectx.models import OrderSide, OrderType


WHOLE = ("flatten", "close_position")      # the actions whose closes take the whole position


def contracts(ctx: ActionContext) -> list[str]:
    """The contracts a close of the command was (or may have been) sent on: its calls; resumed
    after a restart, the ended process's too (the command's contract, or a flatten's journaled
    ones)."""
    if ctx.command.action not in WHOLE:
        return []           # a reduce's cut leaves a position: its orders still protect it
    cids = [c.contract_id for c in ctx.close_calls if c.contract_id and not c.size]
    if ctx.restarted:
        cids += [ctx.command.contract_id] if ctx.command.contract_id \
            else list(ctx.progress.get(SENDING) or [])
    return list(dict.fromkeys(cids))


def clean_up(ctx: ActionContext) -> str:
    """Learn whether the command's closes were carried out, cancel the orders each left
    without a position, and return the words ('' when no close of its went out)."""
    cids = contracts(ctx)
    if not cids:
        return ""
    # one order search first, then the reads: a read after the close's fill is the one that
    # tells a trader's market order in its window from riskd's (closefits.py); the result's
    # order list is made from the same search (executor._close_orders: ctx.searched)
    calls = {cid: _calls(ctx, cid) for cid in cids}
    every = [c for on in calls.values() for c in on]
    searched = closeorders.read(ctx.client, ctx.account_id, every, ctx.budget) \
        if every else None
    if searched is not None:
        ctx.searched = (min(c.sent_ns for c in every), searched)
    try:
        ctx.positions()
        orders = ctx.working_orders()
    except (*CALL_ERRORS, ParseError) as exc:
        orders, unread = None, str(exc)
    # the orders another command of riskd's made (a reduce run while this one waited in
    # its lane) are never this close's fill
    others = set(ctx.closers(min(c.sent_ns for c in every) - SKEW_NS)) if every else set()
    said = []
    for cid in cids:
        filled, window = _fill(ctx, cid, calls[cid], searched, others)
        filled = filled or ordersafter.answered_by(calls[cid])
        name = cid         # the result's words name it by its ticker (executor._final)
        if filled is None:
            if searched is not None and ordersafter.held_at(ctx, calls[cid]):
                # no order of its on the side that closes what it was sent against: the
                # market orders of its window are the trader's (a buy that grew the long),
                # never riskd's fill (risk books them as the trader's trades)
                ctx.not_ours.update(o.id for o in window)
            said.append(_not_known(ctx, cid))
            continue
        carried = _carried(ctx, cid, filled, window, ordersafter.held_at(ctx, calls[cid]))
        if orders is None:
            said.append(f"{carried}; riskd could not read the orders it left ({unread}): "
                        f"check them")
            continue
        on = [o for o in orders if o.contract_id == cid]
        created = {o.id: (o.created_ns or 0) for o in on}
        steps = [s for s in plan_cancels(on, cid, keep_market=True)
                 if created[s.order_id] <= filled]
        ordersafter.note_left(ctx, [o for o in on if o.type != OrderType.MARKET
                                    and created[o.id] > filled])
        namedorders.note(ctx, on, steps)
        try:
            ctx.execute(steps, cleanup=True)
        except CannotEnforce as exc:        # the broker refuses API trading on the account
            ctx.errors.append(str(exc))
        ids = {str(s.order_id) for s in steps}
        gone = [w for oid, w in namedorders.cancelled(ctx) if oid in ids]
        failed = [str(s.order_id) for s in steps if str(s.order_id) not in
                  {oid for oid, _w in namedorders.cancelled(ctx)}]
        if gone:
            carried += (f"; riskd's clean-up of that close (not a new action) cancelled "
                        f"{plural(len(gone), 'order')} it left without a position: "
                        + "; ".join(gone))
        elif not failed:
            carried += f"; no order of the closed position was left working on {name}"
        if failed:
            carried += (f"; riskd could not cancel {plural(len(failed), 'order')} it left "
                        f"without a position (orders {', '.join(failed)}): cancel them by hand")
        said.append(carried)
    return ": " + "; ".join(said) + ordersafter.words(ctx)


def _fill(ctx: ActionContext, cid: str, calls: list, searched: Optional[list],
          others: set) -> tuple[int, list]:
    """(when the close on cid was carried out, by the search (0: not shown there), the market
    orders on cid of its calls' windows, others' left out). Only an order that closed exactly
    what was open, walked from the position the close was sent against, is its fill (never
    flat_at's guess: a wrong one would cancel an open position's stop); that position not
    known, the one order of the window, when a call was answered done or the read after it
    found the contract flat."""
    if searched is None or not calls:
        return 0, []
    window = [o for o in ordersafter.fill_in(ctx, cid, calls, searched)[1]
              if o.id not in others]
    cmd = ctx.command
    held = ordersafter.held_at(ctx, calls) or (
        dict(zip(cmd.contracts, cmd.holds)).get(cid, 0)
        if len(cmd.holds) == len(cmd.contracts) else 0)     # a flatten's, as risk knew them
    if held:
        return ordersafter.fits_at(held, window), window
    # a call answered done was carried out in its window; a lost one's window runs to the
    # search, and the one order there may be the trader's partial sell: flat after it only
    sure = any(c.worked and c.answered_ns for c in calls) or \
        (ctx.read_ns and not ctx.known_open.get(cid))
    return (window[0].created_ns if len(window) == 1 and sure else 0), window


def _calls(ctx: ActionContext, cid: str) -> list:
    """The command's close calls on cid (ordersafter.close_calls); resumed after a restart,
    the close the ended process may have sent, from when that process started the command
    (journaled: ActionContext.lost_before_restart), when the command's issue is not known."""
    calls = ordersafter.close_calls(ctx, cid)
    if ctx.restarted and not any(c.sent_ns and not c.worked for c in calls):
        rows = [r for key in ("lost", "unsettled") for r in ctx.progress.get(key) or []
                if len(r) > 3 and r[3] == RESTARTED and r[0] in ("", cid) and r[2]]
        calls += [CloseCall(cid, 0, int(min(r[2] for r in rows)), worked=False)] if rows else []
    return calls


def _not_known(ctx: ActionContext, cid: str) -> str:
    """The close on cid may have been sent and no order of it shows (its answer lost or a 5xx,
    or sent before a restart): nothing cancelled; its call stays unsettled (CommandResult
    .unsettled), so a later fill of it is risk's late close, which cancels then."""
    lost = [list(r) for r in ctx.progress.get("lost") or []]
    mine = [r for r in lost if r[0] in ("", cid)]
    if mine:
        unsettled = [list(r) for r in ctx.progress.get("unsettled") or []]
        ctx.save_progress(lost=[r for r in lost if r not in mine],
                          unsettled=unsettled + [r for r in mine if r not in unsettled])
    why = unsure(ctx.done, ctx.timed_out_s) or "it was sent before enforcement restarted"
    return (f"its close of {cid} may have gone out before that ({why}), and no order of it "
            f"shows at the broker yet: riskd cannot tell whether it will be carried out, so "
            f"the orders on {cid} are left as they are (carried out later, it is riskd's late "
            f"close, which cancels then the orders it leaves without a position)")


def _carried(ctx: ActionContext, cid: str, filled: int, window: list, held: int) -> str:
    """'its close of MNQ, already sent (...), was carried out at ...: it closed MNQ long 2,
    with the long 1 the trader bought at ... while that close was at the broker'."""
    now = ctx.clock.now_ns()
    name = cid
    text = (f"its close of {name}, already sent (a call out at the broker is not taken "
            f"back), was carried out at {showtime.start(filled, ctx.zone, now)}")
    closed, grew = _walk(held, window, filled)
    if closed:
        text += f": it closed {name} {position_words(closed)}"
        if grew:
            bought = sum(o.size for o in grew)
            text += (f", with the {position_words(bought if closed > 0 else -bought)} the "
                     f"trader {'bought' if closed > 0 else 'sold'} at "
                     f"{showtime.start(grew[0].created_ns, ctx.zone, now)} while that close "
                     f"was at the broker")
    return text


def _walk(held: int, window: list, filled: int) -> tuple[Optional[int], list]:
    """(the position the close's order closed (signed; None: not known), the trader's market
    orders that grew the position before it), walking the window from held."""
    if not held:
        return None, []
    pos, grew = held, []
    for o in window:
        signed = -o.size if o.side == OrderSide.ASK else o.size
        if o.created_ns == filled and (signed > 0) != (pos > 0) and o.size == abs(pos):
            return pos, grew
        if o.created_ns >= filled:
            break
        if (signed > 0) == (pos > 0):
            grew.append(o)
        pos += signed
        if not pos:
            break
    return None, []
