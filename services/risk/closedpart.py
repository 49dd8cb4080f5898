"""The closing part of one fill: how many of its contracts closed the position held before it,
and the fees of those contracts alone (cooldown_after_loss, docs/rules.md 7).

A fill that reverses a position in one order (long 1 MES, the trader sells 10) closes 1 and
opens short 9; its profitAndLoss is the close's, its fees are all 10 contracts'. Fees are per
contract, so the close's own fees are fees * closed / size; the other 9 contracts' fees are
the new position's entry fees, which the closing loss never carries (trial25a N5: "closing
fill lost 101.20 incl. its fees 3.70 (tier 100.00)" where the close lost 97.50 + its 0.37;
riskd started a 5-minute cooldown and flattened the new short 9).

`closed` is read when risk records the fill live (AccountState.apply_fill), from the position
held before it as the fills see it, whichever of the fill's Trade and Position events came
first (services/risk/ahead.py):
- an entry of the contract (the streams disagree): the position the fills seen so far make
  (Trade events come in the broker's order), contracts of a position the broker replaced by
  another id (`replaced`) first;
- none (the streams agree): the broker's position, which has not moved by this fill yet;
  should it already show the fill (its Position came first and the entry aged out: the
  broker's position is on the fill's side or flat, which a closing fill cannot leave from),
  the position before it is that one less the fill.
Not known (None): a fill risk did not see live (made while risk was down, read from a
restarted risk's first snapshot, whose positions already hold every fill since, in an order
the snapshot does not give), or one no reading above makes a close of. Then the loss is
charged the fees of one contract, the fewest a fill with a profitAndLoss can have closed:
the figure is never more than the close's own loss, so it never starts a cooldown, or a
longer one, that the close did not earn (it may, by less than the other contracts' fees,
start a shorter one or none: docs/rules.md says so).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from services.risk.ahead import closing


def closed_by(acct, fill, live: bool) -> Optional[int]:
    """How many of a closing fill's contracts closed the position held before it (called
    before the fill moves the account's entries); None when not known (module docstring)."""
    if fill.pnl is None or not live:
        return None
    cid = fill.contract_id
    qty = fill.size if fill.side == 0 else -fill.size
    broker = acct.signed(cid)
    p = acct.ahead.get(cid)
    n = 0
    if p is not None:
        rest = qty
        if p.replaced and (qty > 0) != (p.replaced > 0):
            n = min(abs(p.replaced), abs(qty))
            rest += n if qty < 0 else -n
        n += closing(p.agree + p.fills, rest)
    if not n:
        n = closing(broker, qty) or closing(broker - qty, qty)
    return min(n, fill.size) or None


def closing_part(fill) -> tuple[int, Decimal, bool]:
    """(contracts closed, their fees, known): the fewest one contract when not known."""
    known = fill.closed is not None
    n = min(fill.closed, fill.size) if known else min(1, fill.size)
    if n >= fill.size:
        return fill.size, fill.fees, known
    return n, fill.fees * n / fill.size, known


def closing_loss(fill) -> Decimal:
    """The closing part's loss: its profitAndLoss net of its own contracts' fees."""
    return -(fill.pnl - closing_part(fill)[1])


def part_words(fill) -> str:
    """What the reason adds after the fees when the fill did more than close: ' for the 1 of
    its 10 contracts that closed (the other 9 opened the new position)'; ' for 1 of its 10
    contracts (how many closed is not known: the fewest)'; '' for a whole close."""
    n, _fees, known = closing_part(fill)
    if n >= fill.size:
        return ""
    if known:
        return (f" for the {n} of its {fill.size} contracts that closed (the other "
                f"{fill.size - n} opened the new position)")
    return (f" for {n} of its {fill.size} contracts (how many closed is not known: "
            f"the fewest)")
