"""What to do to an account, given what the broker shows: pure planning, no I/O.

A plan is an ordered list of Steps. Closes always come before cancels (a position is the
risk; an order is only a possible one), and within cancels the active orders come before
suspended bracket children (cancelling a parent usually takes its children with it). After a
reduce, the orders that protect the position (its closing side) are cut to the size left
(RULES.md "Closing a contract closes its orders"). The retry/pending policy for a command
that cannot finish yet lives here too, as pure math.
"""
from __future__ import annotations

from typing import Iterable, Optional, Sequence

import attrs

from shared.plural import plural  # noqa: F401 -- the actions import it from here
from shared.projectx.models import Order, OrderSide, OrderStatus, OrderType, Position

CLOSE, PARTIAL, CANCEL, MODIFY, RESIZE = "close", "partial", "cancel", "modify", "resize"
# v2 query statuses for "working": open, pending, pending cancellation, suspended children
WORKING_STATUSES = (1, 6, 7, 8)


@attrs.frozen
class Step:
    kind: str                      # close | partial | cancel | modify | resize
    contract_id: str = ""
    order_id: Optional[int] = None
    size: Optional[int] = None     # partial: contracts to close; resize: the order's new size

    def describe(self) -> str:
        if self.kind == CLOSE:
            return f"close {self.contract_id}"
        if self.kind == PARTIAL:
            return f"close {self.size} of {self.contract_id}"
        if self.kind == CANCEL:
            return f"cancel order {self.order_id}"
        if self.kind == RESIZE:
            return f"resize order {self.order_id} to {self.size}"
        return f"modify order {self.order_id}"


def open_positions(positions: Iterable[Position], contract_id: Optional[str] = None
                   ) -> list[Position]:
    return [p for p in positions if p.size != 0
            and (contract_id is None or p.contract_id == contract_id)]


def working_orders(orders: Iterable[Order], contract_id: Optional[str] = None) -> list[Order]:
    """Working orders, de-duplicated by id (searchOpen and the v2 query overlap)."""
    seen: dict[int, Order] = {}
    for o in orders:
        if o.status in WORKING_STATUSES and (contract_id is None or o.contract_id == contract_id):
            seen.setdefault(o.id, o)
    return list(seen.values())


def plan_closes(positions: Iterable[Position], contract_id: Optional[str] = None) -> list[Step]:
    """One closeContract per open contract, the biggest first."""
    live = sorted(open_positions(positions, contract_id), key=lambda p: (-abs(p.size), p.contract_id))
    return [Step(CLOSE, contract_id=p.contract_id) for p in live]


def plan_cancels(orders: Iterable[Order], contract_id: Optional[str] = None,
                 order_id: Optional[int] = None, keep_market: bool = False) -> list[Step]:
    """Cancels: active orders first, suspended bracket children last, oldest first.

    keep_market: leave market orders alone. Right after riskd's own closeContract the one
    market order working on the contract is that close (a market order never rests: it fills
    or is rejected), and cancelling it would undo the close."""
    live = working_orders(orders, contract_id)
    if order_id is not None:
        live = [o for o in live if o.id == order_id]
    if keep_market:
        live = [o for o in live if o.type != OrderType.MARKET]
    live.sort(key=lambda o: (o.status == OrderStatus.SUSPENDED, o.id))
    return [Step(CANCEL, contract_id=o.contract_id, order_id=o.id) for o in live]


def closing_side(position: Position) -> int:
    """The side of the orders that close (protect) a position: sell for a long, buy for a short."""
    return OrderSide.ASK if position.signed_size > 0 else OrderSide.BID


def plan_resizes(orders: Iterable[Order], contract_id: str, side: int, size: int) -> list[Step]:
    """After a reduce to `size` contracts: every active order on the position's closing `side`
    that is larger is cut to `size` (Order/modify), or cancelled when nothing is left to protect.
    Suspended bracket children belong to an entry still resting: they are sized to it, not to
    this position, and wake up only with it. Orders on the opening side add, not protect."""
    steps = []
    for o in sorted(working_orders(orders, contract_id), key=lambda o: o.id):
        if (o.status == OrderStatus.SUSPENDED or o.type == OrderType.MARKET or o.side != side
                or o.size <= size):
            continue
        if size <= 0:
            steps.append(Step(CANCEL, contract_id=contract_id, order_id=o.id))
        else:
            steps.append(Step(RESIZE, contract_id=contract_id, order_id=o.id, size=size))
    return steps


def plan_flatten(positions: Iterable[Position], orders: Iterable[Order]) -> list[Step]:
    """Every close, then every cancel."""
    return plan_closes(positions) + plan_cancels(orders)


def reduce_target(observed_size: int, cut: Optional[int], target: Optional[int] = None) -> int:
    """The size to reduce to: the command's target when it has one (never above what is
    held: a reduce opens nothing), else the observed size minus the contracts to close (at
    least 0)."""
    if target is not None:
        return max(0, min(abs(observed_size), target))
    if cut is None or cut <= 0:
        return observed_size
    return max(0, abs(observed_size) - cut)


def plan_reduce(current: Optional[Position], target: int) -> list[Step]:
    """The one call that brings a position down to `target` contracts (none when it is there)."""
    if current is None or current.size == 0 or abs(current.size) <= target:
        return []
    if target <= 0:
        return [Step(CLOSE, contract_id=current.contract_id)]
    return [Step(PARTIAL, contract_id=current.contract_id, size=abs(current.size) - target)]


def describe_flatten(account: str, positions: Sequence[Position], orders: Sequence[Order]) -> str:
    live, working = open_positions(positions), working_orders(orders)
    return f"account {account} ({plural(len(live), 'position')}, {plural(len(working), 'order')})"


def describe_positions(positions: Sequence[Position]) -> str:
    return ", ".join(f"{p.contract_id} {'short' if p.signed_size < 0 else 'long'} {abs(p.size)}"
                     for p in open_positions(positions)) or "none"


def retry_delay(attempt: int, base: float, cap: float) -> float:
    """Backoff for the n-th retry (1-based): base, 2*base, 4*base ... capped."""
    return min(cap, base * 2 ** max(0, attempt - 1))
