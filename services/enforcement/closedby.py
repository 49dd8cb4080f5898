"""Who closed (or cut) a position that a close of riskd's found flat, or that a reduce of riskd's
found at or below its target, while its own call's effect is unknown.

A close whose call got no answer (riskd's [broker] timeout, a dropped connection, a 5xx) and
that then finds the contract flat did not see what closed it: its own call, carried out by the
broker meanwhile, or something else. Fresh-user trial 20b section 2 (5 of 5): the trader's own
reversing sell, daily_net_loss's flatten or the admin's `riskctl flatten` closed MNQ while the
close was held at the broker (the held call was refused later: "no open position"), and the
rule's line and its "Done" read "MNQ is flat: closed, though the close got no answer within 10s
(timed out)", crediting the held call with a close it never made (with the admin's flatten, two
actions claimed one close).

The broker's orders say which orders filled on the closing side since riskd decided (one
Order/search): each is named by what it is, never guessed to be this close's:
  - an order another command of riskd's created (its final result names it: the journal's
    close_orders, `closers`): "riskd's flatten (daily_net_loss) at 03:12:34 CST";
  - an order this close cannot have made (not a market order, made before its call was sent,
    or of another size than the whole position: a closeContract takes exactly what is open):
    "the trader's sell of 3 at 03:07:34 CST (order 9000012)";
  - else a market order of the whole position, made after the call: the broker's carrying out
    of this close and the trader's own close look the same, and the words say both.
The orders of the first two kinds are never this command's close orders (ActionContext
.not_ours: its result's close_orders leave them out, so risk does not take the trader's sell as
riskd's fill, nor another command's order as this one's); the third stays among them, as risk
counts such a close as riskd's (docs/rules.md "Whose trade it is").
The fills are followed from the position riskd decided on (Command.held): a fill on its side,
or one opening a position again after it went flat, closes nothing; a fill larger than what is
open reverses it (trial20c finding 2: long 2, the trader's sell of 4 left short 2, and
daily_realized_loss's flatten closed that 6 s later, yet the line read "MNQ is flat: closed by
the trader's sell of 4"). Then the words name what made it flat after the reversal: "is flat:
the trader's sell of 4 at ... (order 9000007) reversed the position to short 2, then riskd's
flatten (daily_realized_loss) at ... closed the short 2, while this close got no answer ...".
No fill found (not booked yet) or the orders unreadable: "found flat ...; by which order is not
known".

A close whose own call was answered "no position" (the contract was already flat when the call
got there) says what made it flat too, when the broker's orders show it after riskd decided
(found_flat: fresh-user trial 21b finding 8: "ES was already flat, 1 order cancelled" where the
trader's own target, a buy limit, had filled while riskd's close was held at the broker): "was
already flat: closed by the trader's buy of 1 at 06:04:08 CST (order 9000053) while this close
was in flight". That call's answer is known, so no order is taken for it: a market order no
other command of riskd's made is the trader's own, "the trader's own market buy of 1 at ...
(order N) while this close was in flight", unless another command's close whose
outcome is unknown may still be carried out on that contract (risk takes such an order as
that close, late, and says so: late_fits): then "a market buy of 1 at ... (order N), not this
close ...". Nothing found, or the orders unreadable: plain "was already flat", as before.

reduce_position's cut (a partialCloseContract of N, or a closeContract for target 0) whose call
got no answer, then found the position at or below its target, is said the same way (one piece
of code for both; before, "reduced MNQ ... from 5 contracts to 3, though the close got no
answer" credited the cut with the trader's own sell or a flatten): "went from 5 contracts to 3:
cut by the trader's sell of 2 at ... while this close got no answer ..."; a partial close takes
exactly its N, so only a market order of N made after the call can be it.

A reduce's cut answered done that sold a position the trader opened while it sat at the
broker (the trader's own orders took the contract flat, then opened again) says what it sold,
naming those orders (reopened): riskd cannot stop a call already out (trial25c F9).
"""
from __future__ import annotations

import contextlib
import logging
from typing import Callable, Optional

from shared import latewords, showtime
from shared.clock import SKEW_NS
from shared.latewords import LATE_NS
from shared.messages.enforce import Command
from shared.outcomewords import ACTION_WORDS
from shared.projectx.errors import (BrokerUnavailable, ParseError, ProjectXError,
                                    RateBudgetExhausted)
from shared.projectx.models import OrderSide, OrderStatus, OrderType
from shared.symbols import ticker_of

log = logging.getLogger(__name__)

# Order/search picks orders by when they were made: a resting order that filled while the close
# was in flight (the trader's target) was made before riskd decided, so found_flat's search
# reaches back this far and keeps the orders that filled after riskd decided
LOOKBACK_NS = 24 * 3600 * 1_000_000_000


def by_command(cmd: Command) -> str:
    """'riskd's flatten (daily_net_loss)', 'the flatten admin:root asked for'."""
    what = ACTION_WORDS.get(cmd.action, cmd.action)
    if cmd.by:
        return f"the {what} {cmd.by} asked for"
    return f"riskd's {what} ({cmd.rule})" if cmd.rule else f"riskd's {what}"


def _side(side: int) -> str:
    return "sell" if side == OrderSide.ASK else "buy"


def _which(unsure: str) -> str:
    """unsure's words as a clause of 'this close': 'which got no answer within 10s (timed
    out)', 'whose answer was lost', 'which the broker answered with HTTP 500'."""
    if unsure.startswith("the close "):
        return "which " + unsure[len("the close "):]
    if unsure.startswith("the broker's answer to the close "):
        return "whose answer " + unsure[len("the broker's answer to the close "):]
    return "which " + unsure.replace(" the close", "", 1)


IN_FLIGHT = "the close was in flight"
ALREADY = "was already flat"


def already(ctx, cid: str, sent_ns: int, closers: Callable[[int], dict[int, Command]]) -> str:
    """The `how` of a close whose own call found no position: 'was already flat: closed by the
    trader's buy of 1 at ... (order 9000053) while this close was in flight' when the broker's
    orders show what closed the position riskd decided on; plain 'was already flat' when riskd
    held no position when it decided (Command.held 0: not known), or nothing shows."""
    if not ctx.command.held:
        return ALREADY
    return words(ctx, cid, IN_FLIGHT, sent_ns, closers, found_flat=True)


def words(ctx, cid: str, unsure: str, sent_ns: int,
          closers: Callable[[int], dict[int, Command]], held: Optional[int] = None,
          cut: int = 0, now: str = "", found_flat: bool = False, noun: str = "close") -> str:
    """The `how` of close_position's result when the contract is flat and this command's close
    call's effect is unknown (unsure: 'the close got no answer within 10s (timed out)');
    sent_ns: when its first close call was sent (0: not known); closers(since_ns): the orders
    other commands of riskd's on the account created, by order id. held: the position when
    riskd decided (long +, short -; 0: not known; None: the command's `held`); cut: the size of
    a partial close (0: a closeContract, which takes what is open); now: the words of a position
    still open ('went from 5 contracts to 3'; '': flat). found_flat: this close's own call
    was answered "no position" (already()). noun: what this command's call is called, "cut"
    for a reduce's partial close (check23: "either this close, ..." of a reduce)."""
    this = unsure.replace("the close", f"this {noun}", 1)
    state, verb = (now, "cut") if now else (ALREADY if found_flat else "is flat", "closed")
    start = min(t for t in (ctx.command.issued_ns, sent_ns) if t) \
        if (ctx.command.issued_ns or sent_ns) else ctx.begun_ns
    orders = _orders(ctx, cid, start - SKEW_NS - (LOOKBACK_NS if found_flat else 0))
    if orders is None:
        if found_flat:
            return ALREADY
        return (f"{state}: found so after {this}; by which order is not known (the broker's "
                f"orders could not be read)")
    held = ctx.command.held if held is None else held
    answered_ns = 0 if found_flat else answered_by(ctx, cid)
    closing = (OrderSide.ASK if held > 0 else 1 - OrderSide.ASK) if held else None
    filled = sorted((o for o in orders if o.contract_id == cid and o.status == OrderStatus.FILLED
                     and (not found_flat or (o.updated_ns or o.created_ns or 0)
                          >= start - SKEW_NS)),
                    key=lambda o: (o.updated_ns or o.created_ns or 0, o.id))
    theirs = closers(start - SKEW_NS)
    # never this command's orders (executor._close_orders leaves them out of its result's
    # close_orders: risk would take the trader's reversing sell, or another command's order
    # named twice, as this close's fill)
    ctx.not_ours.update(i for i in theirs if theirs[i].id != ctx.command.id)
    parts, mine_maybe, maybe_order = [], False, 0
    tails: list[str] = []   # what a market order another lost close may be is (late_tail)
    pos = held              # the position as the fills leave it (long +, short -), when known
    reversed_by: list[tuple[list[str], int]] = []   # (the orders, the position they left)
    opened: list[str] = []  # the trader's orders that opened a new position from flat
    for o in filled:
        signed = -o.size if o.side == OrderSide.ASK else o.size
        if held and (not pos or (signed > 0) == (pos > 0)):
            if not pos and (parts or reversed_by):
                # trial25c F2: sold 4 from 4, bought 2: "went from 4 contracts to 2: cut by
                # the trader's sell of 4" never said where the 2 came from
                when = showtime.start(o.updated_ns or o.created_ns or 0, ctx.zone,
                                      ctx.clock.now_ns())
                opened.append(f"the trader's {_side(o.side)} of {o.size} at {when} (order "
                              f"{o.id}) opened a new {position_words(signed)}")
                ctx.not_ours.add(o.id)
            pos += signed           # opened or grew a position: no part of closing it
            continue
        when = showtime.start(o.updated_ns or o.created_ns or 0, ctx.zone, ctx.clock.now_ns())
        cmd = theirs.get(o.id)
        if cmd is not None and cmd.id != ctx.command.id:
            parts.append(f"{by_command(cmd)} at {when}")
        elif o.type != OrderType.MARKET \
                or (sent_ns and o.created_ns and o.created_ns < sent_ns - SKEW_NS) \
                or (answered_ns and o.created_ns
                    and o.created_ns > answered_ns + latewords.ANSWERED_NS) \
                or (held and o.size > abs(pos)) or (cut and o.size != cut):
            parts.append(f"the trader's {_side(o.side)} of {o.size} at {when} (order {o.id})")
            ctx.not_ours.add(o.id)
        elif found_flat:
            # no close of riskd's that may still be carried out could be it (another
            # command's lost close: risk takes it as that one, late, and says so): the
            # trader's own (trial22c 5d: "closed by a market sell of 3 ..., not this close"
            # never said whose)
            fits = late_fits(ctx, cid, start, o.updated_ns or o.created_ns or 0)
            if fits:
                parts.append(f"a market {_side(o.side)} of {o.size} at {when} (order {o.id}), "
                             f"not this close (its call found no position)")
                tails.append(late_tail(fits, cid, _side(o.side), ctx.zone))
            else:
                parts.append(f"the trader's own market {_side(o.side)} of {o.size} at {when} "
                             f"(order {o.id})")
            ctx.not_ours.add(o.id)
        else:
            mine_maybe, maybe_order = True, o.id
            parts.append(f"a market {_side(o.side)} of {o.size} at {when} (order {o.id}): "
                         f"either this {noun}, {_which(unsure)}, carried out by the broker, or "
                         f"the trader's own {_side(o.side)}; riskd cannot tell which")
        if held:
            after, pos = pos, pos + signed
            if pos and (pos > 0) != (after > 0):
                # a reversal (trial20c finding 2: long 2, the trader's sell of 4): it closed
                # the position riskd decided on, but left the other side open; what closed
                # that is what made the contract flat
                reversed_by.append((parts, pos))
                parts, mine_maybe = [], False
    # the orders show what cut it, and none of them can be this command's own call: that
    # call, if it was sent, has not been carried out (yet): reduce_position keeps it unsettled
    ctx.cut_by_others = bool(parts or reversed_by) and not mine_maybe
    ctx.cut_maybe = maybe_order
    how = ", then ".join(f"{' and '.join(p)} reversed the position to {position_words(n)}"
                         for p, n in reversed_by)
    if not parts and found_flat and not how:
        return ALREADY
    if not parts:
        if how:
            return (f"{state}: {how} while {this}; by which order the {position_words(pos)} "
                    f"{'was cut' if now else 'closed'} is not known yet (no fill "
                    f"{'cutting' if now else 'closing'} it shows at the broker)")
        return (f"{state}: found so after {this}; by which order is not known yet (no fill "
                f"{'cutting' if now else 'closing'} it shows at the broker)")
    tail = "".join(f"; {t}" for t in tails) + "".join(f"; then {t}" for t in opened)
    if how:
        last = reversed_by[-1][1]
        if mine_maybe:
            return (f"{state}: {how}, then {verb} the {position_words(last)}: "
                    f"{'; '.join(parts)}{tail}")
        return (f"{state}: {how}, then {' and '.join(parts)} {verb} the {position_words(last)}, "
                f"while {this}{tail}")
    if mine_maybe:
        return f"{state}: {verb} by {'; '.join(parts)}{tail}"
    return f"{state}: {verb} by {' and '.join(parts)} while {this}{tail}"


def answered_by(ctx, cid: str) -> int:
    """When the broker answered this command's last lost close on cid with an HTTP 5xx, when
    each of them was so answered (progress `lost`: [contract, size, lost_ns, how]); 0 when
    one got no answer at all (it may be carried out any time later), or none is listed. An
    order the broker made after that answer is not this command's call (it acted, if at all,
    before answering: latewords.ANSWERED_NS): trial25c F8, the trader's own sell 1 s after a
    cut answered HTTP 500 read "either this cut ... or the trader's own sell"."""
    rows = [list(c) + [0, ""] for c in ctx.progress.get("lost") or [] if c and c[0] in (cid, "")]
    if not rows or not all(int(r[2] or 0) and latewords.answered(r[3] or "") for r in rows):
        return 0
    return max(int(r[2]) for r in rows)


def _orders(ctx, cid: str, since_ns: int) -> Optional[list]:
    """The account's orders made since since_ns (one Order/search, at low priority against
    the rate budget); None when they cannot be read (logged)."""
    try:
        budget = ctx.budget.low_priority() if ctx.budget is not None else contextlib.nullcontext()
        with budget:
            return ctx.client.search_orders(ctx.account_id, since_ns)
    except (ProjectXError, BrokerUnavailable, RateBudgetExhausted, ParseError) as exc:
        log.warning("account %s: could not read the orders that closed %s (%s)", ctx.account,
                    cid, exc)
        return None


def late_fits(ctx, cid: str, start: int, at_ns: int = 0) -> list:
    """The closes of other commands of riskd's, whose outcome is unknown, that could still be
    carried out on this contract (LostCall: the journal's lost closes of commands unfinished,
    or finished within LATE_NS of start); a market order no command of riskd's is known to
    have made (at at_ns, the broker's time: 0 not known) may be one of them, late. Not a
    close the broker answered with a 5xx before at_ns (latewords.answered: it acted, if at
    all, before its answer; risk's late exit does not take such a fill either)."""
    return [c for c in ctx.lost_closes(start - LATE_NS - SKEW_NS) if c.contract_id in ("", cid)
            and not (at_ns and c.lost_ns and latewords.answered(c.how)
                     and at_ns > c.lost_ns + latewords.ANSWERED_NS)]


def late_tail(fits: list, cid: str, side: str, zone) -> str:
    """What a market order another lost close may be is, in the words of risk's late-close
    line (shared/latewords.sentence), so this close's line and that one read as one story
    (late22's leftover: "not this close" never pointed at the `riskd (late close)` line beside
    it): "that buy is riskd's earlier close of ES (timed out at 22:12:35) carried out late, or
    the trader's own: riskd cannot tell which (taken as that close, it has its own `riskd (late
    close)` line and alert)". Several lost closes it may be: which one is not named."""
    named = {(c.how, c.lost_ns) for c in fits}
    why = f" ({latewords.why_words(*named.pop(), zone)})" if len(named) == 1 else ""
    return (f"that {side} is riskd's earlier close of {ticker_of(cid)}{why} carried out late, "
            f"or the trader's own: {latewords.CANNOT_TELL} (taken as that close, it has its "
            f"own `{latewords.WHO}` line and alert)")


def reopened(ctx, cid: str, held: int, cut: int, since_ns: int) -> str:
    """What a reduce's cut answered done, already at the broker, sold when the trader's own
    orders took the position flat and opened a new one while it was on its way (trial25c F9,
    2 of 2: long 4, the cut of 2 held 4 s, the trader's sell of 4 then buy of 2: the cut sold
    the trader's new long 2 and the Done read "your own orders (not riskd's) sold 2 while it
    was on its way; nothing left, 2 below the 2 it cut to", the re-entry never named): "the
    long 2 you opened at 17:01:37 CST (order 9000103) after your sell of 4 at 17:01:37 CST
    (order 9000102) took MNQ flat". The broker's filled orders on cid since since_ns (the
    cut's call, less SKEW_NS), walked from held (long +, short -) in the order they were
    made: the trader's orders that took it flat, the one that opened the new position, then
    a market order of exactly the cut's size closing it (the cut: the broker makes one order
    of its size). '' when the orders do not show that, or cannot be read (said as before)."""
    if not held or not cut:
        return ""
    orders = _orders(ctx, cid, since_ns - SKEW_NS)
    if orders is None:
        return ""
    filled = sorted((o for o in orders if o.contract_id == cid
                     and o.status == OrderStatus.FILLED),
                    key=lambda o: (o.created_ns or o.updated_ns or 0, o.id))
    pos, flat_by, opened = held, [], None
    for o in filled:
        signed = -o.size if o.side == OrderSide.ASK else o.size
        closing = pos and (signed > 0) != (pos > 0)
        if opened is None and closing and not flat_by and o.type == OrderType.MARKET \
                and o.size == cut and o.size < abs(pos):
            return ""           # the cut itself, carried out before the trader's orders
        if opened is None and closing:
            flat_by.append(o)                   # the trader's, taking the position down
            pos += signed
            if pos and (pos > 0) != (pos - signed > 0):
                return ""       # reversed by one order: not this story
            continue
        if opened is None and not pos and flat_by:
            opened, pos = o, signed             # the trader's new position
            continue
        if opened is not None and closing and o.type == OrderType.MARKET and o.size == cut:
            now = ctx.clock.now_ns()
            theirs = " and ".join(f"{_side(f.side)} of {f.size} at "
                                  f"{showtime.start(f.created_ns or 0, ctx.zone, now)} "
                                  f"(order {f.id})" for f in flat_by)
            ctx.not_ours.update([f.id for f in flat_by] + [opened.id])
            new = position_words(signed_of(opened))
            what = f"the {new}" if opened.size == cut else f"{cut} of the {new}"
            return (f"{what} you opened at "
                    f"{showtime.start(opened.created_ns or 0, ctx.zone, now)} (order "
                    f"{opened.id}) after your {theirs} took {ticker_of(cid)} flat")
        return ""
    return ""


def signed_of(o) -> int:
    """An order's contracts, signed as the position it opens: a buy +, a sell -."""
    return -o.size if o.side == OrderSide.ASK else o.size


def position_words(signed: int) -> str:
    """'long 2', 'short 2'."""
    return f"{'long' if signed > 0 else 'short'} {abs(signed)}"


REVERSAL = "reversal"       # progress key: reversal()'s words, said after "closed" (counted)


def reversal(ctx, orders, found) -> None:
    """A close_position whose closeContract was answered done, carried out by the broker
    after the trader reversed the position (long 1, the trader's sell of 2 while the close was
    held at the broker: the close then bought back the short 1). Among the orders its order
    search found in the call's window (found, CloseOrder; orders: what Order/search read), the
    trader's reversing order (on the closing side, larger than what was open: a closeContract
    takes exactly what is open) is never this close's (ctx.not_ours: risk counts it as the
    trader's trade), and the words of what happened are journaled (progress REVERSAL; said
    by close_position.counted): trial22a F2, where history and the "✅ Done" said only "MNQ
    closed". Only when the orders show both: the reversal, then a close of all it opened."""
    held, cid = ctx.command.held, ctx.command.contract_id
    if not held or not cid or ctx.progress.get("reversed"):
        return          # a later round read the reversal and closed it: _reversed says it
    if not any(c.contract_id == cid and c.worked and c.answered_ns for c in ctx.close_calls):
        return          # no call answered done: words() names what closed it (not_ours too)
    ids = {f.order_id for f in found if f.contract_id == cid}
    mine = sorted((o for o in orders if o.id in ids),
                  key=lambda o: (o.created_ns or 0, o.id))
    pos, theirs = held, None
    for o in mine:
        signed = -o.size if o.side == OrderSide.ASK else o.size
        closing = (signed > 0) != (pos > 0)
        if theirs is None and closing and o.size > abs(pos):
            theirs, opened = o, pos + signed
        elif theirs is not None and closing and o.size == abs(pos):
            when = showtime.start(theirs.created_ns or 0, ctx.zone, ctx.clock.now_ns())
            ctx.not_ours.add(theirs.id)
            ctx.save_progress(**{REVERSAL: (
                f"; it closed {position_words(opened)}: the trader's {_side(theirs.side)} of "
                f"{theirs.size} at {when} (order {theirs.id}) closed the "
                f"{position_words(held)} and opened {position_words(opened)} while this close "
                f"was in flight, and this close, carried out after it, closed that "
                f"{position_words(opened)}")})
            return
        pos += signed

