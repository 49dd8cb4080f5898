"""When no_stop_loss_grace is due between two steps of a replay, and what the broker's orders
cannot tell it.

Live, risk's clock ticks every 0.1 s (services/risk/app.py TICK): a position left without
cover is warned at warn_at of the grace and closed as the grace runs out, "for 10s (grace
10s)". A replay steps only at the history's events and bar prices (cli/replay/events.py), so
with one-minute bars the grace was judged at the next bar price: "for 16s / 20s / 22s" and a
close at another moment and price than riskd's (fresh-user trial 18b, section 1). `next_due`
gives the next of those moments after a time, from the engine's own book: the start of each
uncovered spell is live risk's (services/risk/stops.py, read through the rule's `uncovered`),
so the replay's runner ticks the engine there as live risk's clock would have.

What the replay cannot know: the broker keeps each order's last state only (Order/search), so
a stop whose size was changed while it worked is seen at its last size from its placing, and
the moment its cover changed is not in the history. `unknown_cover` names, for a decision of
the rule, the working stops of the position whose last change came after their placing:
their earlier size is unknown, so the replay's grace may start at another moment than riskd's.
"""
from __future__ import annotations

import math
from typing import Iterable, Optional

from services.risk.rules.no_stop_loss_grace import uncovered
from services.risk.stops import working_stops

NS = 1_000_000_000
RULE = "no_stop_loss_grace"


def next_due(engine, account_id: int, after: int) -> Optional[int]:
    """The first moment after `after` at which no_stop_loss_grace warns or closes one of the
    account's uncovered positions (None: no such moment: nothing uncovered, or the rule off)."""
    acct = engine.accounts.get(account_id)
    if acct is None or not acct.positions:
        return None
    cfg = engine.settings.for_account(acct)
    params = getattr(cfg, RULE, None) if cfg is not None else None
    if params is None or not params.enabled:
        return None
    grace = params.grace_seconds
    marks = {grace, max(0, math.ceil(params.warn_at * grace - 1e-9))}
    due = [since + s * NS for _p, _size, since, _secs, _cover, _n in uncovered(acct, after)
           for s in marks if since + s * NS > after]
    return min(due, default=None)


def unknown_cover(engine, account_id: int, contract_id: str, orders: Iterable) -> list:
    """The broker's last state (`orders`: the history's) of each working stop of the account's
    position in contract_id that changed after its placing: the replay judged it at that last
    state from its placing on."""
    acct = engine.accounts.get(account_id)
    position = acct.positions.get(contract_id) if acct is not None else None
    if position is None:
        return []
    stops = {o.order_id for o in working_stops(acct, position)}
    return [o for o in orders if o.order_id in stops
            and (o.updated_ns or o.created_ns) > o.created_ns]
