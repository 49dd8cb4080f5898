"""The order a re-sync snapshot's positions, orders and fills go through the engine in.

A snapshot holds the broker's state after the trades made while risk was re-syncing: each
position as it is now, the fills with their own times. Taken position first (the size after
every fill) and the fills after it, a burst of buys made while locked read as no growth at
all, or as one growth for several buys: history showed no lockout line for them, or one line
for both, and the rules that read a position (max_contracts) judged only the last size (round
17). The broker's facts say more: each fill, at its time, moved the position by its size. For
an account risk follows already (not its first snapshot: its starting point, whose positions
already hold its fills), a position that the new fills (trades risk has not seen) explain
exactly, from what risk held, goes through as the gateway sends it live: each fill followed by
the position it made (the last one the snapshot's own), so each buy made while locked is cut
on its own, and each size is judged. A position the new fills do not explain (risk's book
lagged) goes first, as before, the fills after it; so do the positions no new fill changed.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable, Optional

from shared.messages.market import POSITION_LONG, POSITION_SHORT, SIDE_BUY, Fill, PositionUpdate

# what risk held on a contract: (signed size, average price, opened ns, position id), or None
Held = Callable[[int, str], Optional[tuple[int, Decimal, int, int]]]


def in_broker_order(steps: list, fills: list[Fill], cold: set[int],
                    known: Callable[[Fill], bool], held: Held) -> list:
    """The snapshot's steps: `steps` (its positions and orders, the closes and cancels of those
    it lacks) in their order, then its fills in time, a position the new fills explain moved
    to after them. cold: the accounts this snapshot starts; known(fill): a trade risk has taken
    already; held(account, contract): what risk holds there now."""
    fills = sorted(fills, key=lambda f: f.ts_ns)
    new: dict[tuple[int, str], list[int]] = {}
    for i, f in enumerate(fills):
        if f.account_id not in cold and not known(f) and not f.voided:
            new.setdefault((f.account_id, f.contract_id), []).append(i)
    first, after = [], {}
    for step in steps:
        key = (getattr(step, "account_id", None), getattr(step, "contract_id", None))
        made = _made(step, [fills[i] for i in new[key]], held(*key)) \
            if isinstance(step, PositionUpdate) and key in new else None
        if made is None:
            first.append(step)
            continue
        for i, position in zip(new[key], made):
            after[i] = position
    out = first
    for i, f in enumerate(fills):
        out.append(f)
        if i in after:
            out.append(after[i])
    return out


def _made(final: PositionUpdate, fills: list[Fill],
          held: Optional[tuple[int, Decimal, int, int]]) -> Optional[list[PositionUpdate]]:
    """The position after each of the fills, the last one `final`; None when there are no new
    fills, what risk holds is not known for sure (None), or the fills do not lead from it to
    `final`."""
    if not fills or held is None:
        return None
    size, avg, opened, pid = held
    out = []
    for f in fills:
        q = f.size if f.side == SIDE_BUY else -f.size
        now = size + q
        if now == 0:
            avg, opened, pid = Decimal(0), 0, 0
        elif size == 0 or (now > 0) != (size > 0):          # opened, or flipped
            avg, opened, pid = f.price, f.ts_ns, 0
        elif abs(now) > abs(size):                          # added to
            avg = (abs(size) * avg + f.size * f.price) / abs(now)
        size = now
        out.append(PositionUpdate(
            account_id=final.account_id, position_id=pid, contract_id=final.contract_id,
            ts_ns=opened, type=0 if now == 0 else POSITION_LONG if now > 0 else POSITION_SHORT,
            size=abs(now), average_price=avg))
    signed = 0 if final.size <= 0 or final.type not in (POSITION_LONG, POSITION_SHORT) \
        else final.size if final.type == POSITION_LONG else -final.size
    if size != signed:
        return None
    out[-1] = final
    # the steps since the position last opened are of the broker's position the snapshot names
    for k in range(len(out) - 2, -1, -1):
        if out[k].size == 0 or (out[k].type != out[-1].type):
            break
        out[k] = PositionUpdate(
            account_id=final.account_id, position_id=final.position_id,
            contract_id=final.contract_id, ts_ns=final.ts_ns if final.size else out[k].ts_ns,
            type=out[k].type, size=out[k].size, average_price=out[k].average_price)
    return out
