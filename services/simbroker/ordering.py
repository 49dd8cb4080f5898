"""The order in which the events of one broker action leave the sim's user hub.

The gateway sends a fill's Trade, Position, Order and Account events in no guaranteed order
(TopstepX is seen sending the Trade first, which is what the ledger produces) and sometimes
twice (PROJECTX.md "What goes wrong in real life"). Clients must reach the same state from
any of them, so the sim can vary it. Pure: a batch of events in, the batch to send out.

A fill is a Trade and the events right after it that the same fill made: its Position, the
filled Order (the trade's orderId) and the Account. Everything else (an order created or
cancelled, a bracket child woken after the fill) keeps its place, so two events about one
order never swap. Per fill:
  trade_first     as the ledger makes them (the default, TopstepX's order);
  position_first  the Position first, the rest in order;
  random          a random order drawn from the caller's seeded random.Random;
and, when asked, every event of the fill twice (the copies shuffled along in random mode)
or each Trade twice in a row (duplicate_trades).
"""
from __future__ import annotations

import random
from typing import Iterable, Optional

TRADE_FIRST, POSITION_FIRST, RANDOM = "trade_first", "position_first", "random"
ORDERS = (TRADE_FIRST, POSITION_FIRST, RANDOM)

TRADE, POSITION = "GatewayUserTrade", "GatewayUserPosition"
ORDER, ACCOUNT = "GatewayUserOrder", "GatewayUserAccount"


def _belongs(event, trade, taken: set) -> bool:
    """Is `event` (right after `trade` and its fill so far) made by that same fill?"""
    if event.target in taken or event.account_id != trade.account_id:
        return False
    if event.target == POSITION:
        return event.payload.get("contractId") == trade.payload.get("contractId")
    if event.target == ORDER:
        return event.payload.get("id") == trade.payload.get("orderId")
    return event.target == ACCOUNT


def groups(events: Iterable) -> list[list]:
    """The batch cut into fills (a Trade and its fill's events) and single other events."""
    out: list[list] = []
    fill: Optional[list] = None
    taken: set = set()
    for event in events:
        if fill is not None and _belongs(event, fill[0], taken):
            fill.append(event)
            taken.add(event.target)
            continue
        fill, taken = None, set()
        if event.target == TRADE:
            fill, taken = [event], {TRADE}
        out.append(fill if fill is not None else [event])
    return out


def arrange(events: Iterable, order: str = TRADE_FIRST, duplicate: bool = False,
            duplicate_trades: bool = False, rng: Optional[random.Random] = None) -> list:
    """The batch as the hub sends it (see the module docstring)."""
    if order not in ORDERS:
        raise ValueError(f"expected an event order from {', '.join(ORDERS)}, got {order!r}")
    out: list = []
    for group in groups(events):
        if group[0].target == TRADE:
            group = _fill(group, order, duplicate, rng)
        out += group
    if duplicate_trades:
        out = [x for e in out for x in ((e, e) if e.target == TRADE else (e,))]
    return out


def _fill(group: list, order: str, duplicate: bool, rng: Optional[random.Random]) -> list:
    if order == POSITION_FIRST:
        group = sorted(group, key=lambda e: e.target != POSITION)      # stable
    if duplicate:
        group = [x for e in group for x in (e, e)]
    if order == RANDOM:
        group = list(group)
        (rng or random.Random(0)).shuffle(group)
    return group


def quirks_of(event_order: str, duplicate_fills: bool) -> dict:
    """The hub quirks ([broker.sim] event_order, duplicate_fills) switch on at start."""
    if event_order not in ORDERS:
        raise ValueError(f"expected an event order from {', '.join(ORDERS)}, got {event_order!r}")
    return {"positionBeforeTrade": event_order == POSITION_FIRST,
            "randomOrder": event_order == RANDOM, "duplicateFills": duplicate_fills}
