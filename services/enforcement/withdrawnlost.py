"""A command withdrawn while a close of its got no answer: that close is still out at the broker.

Risk takes a command back when its lockout ends (an admin's unlock: services/risk/withdraw.py);
one running stops before its next trading call (executor.Executor._withdrawn). A close already
sent whose answer never came (riskd gave up after [broker] timeout, the connection dropped, a
5xx), or that a process that ended may have sent before enforcement restarted, cannot be taken
back: the broker may carry it out later, closing whatever is open on that contract then.
Trial25b F0: such a close, held at the broker, ended "nothing to do" with the alert "✅ Nothing
to close on Demo 1: already flat at the broker" (enforcement killed -9), or "done: close MNQ
(its answer was lost) ... nothing more carried out" with the trader's own later buy taken as
its fill (not killed), while MNQ long 1 was still open; the broker then carried it out and
closed the trader's post-unlock position with no line in history, counted as the trader's trade.

A stopped command's lost calls are listed as unsettled (ActionContext.stopped_unsettled:
CommandResult.unsettled), so risk keeps each as a late exit (services/risk/exits.py Exit.late,
LATE_NS): its late fill is riskd's late close, said in history and on the phone, never counted
as the trader's trade (docs/rules.md "Whose trade it is"). Here, the words and the status: one
order search tells whether such a close was carried out already (an order of it shows: riskd's
work, said as a done command's, never "nothing to do"); when none shows and those closes are all
the command did, it ends `withdrawn`, in words that say the close is still out and until when
riskd takes a close as it: "withdrawn: close MNQ long 1 was stopped while it ran: the lockout
ended (admin:root); its close of MNQ (timed out at 17:13:43) got no answer and may still be
carried out by the broker: until 17:15:43 (2 minutes after this result) riskd takes a close of
the whole position as that one, and says so; after that, as the trader's own". The trader's buy
in that close's window is never its order (closefits.growing).
"""
from __future__ import annotations

import datetime as dt

from services.enforcement.actions.base import ANSWERED_HTTP, LOST
from shared import latewords
from shared.messages.enforce import WithdrawCommand


def out_rows(ctx) -> list[list]:
    """The command's closes whose outcome is unknown, listed as unsettled ([contract, size,
    when riskd lost track of it, how]; a restarted process's: how RESTARTED): a stopped
    command's lost ones are moved there first (ActionContext.stopped_unsettled)."""
    return [list(r) for r in ctx.progress.get("unsettled") or []]


def only_lost(made: list[str]) -> bool:
    """Every call the command made that did something at the broker (made: its done list as
    said) is a close that may have worked without saying so (its answer lost, a 5xx): riskd
    saw none of them carried out."""
    return all(d.endswith(LOST) or ANSWERED_HTTP in d for d in made)


def shown(rows: list[list], found) -> bool:
    """Does the order search show an order of one of these closes (found: CloseOrder, the
    command's, executor._close_orders)? Then it was carried out: riskd's work."""
    on = {o.contract_id for o in found}
    return any(r[0] in on or (r[0] == "" and on) for r in rows)


def detail(w: WithdrawCommand, kept: list[list], zone: dt.tzinfo, result_ns: int) -> str:
    """The withdrawn command's words (its result's detail: 'withdrawn: ...', as one withdrawn
    before it ran) when its closes are all still out (kept: out_rows)."""
    what = w.what or "the action"
    return (f"withdrawn: {what} was stopped while it ran: {w.reason}; "
            + "; ".join(still_out(r, zone, result_ns) for r in kept))


def still_out(row: list, zone: dt.tzinfo, result_ns: int) -> str:
    """'its close of MNQ (timed out at 17:13:43) got no answer and may still be carried out by
    the broker: until 17:15:43 (2 minutes after this result) riskd takes a close of the whole
    position as that one, and says so; after that, as the trader's own'; one the broker
    answered with a 5xx (latewords.answered) was not carried out, since no order shows."""
    cid, size, lost_ns, how = (list(row) + [0, 0, ""])[:4]
    size = int(size or 0)
    noun = "cut" if size else "close"
    on = f" of {cid}" if cid else ""
    why = latewords.why_words(how or "", int(lost_ns or 0), zone)
    if latewords.answered(how or ""):
        # a 5xx is an answer: the broker did what it did before it, and no order shows
        return f"its {noun}{on} ({why}) was not carried out: no order of it shows at the broker"
    # a gateway's 502/504 may answer for a broker still holding the call
    answer = "no order of it shows at the broker yet" if str(how or "").startswith("HTTP ") \
        else "got no answer"
    return (f"its {noun}{on} ({why}) {answer} and may still be carried out by the broker: "
            + latewords.taken_until(zone, result_ns, size))
