"""What riskctl lockouts, lockout, unlock and history share: times in and out, lockout rows."""
from __future__ import annotations

import datetime as dt
import re
import time
from typing import Optional

from cli.errors import CliError
from cli.table import fmt_duration, render_table
from shared.clock import from_ns, parse_iso_ns, to_ns
from shared.symbols import tickers_in

_DURATION = re.compile(r"^\+?(\d+(?:\.\d+)?)\s*([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_when(text: str, now_ns: Optional[int] = None, future: bool = True) -> int:
    """'30m' / '+2h' (from now; back in time when future=False), '15:30' (the next 15:30 local,
    or today's when future=False) or an ISO 8601 time -> UTC ns."""
    now_ns = time.time_ns() if now_ns is None else now_ns
    value = (text or "").strip()
    m = _DURATION.match(value)
    if m:
        delta = int(float(m[1]) * _UNITS[m[2]] * 1_000_000_000)
        return now_ns + delta if future else now_ns - delta
    if re.match(r"^\d{1,2}:\d{2}$", value):
        local_now = from_ns(now_ns, dt.datetime.now().astimezone().tzinfo)
        hh, mm = (int(x) for x in value.split(":"))
        when = local_now.replace(hour=hh, minute=mm, second=0, microsecond=0)
        if future and when <= local_now:
            when += dt.timedelta(days=1)
        return to_ns(when)
    try:
        return parse_iso_ns(value)
    except ValueError:
        raise CliError(f"expected a time like 30m, 2h, 15:30 or 2026-11-25T15:30:00-06:00, "
                       f"got {text!r}") from None


def fmt_time(ns: Optional[int], relative: bool = True) -> str:
    """Local wall time for people, with the remaining time when it is in the future (and
    `relative`: a lockout that already ended has no time left, whatever its planned end)."""
    if ns is None:
        return "-"
    local = from_ns(ns, dt.datetime.now().astimezone().tzinfo)
    left = (ns - time.time_ns()) / 1e9
    text = local.strftime("%Y-%m-%d %H:%M:%S %Z")
    return f"{text} (in {fmt_duration(left)})" if left > 0 and relative else text


def symbol_text(symbol: Optional[str]) -> str:
    """A lockout's scope as traders say it: MNQ, never CON.F.US.MNQ.Z26; 'account' when none."""
    return tickers_in(symbol) if symbol else "account"


def lockout_rows(lockouts, ended: bool = False) -> str:
    """Lockouts as a table; ended=True for lockouts that just ended (no time left on them)."""
    return render_table(
        ("account", "scope", "kind", "ended" if ended else "until", "rule", "by", "reason"),
        [(lk.account_id, symbol_text(lk.symbol), lk.kind,
          ("now" if ended else fmt_time(lk.until_ns)) if lk.until_ns or ended
          else (f"until {lk.clears_on}" if lk.clears_on else "an admin unlocks"),
          lk.rule, lk.by, lk.reason) for lk in lockouts])
