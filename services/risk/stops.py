"""What protects a position: its working stops (rule 8's "working stop"), how many contracts
they cover, and since when a position has not been covered.

A working stop is a stop, stop-limit or trailing order in status Open on the position's
contract, on the closing side; a suspended (8) bracket child is not working. What it covers is
its size less what of it filled already (fillVolume). Together such orders must cover the
position's live size (RULES.md rule 8: "covering the position").

The grace of no_stop_loss_grace counts from the moment the position stopped being covered,
not from its opening (fresh-user trial 17g: one contract added to a long whose stop covered
it, opened 57 s before, was closed at once, "open 57s without a stop order", no warning):
note_cover() keeps Position.uncovered_ns as every position, order and fill step leaves it.
A position that opens or flips uncovered counts from its opening (its flip's fresh grace);
one that grows past its stops, or whose stop is cancelled, filled or made smaller, from then.
Across a restart of risk the start is the one saved with the record of what the account held
(services/risk/carried.py Carried.cover_start): a restart neither closes at once a position
that had grace left nor gives a fresh grace to one whose grace ran out.
"""
from __future__ import annotations

from shared.messages.market import (ORDER_STOP, ORDER_STOP_LIMIT, ORDER_TRAILING_STOP, SIDE_BUY,
                                    SIDE_SELL, STATUS_OPEN)

STOP_TYPES = (ORDER_STOP, ORDER_STOP_LIMIT, ORDER_TRAILING_STOP)


def working_stops(account, position) -> list:
    """The working stop orders on the position's contract that would close it."""
    return closing_stops(account.working_orders(position.contract_id), position)


def closing_stops(orders, position) -> list:
    """Of these orders, the working stops on the position's contract that would close it."""
    closing_side = SIDE_SELL if position.side > 0 else SIDE_BUY
    return [o for o in orders if o.contract_id == position.contract_id
            and o.type in STOP_TYPES and o.side == closing_side and o.status == STATUS_OPEN]


def stop_cover(stops) -> int:
    """The contracts these stops would still close (their size less what filled)."""
    return sum(max(0, o.size - (o.fill_volume or 0)) for o in stops)


def stop_orders(account, position) -> list:
    """Working stop orders on the position's contract that would close it, when together
    they cover it; [] when it is not protected."""
    stops = working_stops(account, position)
    return stops if stop_cover(stops) >= account.live_size(position) else []


def note_cover(account, contract_id: str, now: int, fresh: bool = False) -> None:
    """After a step that may have changed the contract's position or its stops: covered, the
    position's uncovered_ns is None; not covered, it keeps the moment it stopped being
    covered (set now when it was covered before; the position's opening when `fresh`: it
    has just opened or flipped)."""
    position = account.positions.get(contract_id)
    if position is None:
        return
    if account.live_size(position) == 0 or stop_orders(account, position):
        position.uncovered_ns = None
    elif fresh or position.uncovered_ns is None:
        position.uncovered_ns = position.opened_ns if fresh else now
