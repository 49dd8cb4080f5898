"""The history a replay works on: bars, one account's trades, orders and contracts, and when
each contract was held (bars are needed only then: a guarded position is never held longer)."""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

import attrs

from shared.messages.market import SIDE_BUY, ContractInfo, Fill, OrderUpdate
from shared.projectx.models import Bar   # History/retrieveBars: ts_ns, open, high, low, close

NS = 1_000_000_000
BAR_UNITS = {"1m": (2, 1, 60 * NS), "1s": (1, 1, NS)}   # name -> (BarUnit, unitNumber, ns)
__all__ = ["Bar", "AccountHistory", "BAR_UNITS", "NS", "held_intervals", "signed"]


@attrs.define
class AccountHistory:
    """Everything fetched for one account over the replayed range (time-ordered lists)."""
    account_id: int
    name: str = ""
    balance: Optional[Decimal] = None          # the balance Account/search reports now
    fills: list[Fill] = attrs.Factory(list)
    orders: list[OrderUpdate] = attrs.Factory(list)     # each order's last known state
    contracts: dict[str, ContractInfo] = attrs.Factory(dict)
    bars: dict[str, list[Bar]] = attrs.Factory(dict)
    bar_ns: int = 60 * NS
    # the PnL net of fees of the account's trades after the replayed range, up to now: the
    # balance the broker reports now holds it, so the range's start balance subtracts it too
    # (a day reads the same whatever --to is: docs/replay.md, Balance)
    later_pnl: Decimal = Decimal(0)


def signed(fill: Fill) -> int:
    return fill.size if fill.side == SIDE_BUY else -fill.size


def held_intervals(fills: list[Fill], end_ns: int) -> dict[str, list[tuple[int, int]]]:
    """Per contract, the [start, end] spans in which the (actual) position was not flat; a
    position still open at the last fill is held until end_ns."""
    net: dict[str, int] = {}
    since: dict[str, int] = {}
    out: dict[str, list[tuple[int, int]]] = {}
    for f in sorted((f for f in fills if not f.voided), key=lambda f: f.ts_ns):
        before = net.get(f.contract_id, 0)
        after = before + signed(f)
        net[f.contract_id] = after
        if before == 0 and after != 0:
            since[f.contract_id] = f.ts_ns
        elif before != 0 and after == 0:
            out.setdefault(f.contract_id, []).append((since.pop(f.contract_id), f.ts_ns))
    for cid, start in since.items():
        out.setdefault(cid, []).append((start, max(start, end_ns)))
    return out
