"""risk's record of a late-carried close: riskd's close the broker carried out after riskd's
command had ended, closing what the trader held then.

The fill is riskd's already (services/risk/exits.py: a late exit took it, RiskdExits.last_late),
so it is never the trader's trade. What this module owns is saying it: one note (a RuleWarning
with no reading, rule shared/latewords.LATE_CLOSE) that the store keeps in the history and
notify sends to the phone, in the words of shared/latewords.py: which close it was, why riskd
did not know its outcome (timed out at ..., sent before enforcement restarted), what it closed
and at what time, and what the position is now when it is not flat (trial18c section 1: the
trader's MNQ +1, bought after an unlock, vanished with no history line and no alert).
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

from shared import latewords
from shared.messages.market import SIDE_SELL, Fill
from shared.messages.risk import RuleWarning
from shared.symbols import ticker_of


def late_close_note(late, fill: Fill, before: int, after: int, zone: dt.tzinfo,
                    new_id: Callable[[], str], now: int) -> RuleWarning:
    """The note of `fill`, which the late exit `late` (services/risk/exits.py Exit) took;
    before/after: the signed position on its contract before and after the fill, as risk
    reads it (AccountState.exposure)."""
    closed = fill.size if fill.side == SIDE_SELL else -fill.size
    words = latewords.sentence(ticker_of(fill.contract_id),
                               latewords.why_words(late.how, late.lost_ns, zone),
                               latewords.clock(fill.ts_ns, zone), closed, before, after)
    return RuleWarning(id=new_id(), ts_ns=now, rule=latewords.LATE_CLOSE,
                       account_id=fill.account_id, value=None, limit=None, warn_at=0.0,
                       reason=words)


__all__ = ["late_close_note"]
