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
"""
from __future__ import annotations

import re


OPENED_AFTER = "opened_after_riskd_close"      # the rule name of risk's note
WHO = "trader (after riskd's close)"           # history's WHO, LAST ACTIONS' rule column
WINDOW_NS = 15_000_000_000                     # a fill this soon after riskd's close is said


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


def title(account: str) -> str:
    """The phone's title: '⚠️ Your order opened a new position on Demo 1 (id 1001) right after
    riskd's close'; the note's sentence is its line."""
    return f"⚠️ Your order opened a new position on {account} right after riskd's close"


_OPENED = re.compile(r"^Your (\w+) of \d+ (\S+) .* opened a new ((?:long|short) \d+):")


def row_words(reason: str) -> tuple[str, str, str]:
    """(action, contract, outcome) of LAST ACTIONS' row of the note, from its sentence:
    ('sell', 'MNQ', 'opened short 1'); ('', '', '') when it is not one."""
    m = _OPENED.match(reason or "")
    return (m.group(1), m.group(2), f"opened {m.group(3)}") if m else ("", "", "")


__all__ = ["OPENED_AFTER", "WHO", "WINDOW_NS", "position_words", "sentence", "title",
           "row_words"]
