"""What riskctl lockouts, lockout, unlock and history share: times in and out, lockout rows."""
from __future__ import annotations

import datetime as dt
import time
from typing import Optional

from cli.errors import CliError
from cli.table import fmt_duration, render_table
from shared import when
from shared.clock import from_ns
from shared.symbols import tickers_in


def parse_when(text: str, now_ns: Optional[int] = None, future: bool = True,
               tz: Optional[dt.tzinfo] = None) -> int:
    """'30m' / '+2h' (from now; back in time when future=False), '15:30' (the next 15:30 in
    `tz`, by default this machine's zone; today's when future=False) or an ISO 8601 time ->
    UTC ns."""
    now_ns = time.time_ns() if now_ns is None else now_ns
    try:
        return when.parse_when(text, now_ns, tz or dt.datetime.now().astimezone().tzinfo,
                               future)
    except ValueError as exc:
        raise CliError(str(exc)) from None


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
