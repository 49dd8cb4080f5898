"""Which broker orders a command's closes created: their ids, for risk (CommandResult.close_orders).

closeContract and partialCloseContract answer with no order id, yet the broker carries each
out as a market order of its own, and every fill of it (a Trade) carries that order's id.
So after a command's closes (never before: breach -> closeContract is the benched path),
enforcement reads Order/search once, from just before its first close call, and picks the
market orders on each closed contract that were created within that call's window: from
when it was sent to its answer (a close whose answer was lost, or one a process that ended
may have sent before a restart: until the search); none there (the broker's clock is not
ours), SKEW_NS wider on both sides. A partial close's order has its size, and the broker
makes ONE for it: of two orders of that size in its window one is the trader's (cutfits.py
says which is riskd's). An order found in
the window of a call answered done is that call's own (CloseOrder.answered): risk never gives
its fill to an earlier close carried out late, which an order found only in a lost call's
window (running to the search) may be. Risk takes them as riskd's whatever the timing of
their fills (on the side its command closes: services/risk/exits.py `orders`).

`known` says the list is complete: every close that was answered as done has at least one
order found for it, and the search worked. Otherwise (the read failed, an answered close with
no order showing) risk decides by its expected exits, as before. A close whose answer was lost
and that the broker carries out later than the search is not listed: its fill is told by
CommandResult.unsettled (a late exit).

The trader's own market order on the same contract within a window (made during riskd's
call, or a second either side of it when the window had to be widened) is picked too. The
policy (docs/rules.md "Whose trade it is"): the broker carries out a closeContract as ONE
market order for the whole position open at that moment (a partialCloseContract as one
order of its size; a flatten: one closeContract, so one order, per contract). So of the
market orders in a whole close's window on its contract, riskd's is the one that fits: the
order that closed what was left, walked in creation order from the position the call was
sent against (CloseCall.held); an order that left the position open, grew it, or opened the
other way is the trader's (closefits.py; the executor leaves it out of the result). Only
when two orders both fit, or the walk from that position does not end where the command's
read after its closes found the contract (a position riskd knew wrong, a fill outside the
windows), does every order picked stay riskd's: the price. A partial close's window keeps
only orders of its size, and one of them at most (cutfits.py: the one made last).
"""
from __future__ import annotations

import contextlib
import logging
from typing import Optional

import attrs

from services.enforcement import cutfits
from shared.clock import SKEW_NS
from shared.messages.enforce import CloseOrder
from shared.projectx.errors import (BrokerUnavailable, ParseError, ProjectXError,
                                    RateBudgetExhausted)

log = logging.getLogger(__name__)

NS = 1_000_000_000
ORDER_MARKET = 2


@attrs.frozen
class CloseCall:
    """One close call of the command: its contract, a partial close's size (0: closeContract),
    when it was sent and when its answer came (0: never: lost, or sent by an earlier process).
    contract_id '': any contract (a flatten an earlier process may have run)."""
    contract_id: str
    size: int
    sent_ns: int
    answered_ns: int = 0
    worked: bool = True        # answered done (not lost): an order must show for it
    # the position the call was sent against, as riskd knew it (long +, short -; 0: not
    # known): risk's when it decided (Command.held, .holds), or enforcement's read right
    # before the call; closefits.py walks the window's orders from it
    held: int = 0


def find(client, account_id: int, calls: list[CloseCall], now_ns: int,
         budget=None) -> tuple[list[CloseOrder], bool]:
    """(the orders the calls created, known: the list is complete). One Order/search."""
    if not calls:
        return [], True
    orders = read(client, account_id, calls, budget)
    if orders is None:
        return [], False
    return pick(orders, calls, now_ns)


def read(client, account_id: int, calls: list[CloseCall], budget=None) -> Optional[list]:
    """The account's orders since just before the first call (one Order/search); None when
    the read failed."""
    start = min(c.sent_ns for c in calls) - SKEW_NS
    try:
        with budget.low_priority() if budget is not None else contextlib.nullcontext():
            return client.search_orders(account_id, start)
    except (ProjectXError, BrokerUnavailable, RateBudgetExhausted, ParseError) as exc:
        log.warning("account %s: could not read the orders riskd's closes created (%s); risk "
                    "tells its fills by its expected exits", account_id, exc)
        return None


def carried_out(orders, contract_id: str, start: int, end: int,
                own: list[CloseOrder]) -> bool:
    """Did a close (an ended process's) leave a market order on the contract made from start
    to end, on the side this process's own close there has (own: its orders; none: not
    known, so not said), and not one of own (the broker's clock may put them a moment
    early)? Then it was carried out: it will not be carried out again later (executor: not
    unsettled). The trader's buy that opened the position, a moment before the command, is
    on the other side."""
    sides = {o.side for o in own if o.contract_id == contract_id}
    ids = {o.order_id for o in own}
    return any(o.id not in ids and o.side in sides
               for o in _within(orders, CloseCall(contract_id, 0, start), start - SKEW_NS, end))


def pick(orders, calls: list[CloseCall], now_ns: int) -> tuple[list[CloseOrder], bool]:
    """(the orders the calls created, known) among the orders read."""
    found: dict[int, CloseOrder] = {}
    known = True
    cuts = cutfits.taken(orders, calls, now_ns, _within, SKEW_NS)   # a partial close: one
    for i, c in enumerate(calls):
        end = c.answered_ns or now_ns
        mine = cuts[i] if c.size else (_within(orders, c, c.sent_ns, end)
                                       or _within(orders, c, c.sent_ns - SKEW_NS, end + SKEW_NS))
        if c.worked and c.answered_ns and not mine:
            known = False
        answered = bool(c.worked and c.answered_ns)
        for o in mine:
            if o.id in found and (found[o.id].answered or not answered):
                continue
            found[o.id] = CloseOrder(order_id=o.id, contract_id=o.contract_id, side=o.side,
                                     size=o.size, answered=answered)
    return sorted(found.values(), key=lambda o: o.order_id), known



def _within(orders, c: CloseCall, start: int, end: int) -> list:
    """The market orders on the call's contract (of its size, a partial close's) created
    from start to end."""
    return [o for o in orders
            if o.type == ORDER_MARKET and c.contract_id in ("", o.contract_id)
            and o.created_ns is not None and start <= o.created_ns <= end
            and (not c.size or o.size == c.size)]
