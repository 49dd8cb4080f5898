"""What riskctl lockouts, lockout, unlock and history share: times in and out, lockout rows."""
from __future__ import annotations

import datetime as dt
import time
from typing import Optional

from cli.errors import CliError
from cli.fitted import fitted, fitted_head, width
from shared.lockwords import (ENDED_CLEARING, SYMBOL_BLOCKS, holder_words, kind_words,
                              lock_end_words, longest_first, unlocked_listed_words,
                              unlocked_words)
from shared import when
from shared.symbols import tickers_in  # noqa: F401
# one fmt_time for every screen and the phone's /history (shared/historywords.py)
from shared.historywords import DEFAULT_TZ, fmt_time, symbol_text  # noqa: F401


def parse_when(text: str, now_ns: Optional[int] = None, future: bool = True,
               tz: Optional[dt.tzinfo] = None) -> int:
    """'30m' / '+2h' (from now; back in time when future=False), '15:30' (the next 15:30 in
    `tz`, the display zone; today's when future=False) or an ISO 8601 time with its UTC offset
    -> UTC ns."""
    now_ns = time.time_ns() if now_ns is None else now_ns
    try:
        return when.parse_when(text, now_ns, tz or DEFAULT_TZ, future)
    except ValueError as exc:
        raise CliError(str(exc)) from None




def lockout_rows(lockouts, ended: bool = False, tz: Optional[dt.tzinfo] = None,
                 name=lambda account_id, _broker="": str(account_id),
                 now_ns: Optional[int] = None, by: str = "") -> str:
    """Lockouts as a table (times in the display zone `tz`); ended=True for lockouts an unlock
    (by `by`) just cleared: what happened to each, 'cleared by your unlock (admin:root); it
    was until Sat 03:23:23 CST' (shared/lockwords.unlocked_words); name(account_id) names the
    account (cli/accountnames.py).
    A lockout risk still lists whose end has passed (risk clears it on its next tick) says
    so: 'Sat 18:09:50 CST (ended, clearing)' (trial 2026-12-06: its countdown went and the row
    read as if in force)."""
    now_ns = time.time_ns() if now_ns is None else now_ns

    def until(lk) -> str:
        if ended and lk.clears_on == SYMBOL_BLOCKS:
            return unlocked_listed_words(tickers_in(lk.symbol or ""), by)
        if ended:
            was = "until " + fmt_time(lk.until_ns, tz, relative=False, now_ns=now_ns, end=True) \
                if lk.until_ns else lock_end_words(lk)
            return unlocked_words(was, by)
        if not lk.until_ns:
            return lock_end_words(lk)
        text = fmt_time(lk.until_ns, tz, end=True, now_ns=now_ns)
        return text + (ENDED_CLEARING if lk.until_ns <= now_ns else "")
    if ended:           # its words are long: a row wider than the terminal becomes a block
        headers = ("account", "scope", "kind", "ended", "by", "rule", "reason")
        rows = [(name(lk.account_id), symbol_text(lk.symbol), kind_words(lk.kind, lk.rule),
                 until(lk), lk.by, holder_words(lk), lk.reason) for lk in lockouts]
        return fitted(headers, rows, width(), head=3)
    # BY (short: rule, trader, admin:root) before UNTIL, whose words can be long ("while ZZZ
    # is listed in symbol_blocks (an admin's unlock does not free it: ...)"): the last column
    # of the row's line, it wraps under the row and BY stays beside KIND (trial25b F9: BY
    # went onto a line of its own, header and rows, at 80 and 100 columns); RULE (up to
    # "daily_net_loss, extending trade_frequency_limit's lockout") under the row
    headers = ("account", "scope", "kind", "by", "until", "rule", "reason")
    rows = [(name(lk.account_id), symbol_text(lk.symbol), kind_words(lk.kind, lk.rule), lk.by,
             until(lk), holder_words(lk), lk.reason)  # one lockout, whose cooldown it extends
            for lk in longest_first(lockouts)]      # the one waited for first
    columns = width()
    if _line_width(LOCKOUT_HEAD_WIDTHS[:5]) > columns:
        # narrower than the five first columns at their usual widths (80 columns): UNTIL
        # keeps the end, the time left goes under the row ("time left: 30m00s")
        headers = (*headers[:5], "time left", *headers[5:])
        rows = [(*row[:4], *_end_and_left(row[4]), *row[5:]) for row in rows]
        return fitted_head(headers, rows, columns, most=5, least=3, head_header=True,
                           typical=LOCKOUT_NARROW_WIDTHS)
    # a row wider than the terminal keeps its short columns on one line, its reason wrapped
    # under it (trial19a: rows of 149-183 characters at COLUMNS=80)
    return fitted_head(headers, rows, columns, most=6, least=3, head_header=True,
                       typical=LOCKOUT_HEAD_WIDTHS)


def _line_width(widths) -> int:
    """A table line of columns this wide, two blanks between them."""
    return sum(widths) + 2 * (len(widths) - 1)


def _end_and_left(until: str) -> tuple[str, str]:
    """'Wed 14:33:27 CST (in 30m00s)' -> ('Wed 14:33:27 CST', '30m00s'); 'Sat 18:09:50 CST
    (ended, clearing)' -> ('Sat 18:09:50 CST', 'none (ended, clearing)'); an end with no time
    left said ('until the roll') -> (it, '')."""
    if until.endswith(ENDED_CLEARING):
        return until[:-len(ENDED_CLEARING)], f"none{ENDED_CLEARING}"
    end, sep, left = until.rpartition(" (in ")
    if not sep or not left.endswith(")"):
        return until, ""                    # no time left said (a symbol_blocks lock's words)
    return end, left[:-1]


# the width of the lockouts table's first columns as wide as they usually get ('Demo 2
# (strict, id 1002)', 'account', 'until the roll', 'admin:root', 'Wed 14:33:27 CST (in
# 30m00s)', 'trade_frequency_limit'): how many of them a row's first line holds depends
# on the terminal's width only, so the columns stay put from one call to the next (task
# 22c-5: BY came and went as rows got wider), and a row of such widths is not wrapped
# (trial22c: at 100 columns BY went onto a second line)
LOCKOUT_HEAD_WIDTHS = (24, 7, 14, 10, 28, 21)
# narrower than those five (80 columns): UNTIL without its time left ('Wed 14:33:27 CST')
LOCKOUT_NARROW_WIDTHS = (24, 7, 14, 10, 16)
