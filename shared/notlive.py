"""How a screen marks prices that are not live because market (the broker connection) is not
running: one wording for `riskctl status`, `riskctl watch` and the Telegram bot.

While market is stopped risk still answers, with the figures of market's last quotes: a
position at -240 read +1.50 as if live (a trial), and the bot's /positions said "Demo 1
(1001): flat" with no mark (trial 2026-12-05). Every place that shows risk's account figures
marks them with prices_line() while market_stopped() (docs/operations.md, When market is not
running).
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from shared import showtime

MARKET_DOWN = "market is not running"


def market_stopped(workers: Iterable) -> bool:
    """The supervisor's worker rows (WorkerInfo) say market is there and not running."""
    return any(w.name == "market" and w.state != "running" for w in workers)


def prices_line(status, tz: dt.tzinfo, now_ns: int) -> str:
    """An account's mark while market is not running: 'prices as of Sat 06:49:10 CST, not live
    (market is not running)', the time of the oldest last quote of its positions (the open PnL
    is figured from them); with no quoted position, what risk cannot know (a position or order
    opened at the broker since, so "flat" is not a fact)."""
    quoted = [p.quoted_ns for p in status.positions if p.quoted_ns]
    if quoted:
        when = showtime.at(min(quoted), tz, now_ns, seconds=True)
        return f"prices as of {when}, not live ({MARKET_DOWN})"
    return (f"prices not live ({MARKET_DOWN}): positions and orders opened at the broker "
            f"since are not seen")
