"""Times people type: '30m', '+2h' (from now), '15:30' or '15:30:45' (the next one in a zone;
'15:30:45Z' in UTC) or ISO 8601 with its UTC offset (one without an offset is refused: which instant it means is not clear).

One parser for riskctl and the Telegram commands; both read a clock time in the display zone
(shared/showtime.py). And one way to say a length of time on a phone (duration).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Optional

from shared.clock import from_ns, parse_iso_ns, to_ns

_DURATION = re.compile(r"^\+?(\d+(?:\.\d+)?)\s*([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# 15:30 or 15:30:45; a trailing Z is UTC (22:01:10Z, as log lines show: trial16g)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?([zZ])?$")
_OFFSET = re.compile(r"T.*([zZ]|[+-]\d{2}(:?\d{2}(:?\d{2}(\.\d+)?)?)?)$")
EXPECTED = ("a time like 30m, 2h, 15:30, 15:30:45, 15:30:45Z (UTC) or "
            "2026-11-25T15:30:00-06:00")
MAX_SELF_LOCK_DAYS = 7      # a self-lockout longer than this is a typo, not a plan
MAX_ADMIN_LOCK_DAYS = 366   # an admin's lockout: the admin can end it, so only a typo bound


def lock_length_refusal(until_ns: int, now_ns: int, admin: bool = False) -> str:
    """'' when a lockout until until_ns is a sane length, else why not. A trader's self-lockout
    is bounded at 7 days (only an admin can end it early: 99999h would lock the trader out
    until 2038); an admin's own lockout (`riskctl lockout --admin`) at a year, since the admin
    who set it can end it any time (it shared the 7 days until round 17: an admin could not
    bar a trader for two weeks)."""
    days = (until_ns - now_ns) / 86_400e9
    if admin:
        if days <= MAX_ADMIN_LOCK_DAYS:
            return ""
        return (f"an admin lockout lasts at most {MAX_ADMIN_LOCK_DAYS} days; this one would last "
                f"{days:,.0f} days (a typo?). Give a shorter time, or an ISO date")
    if days <= MAX_SELF_LOCK_DAYS:
        return ""
    return (f"a self-lockout lasts at most {MAX_SELF_LOCK_DAYS} days (only an admin can end it "
            f"early); this one would last {days:,.0f} days. Use --session for the rest of the "
            f"trading day, or a shorter time like 2h or 15:30")


def duration(seconds: float) -> str:
    """A length of time as a phone shows it: 45s, 3m05s, 2h10m; under a second 0.5s (or <0.1s),
    never 0s for something that lasted. Every unit is cut, never rounded up: 0.97 s is 0.9s,
    as 1.97 s is 1s (rounded, 0.97 s read "1.0s" beside another alert's "1s", trial)."""
    if 0 < seconds < 1:
        return f"{int(seconds * 10) / 10:.1f}s" if seconds >= 0.1 else "<0.1s"
    seconds = max(0, int(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m" if h else (f"{m}m{s:02d}s" if m else f"{s}s")


def is_clock(text: str) -> bool:
    """Whether a time argument is a clock time (15:30, 15:30:45, 15:30:45Z), read as a day's."""
    return bool(_CLOCK.match((text or "").strip()))


def clock_zone(text: str, tz: dt.tzinfo) -> dt.tzinfo:
    """The zone a clock time is read in: UTC for one ending in Z (22:01:10Z, copied from a log
    line, which shows UTC), else tz (the display zone)."""
    m = _CLOCK.match((text or "").strip())
    return dt.timezone.utc if m is not None and m[4] else tz


def gap(seconds: float) -> str:
    """How long after something another came ('done at ... (1.9s after the decision)'): a
    gap under 10 s with its tenth, cut as duration() cuts (1.97 s is 1.9s, never "1s", which
    read as half the real wait: trial15a, 1911.6 ms shown as "1s"); longer ones as duration()."""
    if 1 <= seconds < 10:
        tenths = int(seconds * 10)
        return f"{tenths // 10}s" if tenths % 10 == 0 else f"{tenths / 10:.1f}s"
    return duration(seconds)


def parse_when(text: str, now_ns: int, tz: dt.tzinfo, future: bool = True) -> int:
    """-> UTC ns. A duration counts from now (back in time when future=False); HH:MM is the next
    one in `tz`, or with future=False the last one (yesterday's when today's is still ahead:
    'history --since 09:30' at 01:07 looked for the future and found nothing, trial
    2026-12-05). Raises ValueError saying what was expected."""
    value = (text or "").strip()
    m = _DURATION.match(value)
    if m:
        delta = int(float(m[1]) * _UNITS[m[2]] * 1_000_000_000)
        return now_ns + delta if future else now_ns - delta
    m = _CLOCK.match(value)
    if m:
        hh, mm, ss = int(m[1]), int(m[2]), int(m[3] or 0)
        if hh > 23 or mm > 59 or ss > 59:
            raise ValueError(f"expected {EXPECTED}, got {text!r}")
        local_now = from_ns(now_ns, clock_zone(value, tz))
        when = local_now.replace(hour=hh, minute=mm, second=ss, microsecond=0)
        if future and when <= local_now:
            when += dt.timedelta(days=1)
        elif not future and when > local_now:
            when -= dt.timedelta(days=1)
        return to_ns(when)
    try:
        ns = parse_iso_ns(value)
    except ValueError:
        raise ValueError(f"expected {EXPECTED}, got {text!r}") from None
    if not _OFFSET.search(value):
        raise ValueError(no_offset(value, tz))
    return ns


def no_offset(value: str, tz: dt.tzinfo) -> str:
    """Why an ISO time without a UTC offset is refused, with the same time written with one."""
    naive = dt.datetime.fromisoformat(re.sub(r"\.\d+", "", value))     # the example: whole seconds
    example = naive.replace(tzinfo=tz).isoformat()
    zone = getattr(tz, "key", "") or str(tz)
    return (f"{value} has no UTC offset, so which instant it means is not clear: write it with "
            f"one, e.g. {example} ({zone}) or {naive.isoformat()}+00:00 (UTC), or give a clock "
            f"time like {naive:%H:%M} (read in {zone})")


def table_duration(seconds: Optional[float]) -> str:
    """A length of time as the terminal's tables show it: 0.085s, 4.2s, 45s, 3m05s, 2h10m,
    1d02h; under a second to the millisecond (an action's latency). One way for every screen:
    LAST ACTIONS' latency read "8701 ms" beside "16.8 s" (fresh-user trial 2026-12-06)."""
    if seconds is None:
        return "-"
    s = int(seconds)
    if 0 < seconds < 1:                         # cut to the millisecond, never rounded up
        ms = int(seconds * 1000)
        return f"{ms / 1000:.3f}s" if ms else "<0.001s"      # 0.030s beside 0.018s
    if s < 60:
        return f"{int(seconds * 10) / 10:.1f}s" if seconds < 10 else f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"
