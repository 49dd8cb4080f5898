"""Reconciliation (pure): a REST snapshot of the broker against what market knows -> the events
to publish so that subscribers end up where the broker is.

Used after every (re)connect: events sent while the hubs were down are not
replayed by the gateway, so trades made meanwhile come from Trade/search
(deduplicated by id), positions that closed meanwhile become a size-0 update,
orders that stopped working get their final state from today's Order/search.

Hub events that arrived after the snapshot was requested are newer than it:
their keys (`touched`) are left alone, so a slow REST answer never rolls
a newer update back.
"""
from __future__ import annotations

from typing import Any

import attrs

from services.market import translate
from services.market.state import MarketState, key_of
from shared.messages.market import STATUS_CANCELLED
from shared.projectx.models import Account, Order, Position, Trade


@attrs.frozen(kw_only=True)
class BrokerSnapshot:
    """What REST said, for `account_ids`, at about `taken_ns`."""
    account_ids: frozenset[int]
    taken_ns: int
    accounts: list[Account] = attrs.Factory(list)
    positions: list[Position] = attrs.Factory(list)
    orders: list[Order] = attrs.Factory(list)          # working orders (v2 query, 1/6/7/8)
    trades: list[Trade] = attrs.Factory(list)          # today's trades
    day_orders: list[Order] = attrs.Factory(list)      # today's orders (to settle vanished ones)


def diff(state: MarketState, snap: BrokerSnapshot, touched: frozenset | set = frozenset()
         ) -> list[Any]:
    """The messages that bring `state` to `snap` (state.apply still drops exact duplicates).
    Order: accounts, fills (oldest first), orders, positions."""
    now = snap.taken_ns
    out: list[Any] = []

    def emit(msg: Any) -> None:
        if key_of(msg) not in touched:
            out.append(msg)

    for a in snap.accounts:
        if a.id in snap.account_ids:
            emit(translate.account(a))

    for t in sorted(snap.trades, key=lambda t: (t.created_ns, t.id)):
        if t.account_id in snap.account_ids:
            emit(translate.fill(t))

    open_ids = set()
    for o in snap.orders:
        if o.account_id in snap.account_ids:
            open_ids.add(o.id)
            emit(translate.order(o, now))
    day = {o.id: o for o in snap.day_orders}
    for known in list(state.orders.values()):
        if known.account_id not in snap.account_ids or known.order_id in open_ids:
            continue
        final = day.get(known.order_id)
        if final is not None:
            emit(translate.order(final, now))
        else:   # gone from the working orders, final state unknown: it no longer works
            emit(attrs.evolve(known, status=STATUS_CANCELLED, updated_ns=now))

    open_positions = set()
    for p in snap.positions:
        if p.account_id in snap.account_ids:
            open_positions.add((p.account_id, p.contract_id))
            emit(translate.position(p, now))
    for key, known in list(state.positions.items()):
        if key[0] in snap.account_ids and key not in open_positions:
            emit(attrs.evolve(known, size=0, ts_ns=now))
    return out


def vanished_orders(known_working: dict[int, set[int]], open_orders: list[Order]
                    ) -> dict[int, set[int]]:
    """Per account, the working orders we know of that the broker no longer lists as open."""
    still = {o.id for o in open_orders}
    out: dict[int, set[int]] = {}
    for account_id, ids in known_working.items():
        gone = ids - still
        if gone:
            out[account_id] = gone
    return out

