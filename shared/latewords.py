"""The words of a late-carried close: a fill riskd takes as its close carried out by the broker
after riskd's command had ended (docs/rules.md "Whose trade it is").

A close call whose answer never came (riskd gave up after [broker] timeout, the connection
dropped, or a killed enforcement sent it) may still be carried out by the broker later (one
answered with an HTTP 5xx only up to ANSWERED_NS after that answer: answered), and it then closes whatever is open on that contract at that moment: a position the
trader opened after riskd's command had finished. Risk keeps such a fill as riskd's (never the
trader's trade) and says so, in one record: a note (RuleWarning with no reading) of the rule
LATE_CLOSE, which `riskctl history` shows as WHO and notify sends with TITLE (trial18c
section 1: the trader's new position vanished with no line anywhere). One module for risk's
sentence, history's WHO and the phone's title, so they cannot drift apart.

What riskd knows is that it TOOK the fill as its late close, not that the broker carried its
call out: enforcement never hears a held call's late answer, and the trader's own market close
of the whole position looks the same at the broker (an order does not say who sent it). So the
words say both and that riskd cannot tell which (trial20c finding 1: "carried out late by the
broker" named a fact riskd did not know, of what was the trader's own sell).
"""
from __future__ import annotations

import datetime as dt

from shared.clock import SKEW_NS, from_ns

LATE_CLOSE = "riskd_late_close"          # the rule name of risk's note
# how long after a command's result risk takes a close as that command's lost close carried
# out late (services/risk/exits.py; "within 2 minutes" below)
LATE_NS = 120 * 1_000_000_000
WHO = "riskd (late close)"               # history's WHO column for it
# a close the broker ANSWERED with an HTTP 5xx (not one a proxy in front of it answered for a
# server that may still act: PROXY_CODES): if the broker acted on it at all, it acted before
# it answered, so its fill is made by then; the broker's clock may be this far off riskd's.
# A fill the broker made later is not that call's (trial25c F8: the trader's own sell 5 s,
# and 1m42s, after a cut answered HTTP 500 was taken for that cut carried out late)
ANSWERED_NS = SKEW_NS
# a gateway or a proxy answering for the server behind it (bad gateway, gateway timeout,
# Cloudflare's 520-524): that server may have the call still and carry it out later
PROXY_CODES = frozenset({502, 504, 520, 521, 522, 523, 524})

TIMED_OUT = "timed out"
ANSWER_LOST = "answer lost"
RESTARTED = "sent before enforcement restarted"   # enforcement's actions/base.py RESTARTED
# what riskd did with the fill, in the fewest words: a FAILED action's ending (ended), and
# LAST ACTIONS' outcome of the late close's row (cli/watch/quietrows.py: its rule column says
# 'riskd (late close)'; whole in its outcome column at 80 columns)
TAKEN = "taken as carried out late"
TAKEN_ROW = "taken as riskd's"
# why it is only taken so
CANNOT_TELL = "riskd cannot tell which"


def title(account: str) -> str:
    """The phone's title: '⚠️ Close taken as riskd's late close on Demo 1 (id 1001)'."""
    return f"⚠️ Close taken as riskd's late close on {account}"


def ended(filled_at: str) -> str:
    """How a FAILED action of riskd's ended when a fill was then taken as its close carried out
    late (history's FAILED line, LAST ACTIONS' outcome): 'taken as carried out late at
    22:14:45'."""
    return f"{TAKEN} at {filled_at}"


def closed_by(what: str, how: str) -> str:
    """Why a failing action of riskd's is no longer needed when such a fill made its target
    flat (how: ended's words), short enough for the phone's title: "MNQ long 1 was closed by a
    close taken as carried out late at 22:14:45 (riskd's earlier close of it, or the trader's
    own)"."""
    return f"{what} was closed by a close {how} (riskd's earlier close of it, or the trader's own)"


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


def answered(how: str) -> bool:
    """Was the lost close's outcome unknown only because the broker answered it with an HTTP
    5xx ('HTTP 500'), not because no answer came? Then the broker did what it did before its
    answer (ANSWERED_NS), and a fill after that is never this call carried out late."""
    if not how.startswith("HTTP 5"):
        return False
    code = how[len("HTTP "):].split(" ", 1)[0]
    return code.isdigit() and int(code) not in PROXY_CODES


def signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def resumed(sent_ns: int, tz: dt.tzinfo, result_ns: int, cut: int = 0) -> str:
    """What a close's result adds when enforcement was killed while its call was out and the
    restarted enforcement resumed it and closed again (enforcement's executor: its result
    lists that call as unsettled): "resumed after enforcement restarted: the close sent at
    02:25:18, before the restart, got no answer and may still be carried out by the broker:
    until 02:27:40 (2 minutes after this result) riskd takes a close of the whole position as
    that one, and says so; after that, as the trader's own". Trial20a section 3: history
    and the Done read a plain "MNQ closed", and the held call, released later, closed the
    trader's next position. result_ns: the result's time; the line stays in history, so it
    names when risk stops taking a close as that call (LATE_NS after the result), not only
    that it may still come (round 22, words22's leftover: "may still be carried out" read as
    true forever)."""
    when = f" at {clock(sent_ns, tz)}" if sent_ns else ""
    return (f"resumed after enforcement restarted: the {'cut' if cut else 'close'} sent{when}, "
            f"before the restart, got no answer and may still be carried out by the broker: "
            + taken_until(tz, result_ns, cut))


def taken_until(tz: dt.tzinfo, result_ns: int, cut: int = 0) -> str:
    """'until 02:27:40 (2 minutes after this result) riskd takes a close of the whole position
    as that one, and says so; after that, as the trader's own': how long risk keeps a lost
    close of a finished command as riskd's (LATE_NS after its result)."""
    # a reduce's cut (cut: its contracts) is taken by its size (docs/rules.md "Whose trade it
    # is"): never "a close of the whole position" for it (trial23b's hand run)
    what = f"a market order of exactly its {cut} contracts" if cut \
        else "a close of the whole position"
    return (f"until {clock(result_ns + LATE_NS, tz)} (2 minutes after this result) riskd takes "
            f"{what} as that one, and says so; after that, as the trader's own")


# the words of a reduce's cut carried out after riskd's next cut (reduce_sentence): what LAST
# ACTIONS and the phone's title key on
OVERCUT = "more than the limit needed"


def overcut_title(account: str) -> str:
    """The phone's title when a sell was taken as riskd's lost cut landing after its next one:
    '⚠️ Sell taken as riskd's late reduce, more than the limit needed, on Demo 1 (id 1001)'
    (taken: it may be the trader's own sell, reduce_sentence)."""
    return f"⚠️ Sell taken as riskd's late reduce, {OVERCUT}, on {account}"


def is_overcut(reason: str) -> bool:
    """Is this late-close note a reduce's cut that landed after riskd's next cut?"""
    return (reason or "").startswith("riskd cut ") and OVERCUT in reason \
        and "carried out late" in reason


def reduce_sentence(symbol: str, why: str, filled_at: str, closed: int, before: int,
                    after: int, cancelled: tuple[str, ...] = (), sold: str = "") -> str:
    """risk's note when a market sell of exactly the size of a reduce's partial close whose
    answer was lost comes after riskd's next cut of that reduce had brought the position to
    its target (trial23b finding 1), the fact first, in few words (round 24: the note ran to
    330 characters before it said what happened to the position): "riskd cut 2 MNQ more than
    the limit needed, or you sold 2 yourself: riskd cannot tell which and takes it as its own;
    a market sell of 2 at 11:12:27, after its next cut had brought MNQ to the limit, is its
    earlier cut (timed out at 11:12:03) carried out late, or your own; your MNQ +4 -> +2; not
    counted as your trade". The broker makes one market order of exactly the cut's size when
    it carries it out, and the trader's own market sell of that size looks the same at the
    broker (an order does not say who sent it): the words say both and that riskd cannot tell
    which (trial25c F8: "its earlier cut ... was carried out late" stated as fact of what was
    the trader's own sell). riskd does not send it again or buy the contracts back. sold: the
    trader's own sell riskd took for this cut until it came ('your sell of 2 at 12:25:36
    (order 9000032)', services/risk/eitherway.py): that sell, not riskd's next cut, brought the
    position to the limit, and is the trader's trade (check23 N1)."""
    n = abs(closed)
    by = sold or "its next cut"
    if before and n < abs(before):
        moved = f"your {symbol} {signed(before)} -> {signed(after) if after else 'flat'}"
    else:
        moved = f"your {symbol} {signed(before or closed)} -> flat"
    counted = ("; that earlier sell is your trade, this one is not" if sold
               else "; not counted as your trade")
    side = "sell" if closed > 0 else "buy"
    return (f"riskd cut {n} {symbol} {OVERCUT}, or you {'sold' if closed > 0 else 'bought'} "
            f"{n} yourself: {CANNOT_TELL} and takes it as its own; a market {side} of {n} at "
            f"{filled_at}, after {by} had brought {symbol} to the limit, is its earlier cut "
            f"({why}) carried out late, or your own; {moved}"
            f"{_cancelling(cancelled)}{counted}")


def cancels(orders: list[str]) -> str:
    """'your sell stop MNQ 1 @ 20900.00 (order 9000023)': the orders riskd's late close cancels
    (orders: each 'sell stop MNQ 1 @ 20900.00 (order 9000023)'), one line of words."""
    return "your " + ", ".join(orders)


def _closed_and_now(symbol: str, closed: int, before: int, after: int,
                    cancelled: tuple[str, ...]) -> tuple[str, str]:
    """A late close's two ends of its sentence: what it closed ('1 of your MNQ +4 closed',
    'Your MNQ +1 closed') and what is held now, with the orders riskd cancels with it
    ('; your MNQ is +3 now', '; MNQ is flat now; riskd cancels ...')."""
    if before and abs(closed) < abs(before):
        what = f"{abs(closed)} of your {symbol} {signed(before)} closed"
    else:
        what = f"Your {symbol} {signed(before or closed)} closed"
    now = f"; your {symbol} is {signed(after)} now" if after else f"; {symbol} is flat now"
    return what, now + _cancelling(cancelled)


def _cancelling(cancelled: tuple[str, ...]) -> str:
    """'; riskd cancels your sell stop MNQ 1 @ 20900.00 (order 9000023) with it (left
    working, it would open a new position)'; '' for none."""
    if not cancelled:
        return ""
    # (trial25c F7: "left working, them would open")
    them = "they" if len(cancelled) > 1 else "it"
    return (f"; riskd cancels {cancels(list(cancelled))} with it (left working, {them} would "
            f"open a new position)")


def sentence(symbol: str, why: str, filled_at: str, closed: int, before: int,
             after: int, cancelled: tuple[str, ...] = (), whys: tuple[str, ...] = ()) -> str:
    """risk's note: "Your MNQ +1 closed at 22:14:45: riskd's earlier close of MNQ (timed out at
    22:12:35) carried out late, or your own close; riskd cannot tell which and takes it as its
    own; MNQ is flat now; not counted as your trade". closed: the
    signed contracts the fill closed (+1: a long of 1); before/after: the position before and
    after it as risk reads it. A position it left open, smaller (a partial close) or the
    other way (more than was held), is said as it is now. cancelled: the orders working on
    the contract before the late close that riskd cancels with it (services/risk/
    latecarried.py): "MNQ is flat now; riskd cancels your sell stop MNQ 1 @ 20900.00 (order
    9000023) with it (left working, it would open a new position)" -- decided, its Done
    follows, never said done before it is (trial20a section 1: "MNQ is flat now" while the
    trader's stop stayed working and later opened a short nothing guarded)."""
    what, now = _closed_and_now(symbol, closed, before, after, cancelled)
    # more than one lost close it may be (whys, oldest call first): each named, never one
    # guessed (check25 item 1: the close sent at 17:54:28 named, the one sent at 17:55:46
    # carried out)
    which = f"one of riskd's earlier closes of {symbol} ({'; or '.join(whys)})" \
        if len(whys) > 1 else f"riskd's earlier close of {symbol} ({why})"
    return (f"{what} at {filled_at}: {which} carried out late, or your own close; "
            f"{CANNOT_TELL} and takes it as its own{now}; not counted as your trade")


def cancel_reason(symbol: str, filled_at: str, orders: list[str]) -> str:
    """The reason of riskd's cancel of the orders its late close left working (history's and
    the log's): "the close of MNQ at 22:14:45, taken as riskd's earlier close carried out late
    (or your own close: riskd cannot tell which), left it flat; a close of riskd's cancels the
    orders working on its contract: your sell stop MNQ 1 @ 20900.00 (order 9000023), placed
    before it (an order placed after it is left working)"."""
    return (f"the close of {symbol} at {filled_at}, taken as riskd's earlier close carried out "
            f"late (or your own close: {CANNOT_TELL}), left it flat; a close of riskd's "
            f"cancels the orders working on its "
            f"contract: {cancels(orders)}, placed before it (an order placed after it is left "
            f"working)")


__all__ = ["OVERCUT", "overcut_title", "is_overcut", "reduce_sentence", "LATE_CLOSE", "LATE_NS", "WHO", "TAKEN", "TAKEN_ROW", "CANNOT_TELL", "ended", "closed_by", "title", "why_words", "sentence", "clock", "cancels", "resumed",
           "cancel_reason"]
