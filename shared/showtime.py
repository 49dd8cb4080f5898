"""Times shown to people: the display zone rule and the one formatter every screen and alert uses.

The display zone is `[notify] timezone` when it is set, else `[trading_day] timezone`
(America/Chicago by default): riskctl (status, watch, lockouts, history, audit, login,
lockout), the Telegram/Discord alerts and the Telegram commands all show times in it, and
always print the zone's abbreviation. Every time names its day, today's too ("Sat 06:31:55
CST", "Mon 17:00 CST"), and its date too when it is more than 6 days away ("Sat 2026-12-19
17:00 CST"): one rule on every screen and alert. "Today" was the date under the clock on some
screens and the trading day on others, so one lockout end read "until Sat 06:31:55 CST" on the
watch and "until 06:31:55 CST" on the phone (trial 2026-12-05); an alert is often read later,
and a screen shows a trading day that is not the date after the roll. Seconds are shown when
they are not :00. One rounding rule, so one instant always names one second wherever it is shown:
an END (a lockout's, a session's end: at(), iso()) is rounded UP, so it never looks earlier
than it is; a START or a moment that happened (a lockout's since, when a session was ended,
when riskd went down: start()) is cut, like the columns of past events, which always show
them. A lockout's end is such a whole second (risk rounds it up as it takes the lockout:
services/risk/lockouts.py), so the clock clears it in the second shown and its clearing reads
that same second (trial 2026-12-06: "until 03:30:13" everywhere, "cleared by the clock" at
03:30:12). docs/operations.md (Times and time zones) documents it.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional
from zoneinfo import ZoneInfo

from shared.clock import NS_PER_S, from_ns

DEFAULT_ZONE = "America/Chicago"
WEEK_DAYS = 6          # up to this many days away the weekday says which day; beyond, the date


def zone_name(notify_zone: Optional[str], trading_zone: Optional[str]) -> str:
    """The display zone's name from the two settings: [notify] timezone, else [trading_day]'s."""
    return (notify_zone or "").strip() or (trading_zone or "").strip() or DEFAULT_ZONE


def zone_of(config: Any) -> dt.tzinfo:
    """The display zone of a loaded Config."""
    return ZoneInfo(zone_name(config.notify.timezone, config.trading_day.timezone))


def zone_of_tables(data: dict) -> dt.tzinfo:
    """The display zone from the config's raw tables (riskctl reads the file leniently): a name
    that is not a known zone falls back to the other setting, then to the default."""
    notify = (data.get("notify") or {}).get("timezone")
    trading = (data.get("trading_day") or {}).get("timezone")
    for name in (notify, trading, DEFAULT_ZONE):
        if isinstance(name, str) and name.strip():
            try:
                return ZoneInfo(name.strip())
            except (ValueError, OSError, LookupError):
                continue
    return ZoneInfo(DEFAULT_ZONE)


def zone_label(tz: dt.tzinfo) -> str:
    """The zone's name as configured (America/Chicago), for sentences that explain a reading."""
    return getattr(tz, "key", "") or str(tz)


def up_to_second(ns: int) -> int:
    """ns rounded UP to the whole second: how every end time is shown, so it never looks
    earlier than the real end. at() and iso() both go through here, so the clock time and the
    ISO instant of one end (riskctl lockout's echo) always name the same second."""
    return -(-ns // NS_PER_S) * NS_PER_S


def down_to_second(ns: int) -> int:
    """ns cut to the whole second: how every start and every past moment is shown (the second
    it happened in), so it never looks later than it was."""
    return ns // NS_PER_S * NS_PER_S


def iso(ns: int, tz: dt.tzinfo) -> str:
    """An end time as ISO 8601 with its UTC offset in the zone tz ('2026-12-05T01:34:28-06:00'),
    rounded up to the whole second exactly as at() shows it."""
    return from_ns(up_to_second(ns), tz).isoformat()


def at(ns: int, tz: dt.tzinfo, now_ns: int, seconds: Optional[bool] = None) -> str:
    """'Mon 17:00 CST' within 6 days of now (today's too), 'Mon 2026-12-14 17:00 CST' further
    away. Seconds: by default shown when they are not :00 ('22:21:44 CST'),
    the time rounded UP to the whole second, so an end time (a lockout's, a session's) never
    looks earlier than the real end: every end time uses the default. seconds=True (columns of
    when things happened: actions, audit, history) always shows them, cut, not rounded."""
    if seconds is None:           # up to the whole second: an end never shows early
        ns = up_to_second(ns)
    when = from_ns(ns, tz)
    gap = abs((when.date() - from_ns(now_ns, tz).date()).days)
    day = f"{when:%a} " if gap <= WEEK_DAYS else f"{when:%a %Y-%m-%d} "
    show_seconds = when.second != 0 if seconds is None else seconds
    clock = f"{when:%H:%M:%S}" if show_seconds else f"{when:%H:%M}"
    return f"{day}{clock} {when:%Z}".strip()


def end(ns: int, tz: dt.tzinfo, now_ns: int) -> str:
    """An end time with its seconds always shown ('Sat 22:48:00 CST'), rounded up as at() rounds
    an end: for a screen whose other times all show seconds (the watch and status: its clock,
    LAST ACTIONS), so one screen has one time format (fresh-user trial 2026-12-06: a lockout
    "until Sat 22:48 CST" beside actions at "Sat 22:44:50 CST")."""
    return at(up_to_second(ns), tz, now_ns, seconds=True)     # a whole second: nothing cut


def start(ns: int, tz: dt.tzinfo, now_ns: int) -> str:
    """A start or a moment that happened ('a lockout since 03:03:14 CST', 'down since ...'):
    as at() shows a time (its day), with its seconds always (trial15a: "down 14s (since Sun
    11:45 CST)" for 11:45:00, beside "since Sun 12:00:31 CST" another time), cut to the
    second it happened in, never rounded up as an end is: the same second history and the
    audit columns show for it."""
    return at(down_to_second(ns), tz, now_ns, seconds=True)
