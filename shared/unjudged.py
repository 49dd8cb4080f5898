"""The words for an account whose positions risk is not judging now: market restarted and has
not read the broker yet, and risk's book holds positions market's incomplete snapshot did not
list (services/risk/engine.py unsure). Risk writes why (AccountStatus.positions_unjudged); the
screens, the phone's /status and the alert say it with since when (docs/operations.md, "When
market is not running")."""
import datetime as dt
from typing import Optional

from shared import showtime
from shared.symbols import ticker_of

WAITING = "waiting for market's first broker read since it restarted"
STILL_ON = "trade rules still on"


def why(contracts) -> str:
    """'waiting for market's first broker read since it restarted: ES, NQ not confirmed'."""
    return f"{WAITING}: {', '.join(sorted(ticker_of(c) for c in contracts))} not confirmed"


def line(since_ns: int, why_words: str, tz: Optional[dt.tzinfo] = None, now_ns: int = 0) -> str:
    """'positions not judged since Mon 10:41:03 CST (waiting for ...); trade rules still on'
    (since_ns 0: without the time, as the guard header says it)."""
    since = f" since {showtime.at(since_ns, tz, now_ns, seconds=True)}" if since_ns else ""
    return f"positions not judged{since} ({why_words}); {STILL_ON}"
