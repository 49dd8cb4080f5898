"""The words of a late-carried close: a close of riskd's the broker carried out after riskd's
command had ended (docs/rules.md "Whose trade it is").

A close call whose answer never came (riskd gave up after [broker] timeout, the connection
dropped, HTTP 5xx, or a killed enforcement sent it) may still be carried out by the broker
later, and it then closes whatever is open on that contract at that moment: a position the
trader opened after riskd's command had finished. Risk keeps that fill as riskd's (never the
trader's trade) and says so, in one record: a note (RuleWarning with no reading) of the rule
LATE_CLOSE, which `riskctl history` shows as WHO and notify sends with TITLE (trial18c
section 1: the trader's new position vanished with no line anywhere). One module for risk's
sentence, history's WHO and the phone's title, so they cannot drift apart.
"""
from __future__ import annotations

import datetime as dt

from shared.clock import from_ns

LATE_CLOSE = "riskd_late_close"          # the rule name of risk's note
WHO = "riskd (late close)"               # history's WHO column for it

TIMED_OUT = "timed out"
ANSWER_LOST = "answer lost"
RESTARTED = "sent before enforcement restarted"   # enforcement's actions/base.py RESTARTED


def title(account: str) -> str:
    """The phone's title: '⚠️ riskd's earlier close was carried out late on Demo 1 (id 1001)'."""
    return f"⚠️ riskd's earlier close was carried out late on {account}"


def clock(ns: int, tz: dt.tzinfo) -> str:
    """'22:12:35': a time of that day in the display zone (history's line has the day)."""
    return f"{from_ns(ns, tz):%H:%M:%S}"


def why_words(how: str, lost_ns: int, tz: dt.tzinfo) -> str:
    """Why riskd did not know the close's outcome: 'timed out at 22:12:35', 'its answer lost
    at ...', 'answered HTTP 500 at ...', 'sent at 22:12:45, before enforcement restarted';
    'its answer never came' when enforcement did not say."""
    when = clock(lost_ns, tz) if lost_ns else ""
    if how == RESTARTED:
        return f"sent at {when}, before enforcement restarted" if when \
            else "sent before enforcement restarted"
    if not when:
        return "its answer never came"
    if how == TIMED_OUT:
        return f"timed out at {when}"
    if how.startswith("HTTP "):
        return f"answered {how} at {when}"
    return f"its answer lost at {when}"


def signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def sentence(symbol: str, why: str, filled_at: str, closed: int, before: int,
             after: int) -> str:
    """risk's note: "riskd's earlier close of MNQ (timed out at 22:12:35), carried out late by
    the broker, closed your MNQ +1 at 22:14:45; not counted as your trade". closed: the
    signed contracts the fill closed (+1: a long of 1); before/after: the position before and
    after it as risk reads it. A position it left open, smaller (a partial close) or the
    other way (more than was held), is said as it is now."""
    if before and abs(closed) < abs(before):
        what = f"closed {abs(closed)} of your {symbol} {signed(before)}"
    else:
        what = f"closed your {symbol} {signed(before or closed)}"
    now = f"; your {symbol} is {signed(after)} now" if after else f"; {symbol} is flat now"
    return (f"riskd's earlier close of {symbol} ({why}), carried out late by the broker, "
            f"{what} at {filled_at}{now}; not counted as your trade")


__all__ = ["LATE_CLOSE", "WHO", "title", "why_words", "sentence", "clock"]
