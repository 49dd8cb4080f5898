"""Which market order in a whole close's window is riskd's: the one that fits.

The broker carries out a closeContract as ONE market order for the whole position open at
that moment (the sim: services/simbroker/accounts.py `_close`; a flatten: one such order per
contract), a partialCloseContract as one order of its size. closeorders.pick lists every
market order on the contract created inside the call's window, and an order at the broker
does not say who sent it, so the trader's own sell made while riskd's call was out at the
broker was listed too, and risk took it for riskd's fill: never counted as a trade (trial23c
F0, check23 item 2: the 3rd trade of the minute, a partial sell of 1 of a long 2 made 1.2 s
before riskd's order, missed trade_frequency_limit's cooldown).

So, on each contract a command closed whole, walk the window's orders in the order the broker
created them, from the position the close was sent against (CloseCall.held: risk's view when
it decided, Command.held / Command.holds, or enforcement's own read right before the call):
an order that closes exactly what is open then, leaving the contract flat, fits a whole
close; one that leaves the position open, grows it, or opens the other way does not, and is
the trader's. Only when some order fits and the walk ends where the command's last read of
the broker's positions, made after its closes, found the contract (flat, or a position the
trader opened after riskd's close, which the close leaves) is any taken away from riskd: the
position it started from and the window's orders agree with the broker. Else nothing is
decided (the position riskd knew was not the broker's, a fill outside the windows moved it,
or no read came after the closes) and every order stays riskd's, as before. Two that both fit stay riskd's (nothing tells them
apart): today's rule, the price (docs/rules.md "Whose trade it is").
Contracts where a call's position is not known, a partial close (a reduce's cut: its
window keeps only orders of its size), or a close a process that ended may have sent
(contract '': any) are left as they are.

One thing is decided with no read after the closes (growing): a close never grows the position
it closes. Walked the same way, an order on the side of the position the first close was sent
against (a buy, for a long) that comes while the walk has not yet brought that position to
flat is the trader's, whatever came after (the trader's buy of 1 while riskd's close of their
long 1 was held at the broker, or the buy that opened that long a moment before the command,
inside the window's skew): trial25b F0, a lost close's window ran to the search and took the
trader's post-unlock buy as riskd's close ("riskd (its fills) ... closed MNQ -1"). A position
the broker held larger than riskd knew only moves the flat point later, so riskd's own close is
never taken so; the walk starts from the position the first close was sent against (for the
close a process that ended may have sent: the one risk decided on, Command.held). Its limit: a
reversal by an order the window does not hold (the trader's limit sell of more than the long,
filled between enforcement's read and the broker's carrying out of the close) makes riskd's
buy closing the new short look like growth. An order after the walk reached flat (the trader's
new position after the close was carried out) is decided by the read after the closes, as
above (newerposition.py).
"""
from __future__ import annotations

from typing import Iterable, Optional

from shared.projectx.models import OrderSide


def theirs(found: Iterable, orders: Iterable, calls: Iterable,
           after: Optional[dict]) -> set[int]:
    """The ids among found (CloseOrder: what closeorders.pick listed) of the orders that
    cannot be any whole close's of calls (closeorders.CloseCall): the trader's own.
    orders: what Order/search read (their creation times); after: the positions the
    command's last read found (contract -> signed), when that read began after every close
    call was answered (None: no such read, nothing is decided)."""
    if after is None:
        return set()
    calls = list(calls)
    created = {o.id: (o.created_ns or 0) for o in orders}
    by_contract: dict[str, list] = {}
    for f in found:
        by_contract.setdefault(f.contract_id, []).append(f)
    out: set[int] = set()
    for cid, mine in by_contract.items():
        held = _held(cid, calls)
        if held:
            out |= _not_fitting(held, after.get(cid, 0),
                                sorted(mine, key=lambda o: (created.get(o.order_id, 0),
                                                            o.order_id)))
    return out


def growing(found: Iterable, orders: Iterable, calls: Iterable,
            decided: Optional[dict] = None) -> set[int]:
    """The ids among found of the orders on the side of the position the first whole close on
    their contract was sent against, made while the walk from it had not reached flat
    (decided: contract -> the position risk decided on, for a close whose own is not known):
    they add to that position, never a close's."""
    calls = list(calls)
    created = {o.id: (o.created_ns or 0) for o in orders}
    out: set[int] = set()
    for cid in {f.contract_id for f in found}:
        on = [c for c in calls if c.contract_id in ("", cid)]
        if not on or any(c.size or not c.contract_id for c in on):
            continue
        held = min(on, key=lambda c: c.sent_ns).held or (decided or {}).get(cid, 0)
        pos = held
        for o in sorted((f for f in found if f.contract_id == cid),
                        key=lambda o: (created.get(o.order_id, 0), o.order_id)):
            if not held or (pos > 0) != (held > 0) or not pos:
                break           # not known, or flat (or past it) by the walk: not decided
            signed = -o.size if o.side == OrderSide.ASK else o.size
            if (signed > 0) == (held > 0):
                out.add(o.order_id)
            pos += signed
    return out


def _held(cid: str, calls: list) -> int:
    """The position the first close on cid was sent against (signed; 0: not known, as for the
    close a process that ended may have sent before this one resumed the command, or the
    contract has a partial close or a close of any contract, whose orders this does not
    decide): the walk starts before every order of the windows."""
    on = [c for c in calls if c.contract_id in ("", cid)]
    if not on or any(c.size or not c.contract_id for c in on):
        return 0
    return min(on, key=lambda c: c.sent_ns).held


def _not_fitting(held: int, end: int, mine: list) -> set[int]:
    """Walk the orders from held: the ids of those that do not close exactly what is open
    when they come; none unless some order fits and the walk ends where the broker's read
    after the closes found the contract (end: flat, or a position the trader opened after
    riskd's close, which the close leaves: newerposition.py). Held and the orders agree then;
    a held that was not the broker's, or a fill not in the windows (the trader's stop, an
    order before the call), ends the walk elsewhere."""
    pos, fits, rest = held, [], []
    for o in mine:
        signed = -o.size if o.side == OrderSide.ASK else o.size
        closing = pos and (signed > 0) != (pos > 0)
        (fits if closing and o.size == abs(pos) else rest).append(o.order_id)
        pos += signed
    return set(rest) if fits and pos == end else set()
