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

So when every close the command made (or may have made) is such a lost call and the order
search shows no order of it (not carried out so far), the command ends `withdrawn`, in words
that say the close is still out and until when riskd takes a close as it: "withdrawn: close
MNQ long 1 was stopped while it ran: the lockout ended (admin:root); its close of MNQ (timed
out at 17:13:43) got no answer and may still be carried out by the broker: until 17:15:43 (2
minutes after this result) riskd takes a close of the whole position as that one, and says
so; after that, as the trader's own". Whatever the command's status, each such lost call with
no order found stays listed (progress `unsettled`, CommandResult.unsettled), so risk keeps it
as a late exit (services/risk/exits.py Exit.late, LATE_NS): its late fill is riskd's late
close, said in history and on the phone, never counted as the trader's trade
(docs/rules.md "Whose trade it is"). A lost call whose order the search found was carried out
already (what it did is said as the done command's: executor).
"""
from __future__ import annotations

import datetime as dt
from services.enforcement.actions.base import ANSWERED_HTTP, LOST
from shared import latewords
from shared.messages.enforce import WithdrawCommand


def lost_rows(ctx) -> list[list]:
    """The command's closes whose outcome is still unknown (progress `lost`: [contract, size,
    when riskd lost track of it, how]; a restarted process's: how RESTARTED)."""
    return [list(r) for r in ctx.progress.get("lost") or []]


def only_lost(made: list[str]) -> bool:
    """Every call the command made that did something at the broker (made: its done list as
    said) is a close that may have worked without saying so (its answer lost, a 5xx): riskd
    saw none of them carried out."""
    return all(d.endswith(LOST) or ANSWERED_HTTP in d for d in made)


def keep_unsettled(ctx, found) -> list[list]:
    """The lost closes on contracts where the order search found no close order of the
    command (found: CloseOrder, executor._close_orders): not carried out so far, so they may
    still be; listed as unsettled (CommandResult.unsettled: risk's late exits) and no longer
    as lost. Returns them."""
    shown = {o.contract_id for o in found}
    rows = lost_rows(ctx)
    kept = [r for r in rows if r[0] not in shown and not (r[0] == "" and shown)]
    if kept:
        unsettled = [list(c) for c in ctx.progress.get("unsettled") or []]
        ctx.save_progress(lost=[r for r in rows if r not in kept],
                          unsettled=unsettled + [r for r in kept if r not in unsettled])
    return kept


def detail(w: WithdrawCommand, kept: list[list], zone: dt.tzinfo, result_ns: int) -> str:
    """The withdrawn command's words (its result's detail: 'withdrawn: ...', as one withdrawn
    before it ran) when its closes are all still out (kept: keep_unsettled's rows)."""
    what = w.what or "the action"
    return (f"withdrawn: {what} was stopped while it ran: {w.reason}; "
            + "; ".join(still_out(r, zone, result_ns) for r in kept))


def still_out(row: list, zone: dt.tzinfo, result_ns: int) -> str:
    """'its close of MNQ (timed out at 17:13:43) got no answer and may still be carried out by
    the broker: until 17:15:43 (2 minutes after this result) riskd takes a close of the whole
    position as that one, and says so; after that, as the trader's own'."""
    cid, size, lost_ns, how = (list(row) + [0, 0, ""])[:4]
    size = int(size or 0)
    noun = "cut" if size else "close"
    on = f" of {cid}" if cid else ""
    why = latewords.why_words(how or "", int(lost_ns or 0), zone)
    taken = f"a market order of exactly its {size} contracts" if size \
        else "a close of the whole position"
    return (f"its {noun}{on} ({why}) got no answer and may still be carried out by the broker: "
            f"until {latewords.clock(result_ns + latewords.LATE_NS, zone)} (2 minutes after "
            f"this result) riskd takes {taken} as that one, and says so; after that, as the "
            f"trader's own")
