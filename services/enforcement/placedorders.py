"""The trader's orders that riskd's close or flatten cancelled though they were placed while it
was in flight: which they are (journaled, progress `placed`) and the words its result names them
in.

Closing a contract closes its orders, and a flatten cancels every order (RULES.md): an order the
trader placed after riskd issued the command (a stop placed while the close was held at the
broker) goes too, and the result names it: "1 order cancelled: the trader's sell stop MNQ 2 @
20800.00, placed at Sun 22:16:20 CST while this close was in flight" (fresh-user trial 18c: the
trader's stop vanished with only "1 order cancelled" said; grace19 left the flatten's: "cancelled
1 order"). Only an order placed surely after the issue (later than it by more than the clocks may
differ) is named: a bracket the trader set with the position, just before, is only counted.
Journaled, so a later round's result says it too.
"""
from __future__ import annotations

from shared import showtime
from shared.clock import SKEW_NS



def note(ctx, orders, steps) -> None:
    """Journal the orders the steps cancel that the trader placed after riskd issued the
    command (progress `placed`: [order id, when placed, the order in words])."""
    if not ctx.command.issued_ns:           # when it was issued is not known: none is said
        return
    ids = {s.order_id for s in steps}
    known = {row[0] for row in ctx.progress.get("placed") or []}
    new = [o for o in orders if o.id in ids and o.id not in known and o.created_ns
           and o.created_ns > ctx.command.issued_ns + SKEW_NS]
    if new:
        # only now: shared/orderwords.py reads the market messages' constants, an area
        # enforcement does not load at start (docs/performance.md, 'Memory')
        from shared.orderwords import order_words   # noqa: PLC0415
        new = [[o.id, o.created_ns, order_words(o)] for o in new]
        ctx.save_progress(placed=list(ctx.progress.get("placed") or []) + new)


def words(ctx, what: str = "close") -> str:
    """': the trader's sell stop MNQ 2 @ 20800.00, placed at Sun 22:16:20 CST while this close
    was in flight' for each such order the command cancelled ('' when none); what: 'close',
    'flatten'."""
    said = []
    for order_id, placed_ns, order in ctx.progress.get("placed") or []:
        if f"cancel order {order_id}" in ctx.done:
            when = showtime.start(placed_ns, ctx.zone, ctx.clock.now_ns())
            said.append(f"the trader's {order}, placed at {when} while this {what} was in "
                        f"flight")
    return f": {'; '.join(said)}" if said else ""


def placed_note(ctx, order_id, what: str) -> str:
    """', placed by the trader at Sun 22:16:20 CST while this flatten was in flight' for an
    order the command cancelled that the trader placed meanwhile ('' for any other); what:
    'close', 'flatten'."""
    for oid, placed_ns, _order in ctx.progress.get("placed") or []:
        if str(oid) == str(order_id):
            when = showtime.start(placed_ns, ctx.zone, ctx.clock.now_ns())
            return f", placed by the trader at {when} while this {what} was in flight"
    return ""
