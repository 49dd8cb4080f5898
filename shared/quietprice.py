"""When a held contract's price is stale: the one decision, for market, risk and the screens.

A fresh-user trial (2026-12-06): with the sim's quotes silenced and a position held, `riskctl
status` said "guarded now" and no alert came, while the price rules judged a price minutes
old; a loss past the line was acted on only when a stale-feed reconnect happened to bring a
quote. Market's stale-feed watch (services/market/connection.py, FeedWatch) reconnects a hub
that brings no quote for `[broker] stale_after` (default STALE_AFTER_S) during trading hours;
the same wait, on the same hours, says a held contract's price is stale here (risk's status
line and its phone alert, services/risk/quietfeed.py). Screens name a price's age from the
default (shared/pricewords.py): a display threshold, they do not read the config.

- stale_after(broker): the wait for this broker: its `stale_after` (shared/config/sections.py,
  default STALE_AFTER_S), or never for a sim without a random walk (`tick_interval = 0`: quiet
  on purpose, as market never reconnects it either).
- market_hours(broker, calendar): is the market open at an instant (riskd's calendar): the
  broker's sessions 17:00 to 16:00 the next day in `[trading_day] timezone`, Sunday evening to
  Friday afternoon, none closing on one of the calendar's holidays; the sim at all hours
  (riskd does not ask the sim whether its market is open).
- stale_for(quoted_ns, now_ns, after_s, market_open): seconds without a quote when that is
  stale, else None. A closed market is never stale: no quote is due.
- silence_s(since_ns, now_ns, flowing_ns): how long a silence lasted, as the screens and the
  phone both count it: from the last quote before it to the first quote of the flow that ended
  it (now while none has). Trial 2026-12-06: the phone said "prices flowing again after 32s
  without one" while status had said "no steady prices for 40s": the screen counted on to
  now while prices were already flowing again, and from a stale-feed reconnect's lone quote
  once that was 15 s old.
"""
from __future__ import annotations

from typing import Callable, Optional

from shared.clock import NS_PER_S

STALE_AFTER_S = 15.0      # s without a quote during trading hours: the price (the feed) is stale
                          # (the default of [broker] stale_after)
# s between two quotes that end a run of them: after a silence, prices flow again from the first
# quote of a run that lasts the stale-feed wait (a stale-feed reconnect's lone quote, some
# seconds before the feed comes back, starts none: trial 2026-12-06, "after 32s" for a 41 s
# silence); a gap of the wait or more is a silence of its own anyway
FLOW_GAP_S = 5.0
NEVER = float("inf")


def always_open(_now_ns: int) -> bool:
    return True


def stale_after(broker) -> float:
    """The stale-price wait for this [broker] (NEVER for a sim that sends no random walk)."""
    quiet = broker.kind == "sim" and broker.sim.tick_interval == 0
    return NEVER if quiet else broker.stale_after


def market_hours(broker, trading_day, holidays) -> Callable[[int], bool]:
    """is_open(now_ns) for this broker: the sim's market at all hours, else the broker's
    sessions in `[trading_day] timezone` (holidays: the calendar's)."""
    if broker.kind == "sim":
        return always_open
    from shared.tradingday import SessionWindow
    window = SessionWindow.make("17:00", "16:00", timezone=trading_day.timezone,
                                days="mon-fri", holidays=holidays)
    return window.is_inside


def stale_for(quoted_ns: Optional[int], now_ns: int, after_s: float = STALE_AFTER_S,
              market_open: Callable[[int], bool] = always_open) -> Optional[float]:
    """Seconds since the last quote when the price is stale (no quote for after_s while the
    market is open), else None (fresh, no quote ever, or the market closed)."""
    if quoted_ns is None or not market_open(now_ns):
        return None
    silent = (now_ns - quoted_ns) / NS_PER_S
    return silent if silent >= after_s else None


def silence_s(since_ns: int, now_ns: int, flowing_ns: Optional[int] = None) -> float:
    """Seconds a held contract went without steady prices: from since_ns (its last quote
    before the silence) to flowing_ns (the first quote of the flow that ends it), or to now_ns
    while prices do not flow again. A lone quote inside the silence (a stale-feed reconnect's)
    neither ends it nor restarts the count."""
    end = now_ns if flowing_ns is None else min(flowing_ns, now_ns)
    return max(0.0, (end - since_ns) / NS_PER_S)
