"""reduce_position: bring one position down to the command's `target` contracts (commands
from before it: by `size` contracts from the size read) with partialCloseContract, then cut
the orders that protect it to the size left.

A target, not a count: risk decides on the position it has seen, and the trader may trade
before enforcement reads it. A count cut from a position that grew in between left the growth
open (trial 2026-12-06: a lockout's cut of two buys stood behind a rule's reduce of 1, which
read 5 and cut to 4 against a limit of 2); cut down to the target, the growth goes too, and a
position the trader cut already is not cut again.

The target size and the position's side are journaled BEFORE
the call, so an attempt after a crash or a lost answer re-reads the position and only closes
what is still above the target: a partial close that worked is never repeated. Target 0 is a
closeContract, and then, as for close_position, every working order on the contract is
cancelled. Otherwise no order on the position's closing side (its stop, its target) may stay
larger than the position (RULES.md "Closing a contract closes its orders"): each is resized
with Order/modify to the size left (setting a size is idempotent), so a stop sized for 7
cannot flip a 5-lot into a 2-lot short.

A partial close whose answer was lost (a timeout: the broker may carry it out seconds later,
the sim's slow success; enforcement killed while it was out; another reduce's on the same
contract) is not sent again at once when the next round still reads the position above the
target: it reads again every second for about one more broker timeout (services/enforcement/
lostcuts.py; no thread held: each wait is a settle), and cuts only what is still above the
target then (trial23b finding 1: a second cut sent at once, 4 -> 2, met the first carried
out 5 s later, 2 -> 0). A cut sent again all the same may still meet the lost one carried out
late (5 -> 3, not 4): the result lists the lost one (CommandResult.unsettled) so risk keeps
its fill as riskd's, and says it cut that many more than the limit needed.
A cut whose answer never came, then found at or below the target (or flat), says which order cut
it, as a close does (_cut_by, services/enforcement/closedby.py): "went from 5 contracts to 3: cut
by the trader's sell of 2 at ... while this close got no answer within 10s (timed out)".

A position opened after the one risk decided the reduce on (the trader closed that one and
re-entered: its broker creationTimestamp later than Command.opened_ns) is not this reduce's to
cut, at any read of any round, of risk's next try after a failure, or of a round resumed after
a restart: the reduce is done and leaves it, and its orders, as close_position leaves it
(services/enforcement/newerposition.py, the one test of both; _left says it).

A cut whose call finds the position gone (PositionNotFound after a read that showed it) says
so in close_position's words (_gone_at_the_call): resumed after a restart, "found so when
enforcement resumed the reduce after a restart" or "closed by the close riskd sent before
enforcement restarted" (the Done the phone hears), else "was already flat" (nothing to do).
Resumed after a restart whose ended process had journaled the target (it then called), a
position gone at the read is "found so when enforcement resumed the reduce", as well.
"""
from __future__ import annotations

from typing import Generator, Iterator, Optional

from services.enforcement.actions.base import (BY_EARLIER, ActionContext, GiveUp, HandOver,
                                               Retry, answered, unsure)
from services.enforcement.actions.close_position import contract_orders
from services.enforcement import closedby, lostcuts, newerposition, ordersafter
from shared import latewords
from shared.outcomewords import contracts, from_to
from shared.projectx.models import OrderSide
from services.enforcement.planning import (closing_side, plan_reduce, plan_resizes, plural,
                                           reduce_target)

NAME = "reduce_position"
PRIORITY = 0
PASSES = 3


def _check(ctx: ActionContext) -> tuple[str, int]:
    cmd = ctx.command
    if not cmd.contract_id or cmd.size is None or cmd.size <= 0:
        raise GiveUp(f"reduce_position needs a contract_id and a size above 0, got "
                     f"{cmd.contract_id!r} and {cmd.size!r}")
    return cmd.contract_id, cmd.size


def run(ctx: ActionContext) -> Generator[float, None, str]:
    cid, cut = _check(ctx)
    pos = _read(ctx, cid)
    if pos is None and ctx.progress.get(newerposition.NEWER):
        return _left(ctx, cid)
    target = ctx.progress.get("target")
    journaled = target is not None       # by an earlier round, or the process that ended
    if target is None:
        if pos is None:
            return f"{cid} on account {ctx.account} was already flat"
        target = reduce_target(pos.size, cut, ctx.command.target)
        ctx.save_progress(target=target, observed=abs(pos.size), side=closing_side(pos))
    pos = yield from _lost_cut_landing(ctx, cid, pos, target, journaled)
    if pos is None and ctx.progress.get(newerposition.NEWER):
        return _left(ctx, cid)
    steps = plan_reduce(pos, target)
    gone = ""
    if steps:
        # the most held at a read before a cut: what was bought since risk decided shows
        # there, after a wait for a lost cut too (check23 N4: the first read alone missed it)
        peak = max(abs(pos.size), int(ctx.progress.get("peak") or 0))
        if peak != ctx.progress.get("peak"):
            ctx.save_progress(peak=peak)
        before = len(ctx.done)
        report = ctx.execute(steps)
        _count_closed(ctx, pos, steps, ctx.done[before:])
        report.raise_if_stuck(ctx.errors)
        yield from ctx.settle()
        pos = _read(ctx, cid)
        if pos is None and ctx.progress.get(newerposition.NEWER):
            return _left(ctx, cid)
        gone = _gone_at_the_call(ctx, cid, steps, pos)
    size = 0 if pos is None else abs(pos.size)
    if size > target:
        raise Retry(f"{cid} still at {size}, above the target {target}")
    yield from _fit_orders(ctx, cid, target, size, ctx.progress.get("side"))
    orders = order_changes(ctx.done) + ordersafter.words(ctx)
    if gone:
        return f"{cid} on account {ctx.account} {gone}{orders}"
    if not steps and unsure(ctx.done) is not None:
        said = _cut_by(ctx, cid, size)
        # a cut the broker answered with a 5xx is not carried out after its answer: no "may
        # still be carried out" for it (trial25c F8)
        answered = closedby.answered_by(ctx, cid)
        if ctx.cut_by_others:
            _still_out(ctx, cid)
        elif ctx.cut_maybe and _still_out(ctx, cid, either=ctx.cut_maybe) and not answered:
            said += _maybe_still_out(ctx)
        return f"{cid} on account {ctx.account} {said}{orders}"
    if not steps and ctx.restarted and journaled and pos is None:
        # the process that ended journaled its target, then called: flat at the re-read
        # (that call carried out, or the trader closed it), never "nothing left to do"
        ctx.found_flat_after_restart()
        return (f"{cid} on account {ctx.account} is flat: found so when enforcement resumed "
                f"the reduce after a restart (the close sent before it, or the trader, closed "
                f"it){orders}")
    killed = _killed_cut(ctx, cid) if not steps and ctx.restarted and journaled else None
    said = _cut_by_killed(ctx, cid, size, killed) if killed and pos is not None else ""
    if said:
        # the ended process's cut, or a sell of the trader's, brought it to the target: which
        # one the broker's orders say (check23 N1 on the restart path)
        ctx.found_flat_after_restart()
        return f"{cid} on account {ctx.account} {said}{orders}"
    if not steps and ctx.restarted and "target" in ctx.progress and pos is not None:
        ctx.found_flat_after_restart()          # its target was journaled before its call
        return (f"{cid} on account {ctx.account} is at {size} (target {target}): found so when "
                f"enforcement resumed the reduce after a restart (the close sent before it, or "
                f"the trader, did it){orders}")
    if not steps:
        left = f"nothing left to close{orders}" if orders else "nothing left to do"
        return f"{cid} on account {ctx.account} is at {size} (target {target}): {left}"
    landed = _landed_after(ctx, cid, target, size)     # riskd's own lost cut, said there
    return f"{reduced(ctx, cid, size, others=not landed)}{landed}{orders}"


def _landed_after(ctx: ActionContext, cid: str, target: int, size: int) -> str:
    """A cut of this command's whose answer was lost, carried out by the broker after this
    round's cut (the read after it is below the target by exactly that cut): said as what it
    is, riskd's own over-cut, and no longer unsettled (it was seen carried out: a sell of the
    trader's later is the trader's). '' otherwise (trial23b finding 1, the late fill before
    the second call's answer)."""
    rows = [c for c in ctx.progress.get("unsettled") or [] if c[0] == cid and c[1]]
    if size >= target or not rows:
        return ""
    row = next((c for c in rows if target - size == min(int(c[1]), target)), None)
    if row is None:
        return ""
    ctx.save_progress(unsettled=[c for c in ctx.progress.get("unsettled") or [] if c != row])
    how = list(row) + [0, ""]
    why = latewords.why_words(how[3] or "", int(how[2] or 0), ctx.zone)
    return (f": riskd's earlier cut of {row[1]} ({why}) was carried out by the broker after "
            f"this one, so riskd cut {target - size} {latewords.OVERCUT}")


def order_changes(done: list[str]) -> str:
    """'; order 10 resized to 5, order 11 cancelled': what this reduce did to each order, in
    the order done ('' for none). Trial 21b: "2 orders resized or cancelled" said neither
    which nor what of the two happened to each."""
    said = []
    for d in done:
        if d.startswith("resize order "):
            order, _, rest = d[len("resize order "):].partition(" to ")
            size, _, note = rest.partition(" ")
            said.append(f"order {order} resized to {size}" + (f" {note}" if note else ""))
        elif d.startswith("cancel order "):
            order, _, note = d[len("cancel order "):].partition(" ")
            said.append(f"order {order} cancelled" + (f" {note}" if note else ""))
    return f"; {', '.join(said)}" if said else ""


def _cut_by(ctx: ActionContext, cid: str, size: int) -> str:
    """How the position came to `size` (at or below the target) when a cut of this command's
    got no answer: the broker's orders say which order cut it (closedby.py, as for a close),
    never "reduced ..., though the close got no answer" crediting the cut with the trader's
    own sell or a flatten."""
    observed, side = ctx.progress.get("observed"), ctx.progress.get("side")
    held = (observed if side == OrderSide.ASK else -observed) \
        if isinstance(observed, int) and side is not None else 0
    lost = [c for c in ctx.close_calls if c.contract_id == cid and not c.worked]
    sent = min((c.sent_ns for c in lost if c.sent_ns), default=0)
    now = "" if size == 0 else (f"went {from_to(observed, size)}" if isinstance(observed, int)
                                else f"is at {contracts(size)}")
    return closedby.words(ctx, cid, unsure(ctx.done, ctx.timed_out_s), sent, ctx.closers,
                          held=held, cut=lost[0].size if lost else 0, now=now, noun="cut")


def _killed_cut(ctx: ActionContext, cid: str) -> Optional[list]:
    """The cut of this command a process that ended may have sent on cid (progress `lost`,
    ActionContext.lost_before_restart: [contract, size, when that process began, RESTARTED]);
    None: none."""
    return next((list(c) for c in ctx.progress.get("lost") or []
                 if c[0] == cid and c[1] and len(c) > 3 and c[3] == latewords.RESTARTED), None)


def _cut_by_killed(ctx: ActionContext, cid: str, size: int, row: list) -> str:
    """How the position came to `size` (at or below the target) when enforcement resumed the
    reduce after a restart and the ended process may have sent its cut (row): the broker's
    orders say which order cut it, as for a round that timed out (_cut_by). A market sell of
    exactly the cut's size made after that process began is that cut or the trader's own sell:
    the cut stays listed as unsettled with that order (either), and orders none of which can
    be it leave it listed too: risk takes a later market order of exactly its size as riskd's
    over-cut (the executor's _resumed_words say until when). Check23 N1 on the restart path
    (2 of 2 by hand, round 24): the trader's sell of 2 during the wait was taken for the cut,
    "found so when enforcement resumed the reduce after a restart", nothing listed, and the
    killed process's cut, carried out later, cut the position 2 under the limit unsaid and was
    counted as the trader's trade. '' when no order shows what cut it."""
    observed, side = ctx.progress.get("observed"), ctx.progress.get("side")
    held = (observed if side == OrderSide.ASK else -observed) \
        if isinstance(observed, int) and side is not None else 0
    now = f"went {from_to(observed, size)}" if isinstance(observed, int) \
        else f"is at {contracts(size)}"
    said = closedby.words(ctx, cid, RESUMED_UNSURE, int(row[2] or 0), ctx.closers,
                          held=held, cut=int(row[1]), now=now)
    if ctx.cut_by_others:
        _still_out(ctx, cid)
    elif ctx.cut_maybe:
        _still_out(ctx, cid, either=ctx.cut_maybe)
    else:
        return ""       # no order shows what cut it: said as before (found so when resumed)
    return said


# how the ended process's cut is said (closedby.words' `unsure`): it may have been sent, and
# its answer, if any, went with the process
RESUMED_UNSURE = "the close got no answer (enforcement restarted)"


def _maybe_still_out(ctx: ActionContext) -> str:
    """What the result adds when the sell that cut the position is either this command's lost
    cut or the trader's own (check23 N1: the trader's sell of exactly the cut's size during
    the wait, then riskd's cut carried out: it was counted as the trader's trade and its
    over-cut said nowhere): the cut stays unsettled, and risk takes a later market order of
    exactly its size as that cut, the earlier sell as the trader's (services/risk/eitherway.py)."""
    return (f"; if that sell was the trader's, riskd's cut may still be carried out: until "
            f"{latewords.clock(ctx.clock.now_ns() + latewords.LATE_NS, ctx.zone)} (2 minutes "
            f"after this result) riskd takes a market order of exactly its contracts as that "
            f"cut, and that sell as the trader's, and says so")


def _still_out(ctx: ActionContext, cid: str, either: int = 0) -> bool:
    """The position reached the target by orders none of which is this command's lost cut
    (another reduce of riskd's took its share, or the trader sold): that cut may still be
    carried out by the broker, on what is left. Listed as unsettled (CommandResult.unsettled),
    so risk keeps its fill as riskd's and says it cut more than the limit needed (trial23b
    finding 5's order: the admin's tightening cut 4 -> 1 while the first reduce's cut of 2 was
    held; before, that cut landing later read as the trader's own sell). either: the order
    that is that cut carried out or the trader's own sell (LostCall.either). True: listed."""
    lost_ = [list(c) for c in ctx.progress.get("lost") or []]
    mine = [c for c in lost_ if c[0] == cid and c[1]]
    if mine:
        listed = [(c + [0, ""])[:4] + [either] for c in mine] if either else mine
        unsettled = [list(c) for c in ctx.progress.get("unsettled") or []]
        ctx.save_progress(lost=[c for c in lost_ if c not in mine],
                          unsettled=unsettled + [c for c in listed if c not in unsettled])
    return bool(mine)


def _gone_at_the_call(ctx: ActionContext, cid: str, steps: list, pos) -> str:
    """How the position is gone when it was open at this round's read and no call of it
    closed it (PositionNotFound: 'already done'), in close_position's words; '' otherwise.
    Never "closed MNQ (2 contracts)" as if this reduce had closed it, nor, for a command a
    process that ended left running, "nothing to do" (no first answer): that process's close,
    carried out meanwhile, or the trader closed it (restart19's leftover)."""
    if pos is not None:
        return ""
    if any(s.describe() + BY_EARLIER in ctx.done for s in steps):
        return ("is flat: closed by the close riskd sent before enforcement restarted (the "
                "broker carried it out after the restart; this run's close found no position)")
    if any(answered(ctx.done, s) for s in steps) \
            or not any(f"{s.describe()} (already done)" in ctx.done for s in steps):
        return ""
    if ctx.restarted:
        ctx.found_flat_after_restart(steps[0])
        return ("is flat: found so when enforcement resumed the reduce after a restart (the "
                "close sent before it, or the trader, closed it)")
    return "was already flat (the reduce's call found no position)"


def _lost_cut_landing(ctx: ActionContext, cid: str, pos, target: int,
                      journaled: bool) -> Generator:
    """The position as read once every partial close whose answer was lost (this command's
    earlier rounds', progress `lost`, ActionContext._lost_close; a killed process's; another
    command's on the contract, ctx.lost_closes) may no longer land: while it is above the
    target, read again every GRACE_STEP s until lostcuts.grace_end (one more broker timeout).
    A cut seen carried out (at or below the target) is never sent again."""
    timeout = ctx.timed_out_s or getattr(ctx.client, "timeout", None)
    rows = list(ctx.progress.get("lost") or []) + lostcuts.rows(
        ctx.lost_closes(ctx.clock.now_ns() - lostcuts.horizon_ns(timeout)))
    end = lostcuts.grace_end(rows, cid, timeout, restarted_sent=journaled)
    while pos is not None and abs(pos.size) > target:
        left = (end - ctx.clock.now_ns()) / lostcuts.NS
        if left <= 0:
            break
        if any(q.action != NAME for q in ctx.queued_behind()):
            # a close or a flatten of the contract waits behind this wait: it does not
            # wait for the lost cut (a whole close is harmless to repeat), so it runs first
            raise HandOver(f"{cid}: a close waits behind the wait for a lost cut")
        yield min(lostcuts.GRACE_STEP, left)
        pos = _read(ctx, cid)
    return pos


def _read(ctx: ActionContext, cid: str):
    """The position on cid as this reduce may cut it; None when the one there opened after the
    position risk decided the reduce on (the trader closed that and re-entered): not its to cut
    (newerposition.py, close_position's test; journaled, progress `newer`)."""
    pos = ctx.position(cid)
    return None if newerposition.opened_since(ctx, pos) else pos


def _left(ctx: ActionContext, cid: str) -> str:
    """'MNQ on account 7 was closed; the long 3 open on it now was opened at ..., after riskd
    decided this reduce: not cut by it (riskd's rules judge it as any new position)': the
    position risk decided on is gone, the newer one is left, and so are the orders working on
    it (its stop is sized to it: nothing to fit). 'was cut by 2, then closed' when a cut of
    this command was answered done before."""
    if ctx.restarted and "target" in ctx.progress:
        # the ended process journaled its target, then may have cut: never "nothing to do"
        ctx.found_flat_after_restart()
    closed = int(ctx.progress.get("closed") or 0)
    how = f"was cut by {closed}, then closed" if closed else "was closed"
    if not closed and not ctx.restarted:
        how = _closed_by(ctx, cid) or how
    return (f"{cid} on account {ctx.account} {how}"
            f"{newerposition.words(ctx, cid, 'reduce', 'cut')}{order_changes(ctx.done)}")


def _closed_by(ctx: ActionContext, cid: str) -> str:
    """How the position this reduce was decided on closed when none of its cuts was answered
    done and one got no answer or an HTTP 5xx (check25 item 3: the cut answered HTTP 500, the
    trader sold 4 and bought 2; the result said "MNQ was closed", LAST ACTIONS "done", and
    riskd had done nothing): the broker's orders name what closed it, as for a close
    (closedby.py): "was closed: closed by the trader's sell of 4 at ... (order 9000012) while
    the broker answered this cut with HTTP 500". When those orders are all others' and the cut
    cannot be carried out later (the broker answered it), the reduce closed nothing: progress
    `closed_nothing` (every screen: "nothing to do"; the phone: what closed it). A cut with
    no answer at all stays listed as unsettled (it may still land on the new position: risk
    then takes its fill as riskd's). '' when no such cut was sent."""
    calls = [c for c in ctx.close_calls if c.contract_id == cid]
    why = unsure(ctx.done, ctx.timed_out_s)
    if not calls or any(c.worked for c in calls) or why is None:
        return ""
    sent = min((c.sent_ns for c in calls if c.sent_ns), default=0)
    said = closedby.words(ctx, cid, why, sent, ctx.closers, cut=calls[0].size, noun="cut")
    answered = closedby.answered_by(ctx, cid)
    if ctx.cut_by_others:
        _still_out(ctx, cid)
        if answered:
            ctx.save_progress(closed_nothing=True)
    elif ctx.cut_maybe and _still_out(ctx, cid, either=ctx.cut_maybe) and not answered:
        said += _maybe_still_out(ctx)
    return "was closed" + said[len("is flat"):] if said.startswith("is flat") else said


def _count_closed(ctx: ActionContext, pos, steps: list, answered: list[str]) -> None:
    """Add the contracts this round's close took to the journaled progress (`closed`), once
    the broker answered that it worked: a restart keeps what earlier rounds closed. A close
    whose answer was lost (it may have worked) is not counted: its result says so."""
    took = sum((step.size if step.size is not None else abs(pos.size))
               for step in steps if step.describe() in answered)
    if took:
        ctx.save_progress(closed=int(ctx.progress.get("closed") or 0) + took)


def reduced(ctx: ActionContext, cid: str, size: int, others: bool = True) -> str:
    """'reduced X on account A from 5 contracts to 3' (trial14a: not "from 2 to 1
    contracts": shared/outcomewords.py from_to); down to none, closed: 'closed X on account A
    (1 contract)' (fresh-user trial 2026-12-06: "reduced ... from 1 to 0").

    Contracts bought while the cut was on its way are cut too (the target): when that closed
    more than risk asked (the command's size), the words say how many it closed and how many
    of them were not asked (trial13a: 11 -> 5 over two rounds read "reduced MNQ from 7 to 5
    contracts", the first read, beside "reduce MNQ by 2"; it closed 6)."""
    observed = ctx.progress.get("observed")
    closed = int(ctx.progress.get("closed") or 0)
    extra = closed - (ctx.command.size or 0)
    if extra > 0:
        more = _more_than_asked(ctx, extra, observed, size == 0)
        if size == 0:
            return (f"closed {cid} on account {ctx.account} ({plural(closed, 'contract')}: "
                    f"{more})")
        return (f"reduced {cid} on account {ctx.account} {from_to(None, size)}: closed "
                f"{closed}, {more}")
    # others: no earlier cut of riskd's landed after this one (that is said on its own)
    others = _by_others(ctx, cid, observed, closed, size) if others else ""
    if size == 0 and others:
        # never "closed MNQ (4 contracts)" when riskd's cut sold 2 of them (trial24c 5)
        return f"{cid} on account {ctx.account} went from {contracts(observed)} to flat{others}"
    if size == 0:
        held = f" ({plural(observed, 'contract')})" if isinstance(observed, int) else ""
        return f"closed {cid} on account {ctx.account}{held}{others}"
    return f"reduced {cid} on account {ctx.account} {from_to(observed, size)}{others}"


def _by_others(ctx: ActionContext, cid: str, observed, closed: int, size: int) -> str:
    """The position went down by more than this cut closed (its answered calls' contracts):
    orders not riskd's (the trader's own sell, made while riskd's partial close sat at the
    broker: risk's note names it) closed the rest while the cut was on its way, and a cut
    taking a count, not a size, then leaves the position below its target. Said, not credited
    to riskd (trial23c F1: "reduced MNQ from 7 contracts to 3" where riskd's cut sold 2 and the
    trader 2, ending 2 under max_contracts' limit 5), plainly: who sold what and what is left
    (trial24a F8: "riskd's cut closed 3, other orders 1 while it was on its way" was hard to
    read). '' when the cut closed it all."""
    if not closed or not isinstance(observed, int) or observed - size <= closed:
        return ""
    did = "bought" if ctx.progress.get("side") == OrderSide.BID else "sold"
    target = ctx.command.target
    left = f"{size} left" if size else "nothing left"
    below = f", {target - size} below the {target} it cut to" \
        if target is not None and size < target else ""
    # the trader took it flat and opened a new position, which the cut, already at the
    # broker, then sold: said so, never "your own orders sold 2" for a sell of 4 and a buy
    # of 2 (trial25c F9)
    sent = [c for c in ctx.close_calls if c.contract_id == cid and c.worked and c.sent_ns]
    took = closedby.reopened(ctx, cid, -observed if did == "bought" else observed, closed,
                             min(c.sent_ns for c in sent)) if sent else ""
    if took:
        return f": riskd's cut, already at the broker, {did} {closed}: {took}; {left}{below}"
    return (f": riskd's cut {did} {closed}; your own orders (not riskd's) {did} "
            f"{observed - size - closed} while it was on its way; {left}{below}")


def _more_than_asked(ctx: ActionContext, extra: int, observed, flat: bool) -> str:
    """Why this reduce closed `extra` contracts more than its size: bought while the cut was
    on its way (its first read above what risk knew held when it decided, Command.held), or
    the share of riskd's earlier reduce on the contract that risk left out of its size ("2 of
    them already being cut by riskd's reduce") and that this cut took, that reduce's own cut
    having got no answer. observed: the first read, or the most held at a read before a cut
    (progress `peak`: the trader's buy during a wait for a lost cut, check23 N4). Trial23b finding 5: an admin's tightening while a reduce was on its
    way read "closed 3, 2 more than asked (bought while the cut was on its way)" when nobody
    had bought anything. Commands from before Command.held was set for a reduce: 'bought'."""
    held = abs(ctx.command.held)
    if isinstance(observed, int):
        observed = max(observed, int(ctx.progress.get("peak") or 0))
    bought = extra if not held or not isinstance(observed, int) \
        else max(0, min(extra, observed - held))
    said = []
    if extra - bought:
        said.append(f"{extra - bought} more than asked: the share of riskd's earlier reduce "
                    f"of it, which this cut took (that reduce's cut got no answer)")
    if bought:
        said.append(f"{bought} more than asked, bought while the cut was on its way" if flat
                    else f"{bought} more than asked (bought while the cut was on its way)")
    return "; ".join(said)


def _fit_orders(ctx: ActionContext, cid: str, target: int, size: int,
                side: Optional[int]) -> Iterator[float]:
    """Target 0 closed the contract: cancel its orders. Else cut the closing side to `size`
    (cancelled when the position is gone some other way: nothing is left to protect)."""
    if target == 0:
        # as close_position's: never an order placed after the close was carried out (the
        # trader's next stop: services/enforcement/ordersafter.py)
        plan = contract_orders(cid)
        yield from ctx.settle_orders(lambda orders: ordersafter.leave(ctx, cid, orders,
                                                                      plan(orders)),
                                     f"orders still working in {cid}", PASSES)
    elif side is not None:
        yield from ctx.settle_orders(lambda orders: plan_resizes(orders, cid, side, size),
                          f"orders in {cid} still larger than its {size} contracts", PASSES)


def describe(ctx: ActionContext) -> str:
    cid, cut = _check(ctx)
    if ctx.command.target is not None:
        return f"reduce {cid} on account {ctx.account} to {ctx.command.target}"
    return f"reduce {cid} on account {ctx.account} by {cut}"
