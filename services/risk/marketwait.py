"""An action the broker refused because the market is closed, said to the phone once (pure).

Enforcement keeps such a command pending and sends it again when the market opens
(services/enforcement/executor.py, MarketClosed); its 'accepted' results say so (waits_for).
Before this the phone heard nothing after "⚠️ Breach ... action: close the position MNQ" while
the close waited (trial 2026-12-06), though `riskctl history` said "planned, not done yet
(pending)". risk knows the action in words (retries.py), so it tells the phone, once per
command, not per retry of enforcement's: "⏳ Waiting: close MNQ long 3 on Demo 1 waits for the
market to open". Its later "✅ Done" says it was done late (services/notify/templates.py).

closed_words: what an answer given at once (a self-lockout's) says of a flatten risk already
knows will wait: the trading calendar has the market closed (the weekend, a holiday; it says
when it opens), or an action of the account's still in the outbox was answered "waits for the
market to open". With the sim broker riskd does not know when the market is closed (it does
not ask the sim: docs/operations.md), so the calendar's closed market is said as a maybe: "if
the market is closed it waits for the open" (fresh-user trial 2026-12-06: on a Sunday the
answer said the flatten waits for Sun 17:00 while the sim filled it the same second).
"""
from __future__ import annotations

import datetime as dt

from typing import Optional

from shared import showtime
from shared.messages.enforce import CommandResult
from shared.messages.notify import NotifyEvent

TOLD_MAX = 1000          # command ids remembered as told (one alert per pending action)


def waiting_notice(name: str, account_id: int, doing: str, res: CommandResult,
                   now: int) -> NotifyEvent:
    """doing: the action in words ("close MNQ long 3", retries._doing); name: the account as
    riskd names it (shared/accountname.called, the engine's account_name)."""
    return NotifyEvent(
        kind="action_waiting", severity="warning",
        title=f"⏳ Waiting: {doing} on {name} waits for {res.waits_for}",
        lines=["the broker refused it: market closed; riskd sends it again when it opens "
               "(act on the firm's platform if you cannot wait)",
               f"account {name}, command {res.command_id}"],
        account=name, account_id=account_id, ts_ns=now)


def closed_words(calendar, waiting: bool, now: int, zone: dt.tzinfo,
                 locked_until: Optional[int] = None, calendar_known: bool = True) -> str:
    """'' when risk does not know the market is closed, else "the market is closed: it waits
    for the market to open (Sun 17:00 CST)" (waiting: an action of the account waits for the
    open already, as enforcement said). locked_until: when the account's last lockout ends
    (None: none ends by itself); one that ends before the open takes back what has not run
    (services/risk/withdraw.py), so the words say the flatten will not happen (second trial
    2026-12-06: a 3-minute self-lockout on a closed market promised a flatten that was then
    withdrawn, and the position stayed). calendar_known: False with the sim broker, whose
    market the calendar does not tell: a closed calendar is then only a maybe."""
    opens = calendar.next_session_open(now)
    if opens > now and not calendar_known and not waiting:
        words = "if the market is closed it waits for the open"
        if locked_until is not None and now < locked_until:
            words += (f", and what has not run when the lockout ends "
                      f"({showtime.at(locked_until, zone, now)}) is not done")
        return words
    if opens > now and calendar_known:
        words = (f"the market is closed: it waits for the market to open "
                 f"({showtime.at(opens, zone, now)})")
        if locked_until is not None and now < locked_until < opens:
            words += (f"; but the lockout ends first ({showtime.at(locked_until, zone, now)}), "
                      f"and what has not run by then is not done: close the position on the "
                      f"firm's platform if you want to be flat")
        return words
    if waiting:
        return ("the market is closed (the broker refused riskd's last action on the account): "
                "it waits for the market to open")
    return ""
