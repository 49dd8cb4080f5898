"""How a screen marks prices that are not live because market (the broker connection) is not
running: one wording for `riskctl status`, `riskctl watch` and the Telegram bot.

While market is stopped risk still answers, with the figures of market's last quotes: a
position at -240 read +1.50 as if live (a trial), and the bot's /positions said "Demo 1
(1001): flat" with no mark (trial 2026-12-05). Every place that shows risk's account figures
marks them with prices_line() while market_stopped() (docs/operations.md, When market is not
running): the positions, orders and trade count too, as of market's last message to risk.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from shared import showtime

MARKET_DOWN = "market is not running"
# market runs but its connection to the broker's quote feed (the market hub) is not up: the
# broker is down or unreachable (trial22b finding 4: the screens showed the last price and
# open PnL 41 s after the broker went with no word that they were not live)
FEED_DOWN = "no connection to the broker's quote feed"
QUOTE_HUB = "market"
NOT_UP = ("disconnected", "connecting", "reconnecting")


def market_stopped(workers: Iterable) -> bool:
    """The supervisor's worker rows (WorkerInfo) say market is there and not running."""
    return any(w.name == "market" and w.state != "running" for w in workers)


def feed_down(connections: Iterable) -> bool:
    """market's BrokerConnection rows say its quote hub is not connected, not only as the
    quiet-feed precaution (whose held prices risk marks itself: shared/quietprice.py) nor
    because the market is closed: no price reaches risk from the broker."""
    return any(c.hub == QUOTE_HUB and c.state in NOT_UP and not getattr(c, "precaution", False)
               for c in connections)


def why_not_live(market_down: bool, connections: Iterable) -> str:
    """Why risk's prices are not live, for prices_line: MARKET_DOWN while market is not
    running, FEED_DOWN while its quote feed is not connected (feed_down), '' when they are
    live. One test for `riskctl status`, `watch` and the bot's /status and /positions (small22b:
    the bot marked them only while market was not running)."""
    if market_down:
        return MARKET_DOWN
    return FEED_DOWN if feed_down(connections) else ""


def prices_line(status, tz: dt.tzinfo, now_ns: int, why: str = MARKET_DOWN,
                heard_ns: int = 0) -> str:
    """An account's mark while market is not running (or its quote feed is not connected:
    why FEED_DOWN): 'prices as of Sat 06:49:10 CST, not live (no connection to the broker's
    quote feed)', the time of the oldest last quote of its positions (the open PnL is figured
    from them); with no quoted position, what risk cannot know (a position or order opened at
    the broker since, so "flat" is not a fact). With market not running its positions, orders
    and trade count are not live either (trial24b F2: "MNQ long 5", "trades 21" while the
    broker held 8 after 22), nor the balance and PnL: 'not live (market is not running):
    positions, orders, trades and PnL as of Sat 06:49:12 CST (market's last message), prices
    as of Sat 06:49:10 CST', heard_ns when risk last heard from market (0: not known)."""
    quoted = [p.quoted_ns for p in status.positions if p.quoted_ns]
    prices = f"prices as of {showtime.at(min(quoted), tz, now_ns, seconds=True)}" \
        if quoted else ""
    if why == MARKET_DOWN:
        book = f"not live ({why}): positions, orders, trades and PnL as of " + (
            f"{showtime.at(heard_ns, tz, now_ns, seconds=True)} (market's last message)"
            if heard_ns else "market's last message")
        return f"{book}, {prices}" if quoted else \
            f"{book}; what was opened at the broker since is not seen"
    if quoted:
        return f"{prices}, not live ({why})"
    return (f"prices not live ({why}): positions and orders opened at the broker "
            f"since are not seen")


def notice_words(heard_ns: int, tz: dt.tzinfo, now_ns: int) -> str:
    """The screen's notice while market is not running: everything market keeps up is as of
    its last message."""
    when = f" at {showtime.at(heard_ns, tz, now_ns, seconds=True)}" if heard_ns else ""
    return (f"positions, orders, trades, PnL and prices not live ({MARKET_DOWN}): as of "
            f"market's last message{when}")
