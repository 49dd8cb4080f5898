"""The orders a command cancels, in words: journaled before the cancels, named in its result.

A result that names a cancelled order by its id only ("cancelled 2 orders (10, 11)") says
nothing a trader can recognise (task 22c-3: a flatten's Done). Each order the steps cancel is
journaled (progress `named`: [order id, 'sell stop MNQ 1 @ 20950.00']) before the cancels
are sent, as the broker listed it then, so a run resumed after a restart names it too (the
order is gone from the broker by then). cancel_orders (riskd's late close's cancel) and
flatten use it.
"""
from __future__ import annotations

NAMED = "named"


def note(ctx, orders, steps) -> None:
    """Journal the words of each order in `orders` that `steps` cancel, not journaled yet."""
    ids = {s.order_id for s in steps if s.order_id is not None}
    named = [list(r) for r in ctx.progress.get(NAMED) or []]
    known = {r[0] for r in named}
    new = [o for o in orders if o.id in ids and o.id not in known]
    if new:
        # only now: shared/orderwords.py reads the market messages' constants, an area
        # enforcement does not load at start (docs/performance.md, 'Memory')
        from shared.orderwords import order_words   # noqa: PLC0415
        ctx.save_progress(**{NAMED: named + [[o.id, order_words(o)] for o in new]})


def cancelled(ctx, gone_too: bool = True) -> list[tuple[str, str]]:
    """(order id, 'sell stop MNQ 1 @ 20950.00 (order 123)') for each order the command's done
    steps cancelled, journaled ones first in the order they were journaled; one cancelled but
    not journaled (an older journal) is named by its id: 'order 124'. gone_too: a cancel the
    broker answered as already done (the order was gone) counts too."""
    ids = []
    for d in ctx.done:
        if d.startswith("cancel order ") and (gone_too or " " not in d[len("cancel order "):]):
            ids.append(d[len("cancel order "):].split(" ")[0])
    ids = list(dict.fromkeys(ids))
    words = {str(oid): w for oid, w in ctx.progress.get(NAMED) or []}
    out = [(oid, f"{w} (order {oid})") for oid, w in words.items() if oid in ids]
    return out + [(raw, f"order {raw}") for raw in ids if raw not in words]
