"""Reconciliation (pure): a REST snapshot of the broker against what market knows -> the events
to publish so that subscribers end up where the broker is.

Used after every (re)connect: events sent while the hubs were down are not
replayed by the gateway, so trades made meanwhile come from Trade/search
(deduplicated by id), positions that closed meanwhile become a size-0 update,
orders that stopped working get their final state from today's Order/search.

Hub events that arrived while the reconcile ran (`touched`: each key with when its newest
hub event arrived) may be newer than REST's answer: such a key is left alone, so a slow REST
answer never rolls a newer update back. Only when the hub event arrived before REST began
reading its account (BrokerSnapshot.read_ns) is REST's answer the newer one, and it is taken:
a reconcile of five accounts took ten seconds under load in a chaos run (2026-12-07), the
lockout's close of an RTY buy filled meanwhile with the hubs down, and the close of the
position REST read was dropped as "older" than the buy's Position event that arrived seconds
before that read; market held the closed long 1, risk took the trader's next buy as "added
to" it and cut it to 1: the buy stayed open. A touched key whose REST answer differs and may
be older or newer (the hub event arrived after REST began reading it) is `unsettled`: the
worker reads the broker again.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

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
    # market's clock when REST began reading each account (its positions first), and the
    # account list: a hub event that arrived before is older than what REST read
    read_ns: Mapping[int, int] = attrs.Factory(dict)
    accounts_read_ns: Optional[int] = None


def diff(state: MarketState, snap: BrokerSnapshot, touched: Mapping | set | frozenset = frozenset(),
         unsettled: Optional[list] = None) -> list[Any]:
    """The messages that bring `state` to `snap` (state.apply still drops exact duplicates).
    Order: accounts, fills (oldest first), orders, positions. touched: the keys of hub events
    that arrived while REST was read, each with when its newest one arrived (a set: all of
    them after). A message of a touched key is left out unless its hub event arrived before
    REST began reading the account; one left out that is news goes to `unsettled`."""
    now = snap.taken_ns
    out: list[Any] = []

    def hub_may_be_newer(msg: Any, key: tuple) -> bool:
        arrived = touched.get(key) if isinstance(touched, Mapping) else None
        read = snap.accounts_read_ns if key[0] == "account" \
            else snap.read_ns.get(msg.account_id)
        return arrived is None or read is None or arrived >= read

    def emit(msg: Any) -> None:
        key = key_of(msg)
        if key not in touched or not hub_may_be_newer(msg, key):
            out.append(msg)
        elif unsettled is not None and state.is_news(msg):
            unsettled.append(msg)

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

