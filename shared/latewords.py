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


def resumed(sent_ns: int, tz: dt.tzinfo) -> str:
    """What a close's result adds when enforcement was killed while its call was out and the
    restarted enforcement resumed it and closed again (enforcement's executor: its result
    lists that call as unsettled): "resumed after enforcement restarted: the close sent at
    02:25:18, before the restart, got no answer and may still be carried out by the broker
    (riskd takes that fill as its own late close and says so)". Trial20a section 3: history
    and the Done read a plain "MNQ closed", and the held call, released later, closed the
    trader's next position."""
    when = f" at {clock(sent_ns, tz)}" if sent_ns else ""
    return (f"resumed after enforcement restarted: the close sent{when}, before the restart, "
            f"got no answer and may still be carried out by the broker (riskd takes that fill "
            f"as its own late close and says so)")


def cancels(orders: list[str]) -> str:
    """'your sell stop MNQ 1 @ 20900.00 (order 9000023)': the orders riskd's late close cancels
    (orders: each 'sell stop MNQ 1 @ 20900.00 (order 9000023)'), one line of words."""
    return "your " + ", ".join(orders)


def sentence(symbol: str, why: str, filled_at: str, closed: int, before: int,
             after: int, cancelled: tuple[str, ...] = ()) -> str:
    """risk's note: "riskd's earlier close of MNQ (timed out at 22:12:35), carried out late by
    the broker, closed your MNQ +1 at 22:14:45; not counted as your trade". closed: the
    signed contracts the fill closed (+1: a long of 1); before/after: the position before and
    after it as risk reads it. A position it left open, smaller (a partial close) or the
    other way (more than was held), is said as it is now. cancelled: the orders working on
    the contract before the late close that riskd cancels with it (services/risk/
    latecarried.py): "MNQ is flat now; riskd cancels your sell stop MNQ 1 @ 20900.00 (order
    9000023) with it (left working, it would open a new position)" -- decided, its Done
    follows, never said done before it is (trial20a section 1: "MNQ is flat now" while the
    trader's stop stayed working and later opened a short nothing guarded)."""
    if before and abs(closed) < abs(before):
        what = f"closed {abs(closed)} of your {symbol} {signed(before)}"
    else:
        what = f"closed your {symbol} {signed(before or closed)}"
    now = f"; your {symbol} is {signed(after)} now" if after else f"; {symbol} is flat now"
    if cancelled:
        them = "them" if len(cancelled) > 1 else "it"
        now += (f"; riskd cancels {cancels(list(cancelled))} with it (left working, {them} "
                f"would open a new position)")
    return (f"riskd's earlier close of {symbol} ({why}), carried out late by the broker, "
            f"{what} at {filled_at}{now}; not counted as your trade")


def cancel_reason(symbol: str, filled_at: str, orders: list[str]) -> str:
    """The reason of riskd's cancel of the orders its late close left working (history's and
    the log's): "riskd's earlier close of MNQ, carried out late by the broker at 22:14:45,
    closed the position; a close of riskd's cancels the orders working on its contract:
    your sell stop MNQ 1 @ 20900.00 (order 9000023), placed before it (an order placed
    after it is left working)"."""
    return (f"riskd's earlier close of {symbol}, carried out late by the broker at {filled_at}, "
            f"closed the position; a close of riskd's cancels the orders working on its "
            f"contract: {cancels(orders)}, placed before it (an order placed after it is left "
            f"working)")


__all__ = ["LATE_CLOSE", "WHO", "title", "why_words", "sentence", "clock", "cancels", "resumed",
           "cancel_reason"]
