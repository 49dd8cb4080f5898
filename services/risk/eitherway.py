"""The trader's own sell taken for a reduce's lost cut, until that cut lands (check23 N1).

A reduce whose cut got no answer waits for it (services/enforcement/lostcuts.py); when the
trader's own market sell of exactly the cut's size brings the position to the limit during
that wait, enforcement cannot tell it from the lost cut carried out ("either this close ...
or the trader's own sell; riskd cannot tell which") and risk takes it as riskd's. The cut may
still come: the result lists it as unsettled, and risk's late exit takes a later market order
of exactly its size (Exit.fits_late). When it does, one of the two sells was riskd's and the
other the trader's: the later one is riskd's cut carried out late (an over-cut, said so), and
the earlier one goes back to the trader (counted from its own time: trade_frequency_limit).
Before, riskd's late cut was counted as the trader's trade and the over-cut said nowhere.

Which sell is in question enforcement says (LostCall.either, kept on the late exit across a
restart of risk): the market sell of the cut's size its order search found where the cut
would be, named "either this close ... or the trader's own sell". Should the broker in fact
have carried the cut out first and the trader sold the same size again after, the two are
only swapped: one of them is the trader's trade either way.
"""
from __future__ import annotations


def taken_for_the_cut(acct, late, fill) -> list[int]:
    """The trade ids (today's fills of LostCall.either's order, riskd's until now) of the sell
    riskd took for the lost cut that `fill` (taken by the late exit `late`,
    services/risk/exits.py) turns out to be; []: none."""
    if not late.overcut or not late.either or fill.order_id == late.either:
        return []
    return sorted(f.trade_id for f in acct.trades.values()
                  if f.by_riskd and f.order_id == late.either and f.trade_id != fill.trade_id
                  and f.contract_id == fill.contract_id and f.side == fill.side
                  and not f.voided and f.ts_ns <= fill.ts_ns)


__all__ = ["taken_for_the_cut"]
