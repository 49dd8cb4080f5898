"""Why a position has no open PnL, and how old its last price is: the words every screen uses.

Risk values a position only with a quote that arrived since it opened (services/risk/
state.py, MarketView.price_of): the last price from before may be minutes or hours old (a
paused sim, a quiet night, a contract nobody held). `riskctl positions` (market's view) and
`riskctl watch`/`status` (risk's) say the same thing about such a position: the last price
known and its age, and no open PnL. Before, watch said "(partial: no quote yet)" while
positions showed "LAST 20680.00  OPEN PNL -0.50" at the same moment (round 10's trial).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from shared.showprice import fmt_price
from shared.when import duration

OLD_AFTER_S = 15.0       # a last price older than this says its age (the stale-feed wait)

NO_QUOTE = "no quote yet"
NOT_SINCE_OPENED = "no quote since it opened"
NO_CONTRACT = "no contract data yet"


def age_words(quoted_ns: Optional[int], now_ns: int) -> str:
    """'4m12s old' for a last price older than OLD_AFTER_S, else ''."""
    if quoted_ns is None:
        return ""
    age = (now_ns - quoted_ns) / 1e9
    return f"{duration(age)} old" if age >= OLD_AFTER_S else ""


def last_cell(last: Optional[Decimal], quoted_ns: Optional[int], now_ns: int) -> str:
    """A LAST cell: '20680.00', or '20680.00 (4m12s old)', or '-' (no price)."""
    if last is None:
        return "-"
    age = age_words(quoted_ns, now_ns)
    return f"{fmt_price(last)} ({age})" if age else fmt_price(last)


def unvalued_words(ticker: str, why: str, last: Optional[Decimal],
                   quoted_ns: Optional[int], now_ns: int) -> str:
    """'MNQ: no quote since it opened (last 20680.00, 4m12s old)'; 'MNQ: no quote yet'."""
    if last is None or why == NO_QUOTE:
        return f"{ticker}: {NO_QUOTE}"
    age = age_words(quoted_ns, now_ns)
    return f"{ticker}: {why} (last {fmt_price(last)}{', ' + age if age else ''})"
