"""An order the trader placed after riskd's close was carried out is not that close's to cancel.

Closing a contract closes its orders: close_position cancels what is left working on the
contract (the closed position's stop and target, which left behind would open a new, unguarded
position), and an order placed while the close was in flight (held at the broker) goes with
them: the broker's close takes the whole position open when it carries the close out, so that
order was for what riskd closed (placedorders.py names it). But once the broker has carried the
close out, the trader may buy again at once and place that new position's stop before
enforcement's read of the orders (a slow answer, a later round, a round resumed after a
restart). That stop is for a position riskd did not close (newerposition.py: the close leaves
that position open too); cancelling it left the trader's new position without its stop, by
riskd's own hand. So an order on the contract that the broker stamps as created after the
close's fill is left working, and the close's result says so ("; 1 order left working: the
trader's sell stop MNQ 1 @ 20800.00, placed at ..., after the position riskd decided on was
closed: not cancelled by it (riskd's rules judge it as any order)").

When the close was carried out: the broker's creation time of the close's market order (a
market order fills at once), found by one Order/search: of the market orders its calls'
windows hold (closeorders.py), walked from the position the close was sent against, the first
that left the contract flat (a trader's partial sell before it, or a buy that added to the
position, is walked past: flat_at). That search is made only when an order
to cancel was created after the command's first close call was sent, less the clocks' skew: an
older order is the closed position's whatever the answer, so the usual close reads nothing
more. No close order found (the close not carried out yet: its answer lost; the search failed):
an order created after a close call that the broker answered done (SKEW_NS later: the broker
carries a close out before it answers) is left, every other one cancelled as before. The fill's
time and the orders left are journaled (progress `filled_ns`, `left`): a later round, or a round
resumed after a restart, decides and says the same.
"""
from __future__ import annotations

from typing import Optional

from services.enforcement import closeorders
from services.enforcement.planning import CANCEL, Step, plural
from shared import showtime
from shared.clock import SKEW_NS
from shared.projectx.models import OrderSide

FILLED_NS = "filled_ns"     # progress: the broker's time the close was carried out
LEFT = "left"               # progress: [order id, when placed, the order in words]


def leave(ctx, cid: str, orders: list, steps: list[Step]) -> list[Step]:
    """`steps` (a close's cancels on `cid`, planned from `orders`) without the cancels of orders
    placed after the close was carried out; those are journaled (progress `left`)."""
    calls = close_calls(ctx, cid)
    if not calls:
        return steps
    since = min(c.sent_ns for c in calls) - SKEW_NS
    by_id = {o.id: o for o in orders}
    later = [s for s in steps if s.kind == CANCEL and (_created(by_id.get(s.order_id)) > since)]
    if not later:
        return steps
    filled = _filled_ns(ctx, cid, calls)
    if filled is None:
        return steps
    left = [by_id[s.order_id] for s in later if _created(by_id[s.order_id]) > filled]
    if not left:
        return steps
    note_left(ctx, left)
    ids = {o.id for o in left}
    return [s for s in steps if not (s.kind == CANCEL and s.order_id in ids)]


def words(ctx) -> str:
    """'; 1 order left working: the trader's sell stop MNQ 1 @ 20800.00, placed at Tue 16:13:17
    CST, after the position riskd decided on was closed: not cancelled by it (riskd's rules
    judge it as any order)' -- '' when it left none."""
    left = [row for row in ctx.progress.get(LEFT) or []
            if f"cancel order {row[0]}" not in ctx.done]
    if not left:
        return ""
    now = ctx.clock.now_ns()
    said = "; ".join(f"the trader's {order}, placed at {showtime.start(int(placed), ctx.zone, now)}"
                     for _oid, placed, order in left)
    return (f"; {plural(len(left), 'order')} left working: {said}, after the position riskd "
            f"decided on was closed: not cancelled by it (riskd's rules judge it as any order)")


def close_calls(ctx, cid: str) -> list:
    """The command's close calls on the contract; a command resumed after a restart (or one
    that made none) adds the one the ended process may have sent, from its issue on."""
    calls = [c for c in ctx.close_calls if c.contract_id in ("", cid) and c.sent_ns]
    if (ctx.restarted or not calls) and ctx.command.issued_ns:
        calls.append(closeorders.CloseCall(cid, 0, ctx.command.issued_ns, worked=False))
    return calls


def _filled_ns(ctx, cid: str, calls: list) -> Optional[int]:
    """When the broker carried the close out (its clock), or the latest time it surely had
    (a call answered done, SKEW_NS later); None: not known."""
    if ctx.progress.get(FILLED_NS):
        return int(ctx.progress[FILLED_NS])
    orders = closeorders.read(ctx.client, ctx.account_id, calls, ctx.budget)
    if orders is not None:
        filled = fill_in(ctx, cid, calls, orders)[0]
        if filled:
            ctx.save_progress(**{FILLED_NS: filled})
            return filled
    return answered_by(calls)


def fill_in(ctx, cid: str, calls: list, orders: list) -> tuple[int, list]:
    """(when the close on cid was carried out by the orders read (0: no order of it there),
    the market orders on cid the calls' windows hold, in creation order: the close's and any
    trader's beside it)."""
    picked = {o.order_id for o in closeorders.pick(orders, calls, ctx.clock.now_ns())[0]
              if o.contract_id == cid}
    window = sorted((o for o in orders if o.id in picked and o.created_ns),
                    key=lambda o: (o.created_ns, o.id))
    return flat_at(held_at(ctx, calls), window), window


def answered_by(calls: list) -> Optional[int]:
    """The latest time the broker surely had carried a close out: its call answered done,
    SKEW_NS later (None: no call was)."""
    answered = [c.answered_ns for c in calls if c.worked and c.answered_ns]
    return min(answered) + SKEW_NS if answered else None


def held_at(ctx, calls: list) -> int:
    """The position the first of the calls was sent against (signed; the command's when no
    call knew it)."""
    return next((c.held for c in sorted(calls, key=lambda c: c.sent_ns) if c.held),
                ctx.command.held)


def flat_at(held: int, orders: list) -> int:
    """The creation time of the first of the market orders (in creation order) that left the
    contract flat, walked from the position the close was sent against (held: long +, short
    -): a close of the whole position is one order of all that was open (closefits.py), so a
    trader's partial sell before it, or a buy that added to the position, is walked past.
    Not known (0): the earliest on the side that closes held (any side, held not known)."""
    found = fits_at(held, orders)
    if found:
        return found
    side = None if not held else (OrderSide.ASK if held > 0 else OrderSide.BID)
    return next((o.created_ns for o in orders if side is None or o.side == side), 0)


def fits_at(held: int, orders: list) -> int:
    """flat_at's walk alone: the creation time of the order that closed exactly what was open
    when it came, walked from held (0: none, or held not known)."""
    pos = held
    for o in orders if held else ():
        signed = -o.size if o.side == OrderSide.ASK else o.size
        if pos and (signed > 0) != (pos > 0) and o.size == abs(pos):
            return o.created_ns
        pos += signed
    return 0


def note_left(ctx, left: list) -> None:
    known = {row[0] for row in ctx.progress.get(LEFT) or []}
    new = [o for o in left if o.id not in known]
    if new:
        # only now: shared/orderwords.py reads the market messages' constants, an area
        # enforcement does not load at start (docs/performance.md, 'Memory')
        from shared.orderwords import order_words   # noqa: PLC0415
        rows = [[o.id, o.created_ns, order_words(o)] for o in new]
        ctx.save_progress(**{LEFT: list(ctx.progress.get(LEFT) or []) + rows})


def _created(order) -> int:
    return (order.created_ns or 0) if order is not None else 0
