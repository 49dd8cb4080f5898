"""The words of a trader's fill that opened a position right after riskd's close of that contract:
the trader's own close came after riskd's (both were on their way at once), found the contract
already flat and opened the other side (trial22a F7: riskd's profit-target close sold MNQ long 1,
the trader's own sell of 1 a moment later opened short 1, and nothing said so; being the third
trade of the minute it also started a cooldown, so the trader sat locked holding a short they
never meant to open).

Nothing about riskd's decisions changes: the position and the fill are the trader's, counted and
judged by the rules as any. What this module owns is saying it, in one record: a note
(RuleWarning with no reading) of the rule OPENED_AFTER, which `riskctl history` shows as WHO,
LAST ACTIONS as a row and notify sends with title(); one module for all of them, so they cannot
drift apart (services/risk/afterclose.py decides when it is said).

The same for the trader's own fill made while riskd's close of that contract was in flight and
taken for riskd's by what riskd expected, that riskd's closes there, once answered, did not
make (their results name their orders, not its): the trader's trade, counted from its own time,
said so in a note of the rule DURING (during_sentence; trial23c F0: the trader's sell of 1
beside lockout enforcement's close of 6 was silently riskd's, then silently the trader's).
"""
from __future__ import annotations

import re


OPENED_AFTER = "opened_after_riskd_close"      # the rule name of risk's note
WHO = "trader (after riskd's close)"           # history's WHO, LAST ACTIONS' rule column
WINDOW_NS = 15_000_000_000                     # a fill this soon after riskd's close is said
DURING = "traders_fill_during_riskd_close"     # the rule name of risk's note of such a fill
DURING_WHO = "trader (during riskd's close)"   # history's WHO, LAST ACTIONS' rule column
DURING_OUTCOME = "your trade, counted"         # LAST ACTIONS' outcome of its row


def position_words(signed: int) -> str:
    """'short 1', 'long 2'."""
    return f"{'long' if signed > 0 else 'short'} {abs(signed)}"


def sentence(symbol: str, side: str, size: int, price: str, at: str, opened: int,
             closed_at: str, by: str) -> str:
    """risk's note: "Your sell of 1 MNQ @ 21060.50 at 08:40:12 opened a new short 1: riskd had
    already closed MNQ at 08:40:11 (max_unrealized_profit), so your sell found it flat; the
    short 1 is yours, counted and judged by the rules as any position". side: 'sell' / 'buy';
    opened: the signed position it opened; by: who closed (the rule, 'lockout enforcement')."""
    who = f" ({by})" if by else ""
    return (f"Your {side} of {size} {symbol} @ {price} at {at} opened a new "
            f"{position_words(opened)}: riskd had already closed {symbol} at {closed_at}{who}, "
            f"so your {side} found it flat; the {position_words(opened)} is yours, counted and "
            f"judged by the rules as any position")


def during_sentence(symbol: str, side: str, size: int, price: str, at: str, order_id,
                    what: str, by: str, held: int) -> str:
    """risk's note: "Your sell of 1 MNQ @ 21000.00 at 12:05:16 (order 9000094) came while
    riskd's close of MNQ (lockout enforcement) was in flight; it is not one of the orders
    riskd's close made, so it is your own trade, counted from its own time; MNQ is flat now".
    what: 'close' or 'cut' (a reduce); by: who sent it (the rule, 'lockout enforcement');
    held: the signed position there now."""
    who = f" ({by})" if by else ""
    order = f" (order {order_id})" if order_id is not None else ""
    now = position_words(held) if held else "flat"
    return (f"Your {side} of {size} {symbol} @ {price} at {at}{order} came while riskd's "
            f"{what} of {symbol}{who} was in flight; it is not one of the orders riskd's "
            f"{what} made, so it is your own trade, counted from its own time; {symbol} is "
            f"{now} now")


def during_title(account: str) -> str:
    """The phone's title of the note: '⚠️ Your own order on Demo 1 (id 1001) filled while
    riskd's close was in flight: your trade'."""
    return (f"⚠️ Your own order on {account} filled while riskd's close was in flight: "
            "your trade")


def title(account: str) -> str:
    """The phone's title: '⚠️ Your order opened a new position on Demo 1 (id 1001) right after
    riskd's close'; the note's sentence is its line."""
    return f"⚠️ Your order opened a new position on {account} right after riskd's close"


_OPENED = re.compile(r"^Your (\w+) of \d+ (\S+) .* opened a new ((?:long|short) \d+):")
_DURING = re.compile(r"^Your (\w+) of \d+ (\S+) .* came while riskd's \w+ of ")


def row_words(reason: str) -> tuple[str, str, str]:
    """(action, contract, outcome) of LAST ACTIONS' row of the note, from its sentence:
    ('sell', 'MNQ', 'opened short 1'), ('sell', 'MNQ', 'your trade, counted') for DURING's;
    ('', '', '') when it is neither."""
    m = _OPENED.match(reason or "")
    if m:
        return m.group(1), m.group(2), f"opened {m.group(3)}"
    m = _DURING.match(reason or "")
    return (m.group(1), m.group(2), DURING_OUTCOME) if m else ("", "", "")


__all__ = ["OPENED_AFTER", "WHO", "WINDOW_NS", "DURING", "DURING_WHO", "DURING_OUTCOME",
           "position_words", "sentence", "during_sentence", "during_title", "title", "row_words"]
