"""riskd's own exits: which fills are riskd's closes, not the trader's trades.

The broker's facts first: enforcement's final result names the broker orders its closes
created (CommandResult.close_orders, found by Order/search after the closes: services/
enforcement/closeorders.py); those on the side the command closes join `orders`
(take_orders), and every fill of them is riskd's whatever its timing or size. A new fill
that fits no exit, on the side of a close of riskd's whose result has not come (in_flight),
is held as riskd's (hold; saved with the exits: dump_pending) until that result:
its orders include the fill's -> riskd's; they do not (and no other close there is in
flight) -> the trader's, counted then (the engine's _close_orders); not known (the search
failed) -> riskd's. A flatten's window (from its issue to its result: Exit.sweep, saved) takes
a fill after a result that named no order, on a contract it had no exit for (claim_swept). A fill claimed by the expectations below (not by a named order) is
checked the same way (claimed): once every command whose exits it used has named its orders,
none of them the fill's, and no other close there is in flight (the last one answered decides,
whichever it is), it is the trader's (against_facts, the engine's _close_orders; its
order taken back: drop_order, its stored row deleted); a late exit's claim stays (its close
may be carried out after the search). A fill of an order claimed by its Order event alone
(claim_order: guessed) is checked so too. Before such a fill is given to the trader, an
earlier close's late exit that fits it as it came (late_fits) takes it (late_instead): riskd's
held close carried out on the trader's new position while riskd's next close was in flight. Held and claimed fills are saved (riskd_pending): a
kill -9 of risk between the fill and the result decides as with no restart. The expectations
still decide what those facts leave open, erring toward riskd's.

Enforcement closes with closeContract / partialCloseContract (a close retried after a lost
answer on an already flat position is a harmless PositionNotFound; a market order of our own
retried after a lost answer would open a reverse position). Those calls answer with no order
id, so risk also recognises the fills itself: whenever it issues a command that closes or reduces,
it records an expected exit per (account, contract): the closing side, the size, when it was
issued and the command id. A fill on that contract, on that side, no larger than what all
riskd's open exits there still expect together, arriving while a command is outstanding or
within WINDOW_NS after its final result, is riskd's (an exit used up is still remembered that
long, so the command's later results are known as the same command); its order id is then
riskd's too, so the order's later fills and Order events are riskd's. The store persists both
(they survive kill -9 and restarts), one row per exit: an exit is numbered when it is added
(Exit.n) and every exit added, changed or dropped since the store last wrote is listed in
`changed` (take_changes), so a commit writes what its step changed, not every exit of the
last 15 s (the headline bench: a locked trader's 500 breaches in 6 s; the JSON of all of
them took 0.7 ms of every breach's commit by the end).
Exits on one contract and side expect each contract once: a close (or flatten) covers the
whole position as it was issued (AccountState.furthest: whichever stream shows more), a reduce
the newest contracts it cuts; a command covering contracts an earlier exit expects takes them
over (a close, then a flatten: the same contracts), one covering others adds them (a close of
the first buy, then a reduce of the second: two). A fill uses up the exits it fits, whichever
command made it (trial 2026-12-05: a lockout's one closeContract closed the two contracts a
close and a reduce expected one each; its fill of 2 fitted neither and was counted as the
trader's trade), its own command's first (_of_its_command): the command whose result named
its order, or whose exits an earlier fill of that order used (order_cmd: one order is one
call's, one command's); else the command whose exits there alone expect exactly its size,
else the first whose exits alone expect at least that many; else (none fits alone) all of
them, the first to be forgotten first. order_cmd is saved as it changes (the store's
riskd_order_cmd: take_cmd_changes, load_order_cmds): a restart of risk between two fills of
one order, or between the result naming it and its fill, still gives the fill its command. A reduce's sell of 2 is the reduce's, not a held
close's one contract and one of the reduce's (trial18a: the reduce's other contract was left
expected, unmet, and read as a buy never made; the close's own sell as the trader's trade).
A close whose final result was done (closed) while its fills have not come yet still covers
the position it was issued for (closed_by): enforcement's result may come before the close's
Trade and Position, and a rule looking at the position in between must not close it again.
Until those fills come, the contracts a done exit still expects are worth what they were when
"done" came (`price`, the market's price then: the broker closed them about then), not every
later price (done_unfilled; services/risk/pnl.py): a reduce of 3 of 8 done, the next quote
valued all 8 and a loss rule saw the loss of contracts already closed.
A close whose answer enforcement never got, called again because the position still showed
its contracts, may be carried out by the broker after the command's result (flake17: a
partialCloseContract timed out, the second round cut 5 -> 4, the broker carried the first out
late, 5 -> 3, and that sell was counted as the trader's 6th trade of the minute). The result
lists such closes (CommandResult.unsettled) and each becomes a late exit (Exit.late) of its
command: its contracts on the closing side, expected for LATE_NS after the result rather than
WINDOW_NS (docs/rules.md "Whose trade it is": a trader's own close of that size meanwhile
counts as riskd's). Such a call's order exists at the broker only once it is carried out (the
sim creates it at the release of a held call), after enforcement's order search, so no order
names it: a late exit takes a fill of a market order (or one risk never saw) on its side that,
for a closeContract's, leaves the position flat (Exit.fits_late: the trader's stop, limit or
partial sell stays the trader's), and never an Order event by itself (claim_order). A fill it
took that the broker made after the command's result is a late-carried close (last_late; within
SKEW_NS of the result, when it closed a position opened after the command's: Exit.carried_late;
seen before the result, held for the command: own_late; flake24): the engine says it (services/risk/latecarried.py; trial18c section 1: the trader's next position,
closed 2 minutes later by riskd's held call, with no line anywhere).
A close of the whole position (closeContract, a flatten's) closes what is open when the broker
carries it out, also a position the trader reversed meanwhile (long 1, riskd's close held at
the broker, the trader's sell of 2: the close then buys 1; flip20). That fill is on the other
side of the close's exits: one that leaves the position flat while such a close is in flight
is held (reversing; hold) until the result, riskd's when the result names its order (on either
side: take_orders), and one taken after the result by a late exit of such a close is riskd's
late close (claim_reversed). Before, both were counted as the trader's trade; and a trader's
fill that opens a position (no PnL) is never a late exit's (it was taken for one when it opened
the other way from flat within LATE_NS: "leaves the position flat" read the book before it).
Whatever the command's end: a fill the broker made after the result of a command with a late
exit there is that late exit's, never one of its other exits, remembered WINDOW_NS after the
result (_spent; trial20b section 1: a FAILED close's own exit took the held call carried out
10 s after it, then the facts gave it to the trader: no late close said, history "FAILED").
A late exit is one call, carried out once: the first fill it takes spends it whole (_carried;
trial20c finding 1: sized 2 by the book at the result, it took the late call's sell of the
trader's 1, then the trader's own market sell of the next 1, named a late close again and
not counted). riskd never hears that the broker refused such a call (its answer was lost):
until it is spent or LATE_NS pass, it may still be carried out. One fill is one call's answer,
never two lost calls' at once (_one_call: a fill of 2 used up two lost closes sized 1 each,
and the second call, carried out 10 s later, was counted as the trader's trade). A command's
several lost calls on a contract (one per round that got no answer) are carried out in the
order they were sent, about as far apart: once one took a fill, each later one may still come
only that far behind it and WINDOW_NS more (_behind, Exit.until_ns), not for all of LATE_NS
(late20b's leftover: each lost call took the trader's own market close as riskd's for 2
minutes, once per call). A call the broker answered with an HTTP 5xx did what it did before
that answer: its late exit takes no fill the broker made more than latewords.ANSWERED_NS
after it, and is remembered WINDOW_NS after the result, not LATE_NS (Exit.may_take; trial25c
F8: the trader's own sell 5 s after such a cut was said as riskd's over-cut and not counted
as the trader's trade). The trader's orders seen gone while a late exit is alive
(not_market, gone_sizes) are saved with the held fills (dump_pending): the fill may come after
a restart of risk, whose book no longer lists the order.
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Callable, Optional

import attrs

from services.risk.counted import counted
from shared import latewords
from shared.clock import SKEW_NS
from shared.messages.market import ORDER_MARKET, SIDE_BUY, SIDE_SELL, Fill, OrderUpdate
from shared.trywords import decision_of

NS = 1_000_000_000
WINDOW_NS = 15 * NS            # after the command's final result
MAX_AGE_NS = 600 * NS          # an expectation never outlives this, result or not
LATE_NS = latewords.LATE_NS    # a late exit's (a lost close's) after the command's result


@attrs.define
class Exit:
    contract_id: str
    side: int                  # the side of the closing fill (SIDE_BUY / SIDE_SELL)
    size: int                  # contracts still expected
    issued_ns: int
    command_id: str
    done_ns: int = 0           # when the command's final result arrived (0: outstanding)
    closed: bool = False       # that result was done: the broker has closed what it expects
    whole: bool = False        # a close of all the position held at its issue (not a reduce)
    cut: bool = False          # a reduce's: it expects a number of contracts, not the position
    price: Optional[Decimal] = None   # the contract's price when the done result came
    # a top-up's (growth a reduce in flight cuts too): the size that reduce cuts down to.
    # Forgotten unmet (the growth came after enforcement's last read), a lockout covering
    # the contract cuts it there itself (RiskEngine.tick, LockoutBook.cut_to)
    down_to: Optional[int] = None
    # the position was seen flat since it was issued (a Position event, its fill still to
    # come): what it expects is no longer held, and a close of the position opened since
    # expects its own contracts beside it (trial14a: a buy reopened while locked, cut on its
    # Position, its close's expectation merged into the first close's, and riskd's second
    # closing fill was taken for the trader's trade)
    gone: bool = False
    # the broker's id of the position it closes, as risk's book held it at its issue (0: none
    # known): a position there with another id is a later one (earlier_position)
    position_id: int = 0
    # a close of the command whose answer was lost and whose effect enforcement never saw
    # (CommandResult.unsettled): the broker may carry it out after the result, so it is
    # remembered LATE_NS after it, not WINDOW_NS
    late: bool = False
    # a late exit's: when enforcement lost track of that close and how (LostCall.lost_ns,
    # .how: 'timed out', ...), for the words of its fill (shared/latewords.py)
    lost_ns: int = 0
    how: str = ""
    # a late exit's end when another lost call of its command there, sent before it, was
    # carried out first (behind): it comes about as far behind that one as it was sent, or
    # never (0: LATE_NS after the result)
    until_ns: int = 0
    # a late exit's: a close of its decision on this contract sent after it was answered done
    # (the result named that call's order: CloseOrder.answered). The broker carries calls out
    # in the order they came, so this one came before that close (closing nothing) or is held
    # out of order: a newer close's own lost call, not it, is the one carried out on a
    # position that newer close then found flat (late_before; trial21c finding 2)
    overtaken: bool = False
    # a late exit's (a reduce's cut): the broker order that is either this cut, carried out,
    # or the trader's own sell (LostCall.either; 0: none): its fill is the trader's once this
    # exit takes a fill (services/risk/eitherway.py)
    either: int = 0
    # a flatten's mark (contract '', size 0: sweep_mark): the flatten closes whatever the
    # account holds, contracts risk's book did not show too; its issue and its result are
    # the flatten's window (claim_swept). Cleared when the result names its orders (facts)
    sweep: bool = False
    # a late exit's: a position opened after the one its command was decided on was seen on
    # the contract (at its result, or its Position after it: earlier_position). Its command's
    # answered calls never close such a position: a fill of it is this lost call's, carried
    # out late, whatever the clocks say (carried_late)
    newer: bool = False
    # the other commands whose orders may close this exit's contracts, as at its issue (expect,
    # top_up; _also_by): those whose exits gave it contracts (a close, then a flatten of the
    # same position) and closes of the whole position still in flight (closeContract closes
    # what is open when the broker carries it out). A result of this command naming no order
    # there does not mean its contracts were never closed when one of them did (found_nothing,
    # _took_over). None: not known (an exit added otherwise, or a row saved before it was kept)
    also_by: Optional[tuple] = None
    n: int = attrs.field(default=0, eq=False, repr=False)   # its row in the store (RiskdExits)

    @property
    def overcut(self) -> bool:
        """A reduce's lost cut listed by a done result: riskd's next cut reached the target
        and enforcement's read after it did not show this one carried out, so a fill of it,
        however soon after that result (check23 N3: 0.3 s after the next cut, within the
        broker's clock skew of the result), cut contracts the limit allowed: a late reduce,
        said as riskd's over-cut (latecarried.py), never folded silently into the command."""
        return self.late and self.closed and not self.whole

    @property
    def answered(self) -> bool:
        """A late exit of a call the broker answered with an HTTP 5xx at lost_ns
        (latewords.answered): it acted, if at all, before that answer."""
        return self.late and bool(self.lost_ns) and latewords.answered(self.how)

    def may_take(self, fill_ns: int) -> bool:
        """May a fill the broker made at fill_ns be this exit's? Not a late exit's of a call
        the broker answered with a 5xx when made more than ANSWERED_NS after that answer
        (trial25c F8: the trader's own sell 5 s after riskd's next cut, 6 s after the cut
        answered HTTP 500, was taken as that cut carried out late, said as riskd's over-cut and
        not counted as the trader's trade)."""
        return not self.answered or fill_ns <= self.lost_ns + latewords.ANSWERED_NS

    def alive(self, now: int) -> bool:
        """Still remembered: its command is outstanding or finished within WINDOW_NS (a late
        exit: LATE_NS). A used-up exit stays known (knows()) so the command's later results
        are not taken as new."""
        if now - self.issued_ns > MAX_AGE_NS:
            return False
        if self.until_ns and now > self.until_ns + SKEW_NS:
            return False
        # a call answered with a 5xx is not carried out later: its fill, made before the
        # answer, is waited for as an answered close's (WINDOW_NS), not LATE_NS
        return self.done_ns == 0 or now - self.done_ns <= (
            LATE_NS if self.late and not self.answered else WINDOW_NS)

    def open_at(self, now: int) -> bool:
        return self.size > 0 and self.alive(now)

    def carried_late(self, fill: Fill, closes: tuple[int, int] = (0, 0)) -> bool:
        """Was a fill this late exit took made after its command's result? By the clocks when
        the broker made it more than SKEW_NS after that result; within SKEW_NS the clocks
        cannot tell, and the position it closed can (closes: the broker's opening time and id
        of the position held when it came, 0: not known): one opened after the position the
        command was decided on (shared/openedafter.py's test by the issue time; or another
        id) was never its answered calls' to close (services/enforcement/newerposition.py),
        only its lost call's, carried out late (flake24: the trader's buy 0.08 s before the
        result, the held call carried out 0.99 s after it; no late close said, the stop left
        working, once a wrongful trade_frequency_limit lockout)."""
        if not self.late or not self.done_ns:
            return False
        if fill.ts_ns > self.done_ns + SKEW_NS:
            return True
        return fill.ts_ns > self.done_ns - SKEW_NS \
            and (self.newer or self.newer_than(*closes))

    def newer_than(self, opened_ns: int, position_id: int) -> bool:
        """Is the position opened at opened_ns with the broker's id position_id (0: not known)
        a later one than the position this exit's command was decided on?"""
        return bool((opened_ns and opened_ns - self.issued_ns > SKEW_NS)
                    or (position_id and self.position_id and position_id != self.position_id))

    def fits_late(self, flat: bool, market: bool, order_size: Optional[int] = None) -> bool:
        """May a fill be this exit's? Any exit but a late one; a late one only for a fill of
        a market order (or one whose type risk never saw) that, for a closeContract's (whole),
        leaves the position flat: the close carried out late closes all that is open then,
        and a trader's stop, limit or partial sell is the trader's (docs/rules.md "Whose
        trade it is"). For a partialCloseContract's: an order of its size (order_size: the
        fill's order as its Order event named it, None: not seen): that call creates one
        order of exactly its contracts, so the trader's market sell of 1 while riskd's lost
        cut of 2 may still be carried out is the trader's."""
        if not self.late:
            return True
        if self.whole:
            return market and flat
        return market and (order_size is None or order_size == self.size)


def _spent(fill: Fill, exits: list[Exit]) -> list[Exit]:
    """The exits a fill may still be of: a finished command's other exits are left out when
    the broker made the fill after that command's result and a late exit of the command is
    among them (nothing of it but a call whose outcome was lost, Exit.late, can be carried out
    then). Those others are remembered WINDOW_NS after the result (a failed close's whole
    position, never closed), and took the late fill 10 s after a FAILED result without a word
    of a late close (trial20b section 1: enforcement killed -9 while its close was held at the
    broker; the held call, carried out 10 s after the resumed command gave up, read as
    nothing riskd had done). A late exit of a call the broker answered with a 5xx takes no
    fill made after that answer (Exit.may_take)."""
    exits = [e for e in exits if e.may_take(fill.ts_ns)]
    lates = {e.command_id for e in exits
             if e.late and e.done_ns and fill.ts_ns > e.done_ns + SKEW_NS}
    if not lates:
        return exits
    return [e for e in exits if e.late or not e.done_ns or e.command_id not in lates]


def _one_call(open_: list[Exit], size: int) -> list[Exit]:
    """The exits a fill of `size` may use, with at most one late exit among them: a late exit
    is one call, and one fill is one call's answer, never two lost calls' at once (a close of
    all that is open takes any size; a partial close's, at most its contracts). The first late
    exit that takes what the others leave (late exits come last: _open); none: none of them."""
    lates = [e for e in open_ if e.late]
    if len(lates) <= 1:
        return open_
    others = [e for e in open_ if not e.late]
    need = size - sum(e.size for e in others)
    one = next((e for e in lates if e.whole or e.size >= need), None)
    return others + ([one] if one is not None else [])


def closing_side(signed_position: int) -> int:
    return SIDE_SELL if signed_position > 0 else SIDE_BUY


@attrs.define
class RiskdExits:
    """One account's expected exits and the order ids known to be riskd's."""
    expected: list[Exit] = attrs.Factory(list)
    orders: set[int] = attrs.Factory(set)
    # the changes to the state dump_pending saves, counted per container (_PENDING_SLOTS;
    # services/risk/counted.py): [any change, then one count per slot]. Declared before
    # those containers: their assignments in __init__ are counted in it
    _ticket: list = attrs.field(factory=lambda: [0] * (len(_PENDING_SLOTS) + 1), init=False,
                                eq=False, repr=False)
    # dump_pending's last (ticket[0] as it was made, body); each part of it (_PARTS) with
    # the counts of the containers it was made of
    _dumped: tuple = attrs.field(default=(-1, ""), init=False, eq=False, repr=False)
    _parts: list = attrs.field(factory=lambda: [[None, ""] for _ in _PARTS], init=False,
                               eq=False, repr=False)
    # ticket[0] as the store last wrote this account's exits (mark_saved): a step that changed
    # what is saved leaves it behind (unsaved), whether or not its code marked the account
    _saved_at: int = attrs.field(default=-1, init=False, eq=False, repr=False)
    # exits added, changed (Exit) or dropped (None) since the store last wrote, by number
    changed: dict[int, Optional[Exit]] = attrs.field(factory=dict, eq=False, repr=False)
    last_n: int = attrs.field(default=0, eq=False, repr=False)
    # the last prune forgot a done command's exit that still expected contracts
    unmet: bool = attrs.field(default=False, eq=False, repr=False)
    # of them, top-ups: (contract, the size their reduce was to cut it down to, when added)
    unmet_cuts: list = attrs.field(factory=list, eq=False, repr=False)
    # how many exits are done (closed), priced and still expecting contracts: read on every
    # quote of every position (any_done_unfilled), kept as each exit changes (a scan of all
    # made the rules bench 3x slower)
    _n_done: int = attrs.field(default=0, eq=False, repr=False)
    # the exits still expecting contracts (size > 0), in order; None: to be listed again.
    # The fill and the close of every breach look for open exits (_open) three times before
    # the decision is published, and a used-up exit is remembered 15 s: a locked trader's 500
    # breaches in 6 s made each look a scan of ~500 exits (docs/performance.md "Round 13")
    _sized: Optional[list] = attrs.field(default=None, eq=False, repr=False)
    _sized_of: Optional[list] = attrs.field(default=None, eq=False, repr=False)  # of `expected`
    # the exits whose command has no final result yet (done_ns == 0), in order; None: to be
    # listed again. A locked trader's every fill asks whether a close is in flight on its
    # side (in_flight), and a settled exit is remembered 15 s: the headline bench's 500
    # breaches made each ask a scan of ~500 exits, ~0.1 ms of risk's step by the end, on
    # the path to the close (docs/performance.md "Round 20")
    _out: Optional[list] = attrs.field(default=None, eq=False, repr=False)
    _out_of: Optional[list] = attrs.field(default=None, eq=False, repr=False)  # of `expected`
    # the exits the last fill claimed used up (claim_fill; closed_earlier)
    last_used: list = attrs.field(factory=list, eq=False, repr=False)
    # fills held as riskd's until a command in flight says whose they are (hold; by trade id:
    # the contract and side they close). Saved with the exits (dump_pending): a restart
    # between the fill and the command's result decides as if none came
    held: dict = attrs.field(factory=dict, eq=False, repr=False)
    # order ids a command's final result named (take_orders: the broker's facts), and the
    # commands whose result named them all (orders_known); not saved
    facts: set = attrs.field(factory=set, eq=False, repr=False)
    known_cmds: set = attrs.field(factory=set, eq=False, repr=False)
    # the late exit (Exit.late) of the close the broker carried out after its command's
    # result that the last fill claimed was (claim_fill): risk says so (shared/latewords.py)
    last_late: Optional[Exit] = attrs.field(default=None, eq=False, repr=False)
    # orders seen as the trader's kind (not market: a stop, a limit) that are no longer
    # working, while a late exit is alive: order id -> when seen gone. Their fill is never a
    # late close's (Exit.fits_late); the fill may come after the order's last Order event.
    # Saved with the exits (dump_pending): the fill may come after a restart of risk, whose
    # book no longer lists the order
    not_market: dict = attrs.field(factory=dict, eq=False, repr=False)
    # market orders no longer working, while a late exit is alive: order id -> (its size,
    # when seen gone). A lost cut's late exit takes only an order of its size (Exit.fits_late).
    # Saved as not_market (late20b's leftover: after a restart the trader's market sell of 1,
    # its Order event seen before it, was taken for a lost cut of 2)
    gone_sizes: dict = attrs.field(factory=dict, eq=False, repr=False)
    # fills claimed by expectation, not by a named order, and whose commands' results have
    # not all named their orders: trade id -> (contract, side, their command ids). A command
    # whose named orders leave the fill out makes it the trader's (the engine's
    # _close_orders). Saved with the exits (dump_pending), with the commands of known_cmds
    # they name
    claimed: dict = attrs.field(factory=dict, eq=False, repr=False)
    # order ids taken back from `orders` (against_facts, the engine's _close_orders) since the
    # store last wrote: their rows are deleted (take_dropped)
    dropped: set = attrs.field(factory=set, eq=False, repr=False)
    # order ids added to `orders` (_own) since the store last wrote: their rows are inserted
    # (take_added), not found by comparing every order id of the day at each commit (round 22)
    added: set = attrs.field(factory=set, eq=False, repr=False)
    # order id -> the command it is known to be of (a result named it, or a fill of it used that
    # command's exits first): its fills use that command's exits first (_of_its_command).
    # Saved (the store's riskd_order_cmd, one row per order, written as it changes:
    # take_cmd_changes): a fill after a restart of risk is claimed by its own command's order,
    # not by the size rule (exits19's leftover)
    order_cmd: dict = attrs.field(factory=dict, eq=False, repr=False)
    # (command id, contract id): the command's final result named an order of its own there
    # (take_orders): found_nothing leaves an exit that took that command's contracts over.
    # Saved (the store's riskd_named_on, one row per pair, written as it changes: a pair per
    # close remembered, ~200 in the headline bench, was most of dump_pending's body, encoded
    # again at two commits of every breach: round 23), in the commit of the result's step:
    # a flatten (several contracts) whose result named its order on one, then risk restarted
    # before the other command's result came, still covers it (_closed_there; before, only a
    # command of one contract with an order of its own, order_cmd, stood for it after a
    # restart)
    named_on: set = attrs.field(factory=set, eq=False, repr=False)
    # order ids whose command changed (the command) or was forgotten (None) since the store
    # last wrote
    cmd_changed: dict = attrs.field(factory=dict, eq=False, repr=False)
    # held fills (hold) on the other side of the whole close they wait for: a close of a
    # position the trader reversed meanwhile (trade id -> its order id). Saved with `held`
    reversing: dict = attrs.field(factory=dict, eq=False, repr=False)
    # orders a whole close's result named on the other side of its exits (order id -> the
    # command): a fill of one that leaves the position flat is riskd's close of the reversed
    # position (claim_reversed). Not saved, as `facts`
    reversed_orders: dict = attrs.field(factory=dict, eq=False, repr=False)
    # order ids a result named as made by a call of its command the broker answered done
    # (CloseOrder.answered): that call's own fill, never an earlier close's carried out late
    # (late_before). Not saved, as `facts`: asked in the step of that result
    answered: set = attrs.field(factory=set, eq=False, repr=False)
    # the flatten's mark whose window claim_swept last took a fill by (the engine then takes
    # the earlier parts of that close: Engine._swept_parts). Not saved: read in that step
    last_swept: Optional[Exit] = attrs.field(default=None, eq=False, repr=False)
    # fills claimed or held for a command in flight (claimed, held) while an earlier close's
    # late exit was alive: trade id -> (flat, market, order size) as at the fill's arrival,
    # what Exit.fits_late asks. When that command's result rules the fill out (its call
    # found no position, its orders leave it out), an earlier close carried out late takes
    # it before the trader does (late_instead; trial21c 1b). Saved with the held fills
    late_fits: dict = attrs.field(factory=dict, eq=False, repr=False)
    # market orders claim_order took for riskd's by expectation alone (a working Order event
    # on the closing side while a close is expected there), not by a result naming them:
    # order id -> the commands whose exits it fit. Their fills are claimed by expectation and
    # checked against the facts as any such fill (claimed); a result of those commands that
    # names all their orders, not this one, gives it back (guesses_against_facts). Saved with
    # the held fills (dump_pending). Trial22a F1: the trader's own market sell of the whole
    # position, its Order event first, while riskd's close was in flight, stayed riskd's
    # after that close's result named no order (it found no position): never counted
    guessed: dict = attrs.field(factory=dict, eq=False, repr=False)

    def __setattr__(self, name, value):
        slot = _PENDING_SLOTS.get(name)
        if slot is not None:
            old = getattr(self, name, None)
            if old is not None and old == value:
                return          # the same content: nothing to write again (prune's, 10/s)
            value = counted(self._ticket, slot, value)
            self._ticket[0] += 1
            self._ticket[slot] += 1
        object.__setattr__(self, name, value)

    def __attrs_post_init__(self):
        self._saved_at = self._ticket[0]     # nothing held yet: as a store without rows

    def mark_saved(self) -> None:
        """The store wrote (or read back) all this account's saved state."""
        self._saved_at = self._ticket[0]

    def unsaved(self) -> bool:
        """Has a change to what the store keeps (the exits, riskd's order ids, the orders'
        commands, dump_pending's containers, named_on) not been written yet? The engine asks
        after each event of the account and each prune: a step that changed it without
        marking the account (Outcome.exits) would leave it unwritten, and a restart after a
        kill -9 would load a state risk did not run with (pending24: a fill claimed by
        expectation and taken back, against_facts, dropped its guessed order unsaved)."""
        return self._ticket[0] != self._saved_at or bool(
            self.changed or self.dropped or self.added or self.cmd_changed)

    def _live(self) -> list[Exit]:
        sized = self._sized
        if sized is None or self._sized_of is not self.expected:
            sized = self._sized = [e for e in self.expected if e.size > 0]
            self._sized_of = self.expected
        return sized

    def _outstanding(self) -> list[Exit]:
        """The exits whose command is still without its final result (done_ns == 0)."""
        out = self._out
        if out is None or self._out_of is not self.expected:
            out = self._out = [e for e in self.expected if e.done_ns == 0]
            self._out_of = self.expected
        return out

    def has_live(self) -> bool:
        """Does an exit of riskd's still expect contracts (a close, reduce or flatten sent or
        done, its fills not all in)?"""
        return bool(self._live())

    def _add(self, e: Exit) -> None:
        self.last_n += 1
        e.n = self.last_n
        self.expected.append(e)
        self.changed[e.n] = e
        if self._sized is not None and e.size > 0:
            self._sized.append(e)
        if self._out is not None and e.done_ns == 0:
            self._out.append(e)

    def _keep(self, kept: list[Exit]) -> None:
        """Only these exits are expected from now on; the others are dropped."""
        left = {id(e) for e in kept}
        for e in self.expected:
            if id(e) not in left:
                self.changed[e.n] = None
                self._n_done -= _done_unfilled(e)
        self.expected = kept
        self._sized = None
        if self._out is not None:       # what is left of it (not every exit listed again)
            self._out = [e for e in self._out if id(e) in left]
            self._out_of = kept

    def take_changes(self) -> dict[int, Optional[Exit]]:
        """The exits to write (None: delete its row) since the last call (the store's)."""
        if not self.changed:
            return {}       # nothing assigned: an assignment is a call here (__setattr__)
        changed, self.changed = self.changed, {}
        return changed

    def expect(self, contract_id: str, signed_position: int, size: Optional[int],
               command_id: str, now: int, down_to: Optional[int] = None,
               position_id: int = 0) -> None:
        """down_to: the lockout's cut of growth put on a reduce in flight that cuts down to
        that size (Exit.down_to); position_id: the book's position there (Exit.position_id)."""
        if signed_position == 0:
            return
        side, held, open_ = self._closable(contract_id, signed_position, now)
        n = held if size is None else min(size, held)
        before = sum(e.size for e in open_)
        # the union of what is already expected (the oldest contracts) and what this covers
        # (all of them, or the newest n): the overlap moves to this exit, which lives longest
        union = max(before, held) if size is None else max(before, min(held, before + n))
        took = self._use(open_, before + n - union)
        self._add(Exit(contract_id, side, n, now, command_id, whole=n == held,
                       cut=size is not None, down_to=down_to, position_id=position_id,
                       also_by=_also_by(command_id, took, open_)))

    def _closable(self, contract_id: str, signed_position: int,
                  now: int) -> tuple[int, int, list[Exit]]:
        """(closing side, contracts of the position a new command can still close, the open
        exits not done yet there). Contracts a done close or reduce still expects fills for
        are closed at the broker already: no command can close them, and they keep the price
        they were closed at (done_unfilled) rather than move to an exit whose fills are still
        to come."""
        side, held = closing_side(signed_position), abs(signed_position)
        open_ = self._open(contract_id, side, now)
        held -= min(held, sum(e.size for e in open_ if e.closed and not e.gone))
        return side, held, [e for e in open_ if not e.closed and not e.gone and not e.late]

    def flat_seen(self, contract_id: str, now: int) -> None:
        """The broker's position on the contract is flat: the exits still expecting fills
        there expect contracts no longer held (gone)."""
        for e in self._live():
            if e.contract_id == contract_id and not e.gone and e.open_at(now):
                e.gone = True
                self.changed[e.n] = e

    def earlier_position(self, contract_id: str, opened_ns: int, position_id: int,
                         now: int) -> bool:
        """The position held on the contract opened at opened_ns (the broker's clock) and has
        the broker's id position_id (0: not known): the exits there issued more than SKEW_NS
        before it, or for a position of another id, expect the contracts of an earlier
        position, one that went flat while risk did not see it (risk restarted or market
        reconnected in between, their fills still to come): they are gone, as flat_seen makes
        them (chaos run at 10a8c0b, the selflock story: the self-lockout's flatten of 2 sent,
        riskd killed -9 and started again, the trader's buy of 1 while locked took one of the
        flatten's 2 for its own close, and the flatten's fill of 2, seen last, was counted as
        the trader's 3rd trade of the minute). True when one changed."""
        hit = False
        for e in self._live():
            if e.contract_id == contract_id and not e.gone and e.open_at(now) \
                    and e.newer_than(opened_ns, position_id):
                e.gone = hit = True
                e.newer = e.late        # a lost call's fill on it is late (carried_late)
                self.changed[e.n] = e
        return hit

    def adopt(self, contract_id: str, position_id: int, now: int) -> bool:
        """The Position event of the position held on the contract came (the broker's id
        position_id): the exits there issued with no position id known (0: the book was flat,
        the fill that opened this position came first), not gone (earlier_position, asked
        before, leaves them for this position), are this position's. Without it a close
        issued on a Trade before its Position read, once done and filled, as a close of the
        next position there (closed_by), only when its Trade had come first (order21). True
        when one changed."""
        hit = False
        if not position_id:
            return hit
        for e in self._live():
            if e.contract_id == contract_id and not e.position_id and not e.gone \
                    and e.open_at(now):
                e.position_id, hit = position_id, True
                self.changed[e.n] = e
        return hit

    def top_up(self, contract_id: str, signed_position: int, target: int, command_id: str,
               now: int) -> bool:
        """A reduce in flight (command_id) cuts the position down to `target` whenever
        enforcement reads it: every contract above the target that riskd's exits do not
        expect yet is expected of it (the position grew since it was issued). Asked again on
        the same position, it adds nothing. True when it added."""
        if signed_position == 0:
            return False
        side, held, open_ = self._closable(contract_id, signed_position, now)
        more = held - target - sum(e.size for e in open_)
        if more <= 0:
            return False
        self._add(Exit(contract_id, side, more, now, command_id, whole=False, cut=True,
                       down_to=target, also_by=_also_by(command_id, [], open_)))
        return True

    def note(self, command_id: str, now: int) -> None:
        """Remember a command that closes nothing risk knows of (an admin's flatten of a flat
        account): it expects no fill, but its later results are the same command."""
        if not self.knows(command_id):
            self._add(Exit("", SIDE_BUY, 0, now, command_id))

    def rebase(self, contract_id: str, signed_position: int, command_id: str,
               now: int, grown: int = 0, side: int = SIDE_SELL) -> None:
        """What command_id (a flatten) will close on a contract is now this position: a fill
        seen late made it (replaces the command's earlier expectation on the contract).
        grown: the contracts that fill opened. With the book flat there now, or holding a
        later position than the flatten's (its exits gone: the flatten's close showed before
        this fill did, a snapshot lists positions before its fills), the flatten's exits there
        stay, and expect that growth too: its fill, still to come, closed it (replaced by the
        later position's size, or dropped when flat, the flatten's fill was counted as the
        trader's trade). The price: when the Position had shown that growth before the
        flatten was issued (its exits expect it already), one contract too many is expected
        for WINDOW_NS. side: the side that closes what the fill opened."""
        mine = [e for e in self._live() if e.command_id == command_id
                and e.contract_id == contract_id and e.open_at(now)]
        if signed_position == 0 or (mine and all(e.gone for e in mine)):
            if mine and grown > 0:
                mine[-1].size += grown
                self.changed[mine[-1].n] = mine[-1]
            elif grown > 0:         # its exits there used up: the growth is expected anew
                self._add(Exit(contract_id, side, grown, now, command_id, whole=True,
                               gone=True))
            return
        self._keep([e for e in self.expected
                    if not (e.command_id == command_id and e.contract_id == contract_id)])
        self.expect(contract_id, signed_position, None, command_id, now)

    def grow_closed(self, contract_id: str, fill_side: int, size: int, now: int,
                    made_ns: int = 0) -> bool:
        """A trader's opening fill of an earlier position (one the book no longer holds: it is
        flat, or holds a later one), seen only now, while riskd's close of all of that
        position still expects fills (its exits gone: the position was seen flat or
        replaced): that close closed this fill's contracts too, and its fill is that much
        larger (a restarted risk read the flatten's position as 2; the trader's buy, made
        before the flatten ran, came in a snapshot after the position reopened since, and the
        flatten's fill of 3 was counted as the trader's trade). A close whose result came
        before the fill was made (made_ns, the broker's time, less SKEW_NS) was carried out
        already and closed nothing bought after it (order21: a close that found nothing,
        the trader's reversal closed by the cooldown's flatten, took the trader's next buy
        of 3, 1.5 s later, as contracts it closed: they were valued at its price, and
        daily_net_loss flattened in one event order only). True when it grew."""
        closing = [e for e in self._live() if e.contract_id == contract_id and e.whole
                   and e.gone and e.side != fill_side and e.open_at(now)
                   and not (made_ns and e.done_ns and made_ns > e.done_ns + SKEW_NS)]
        if not closing:
            return False
        e = max(closing, key=lambda e: e.issued_ns)
        e.size += size
        self.changed[e.n] = e
        return True

    def closes_on(self, command_id: str, side: int) -> bool:
        """Does the command close with fills of this side (an exit of it has that side)?"""
        return any(e.command_id == command_id and e.side == side for e in self.expected)

    def closes_on_contract(self, command_id: str, contract_id: str, side: int) -> bool:
        """Does the command close on this contract with fills of this side?"""
        return any(e.command_id == command_id and e.contract_id == contract_id
                   and e.side == side for e in self.expected)

    def expects_of(self, command_id: str, contract_id: str, now: int) -> int:
        """Contracts the command's open exits on this contract still expect."""
        return sum(e.size for e in self._live() if e.command_id == command_id
                   and e.contract_id == contract_id and e.open_at(now))

    def knows(self, command_id: str) -> bool:
        return any(e.command_id == command_id for e in self.expected)

    def settle(self, command_id: str, now: int, closed: bool = False,
               price_of: Optional[Callable[[str], Optional[Decimal]]] = None) -> bool:
        """The command's final result arrived (closed: it was done; price_of(contract): the
        price then, what the contracts it still expects are worth until their fills come)."""
        hit = False
        for e in self._outstanding():
            if e.command_id == command_id and e.done_ns == 0:
                e.done_ns, e.closed, hit = now, closed, True
                if closed and price_of is not None and e.contract_id:
                    e.price = price_of(e.contract_id)
                self._n_done += _done_unfilled(e)
                self.changed[e.n] = e
        if hit and self._out is not None:
            self._out = [e for e in self._out if e.done_ns == 0]
        return hit

    def unsettled(self, command_id: str, calls, now: int,
                  held_of: Callable[[str], int],
                  opened_of: Callable[[str], tuple[int, int]] = lambda cid: (0, 0)) -> bool:
        """The command's final result lists closes whose outcome is unknown (calls: LostCall,
        CommandResult.unsettled): each is expected as a late exit of the command on the side
        its exits there close (a closeContract's: held_of(contract), the book's position
        there, at least 1); opened_of(contract): the opening time and id of the position held
        there (a later one than the command's: Exit.newer). True when one was added."""
        hit = False
        for call in calls:
            mine = [e for e in self.expected if e.command_id == command_id
                    and e.contract_id == call.contract_id]
            if not mine:
                continue
            size = call.size or max(1, abs(held_of(call.contract_id)))
            self._add(Exit(call.contract_id, mine[-1].side, size, mine[-1].issued_ns,
                           command_id, done_ns=now, closed=mine[-1].closed,
                           whole=not call.size,
                           position_id=mine[-1].position_id, late=True,
                           lost_ns=getattr(call, "lost_ns", 0) or 0,
                           how=getattr(call, "how", "") or "",
                           either=getattr(call, "either", 0) or 0))
            late = self.expected[-1]
            late.newer = late.newer_than(*opened_of(call.contract_id))
            hit = True
        return hit

    def done_expecting(self, command_id: str) -> bool:
        """Is this command done (closed) with fills of it still expected? (Asked at every
        done close: among the open exits, not every exit of the last 15 s.)"""
        return any(e.command_id == command_id and e.closed and e.size > 0
                   for e in self._live())

    def any_done_unfilled(self) -> bool:
        """Does any done close or reduce still expect fills (priced)? O(1)."""
        return self._n_done > 0

    def done_unfilled(self, contract_id: str, signed_position: int,
                      since_ns: int = 0) -> list[tuple[int, Decimal]]:
        """(contracts, the price when done came) that riskd's done closes and reduces of this
        position (issued at or after since_ns) still expect fills for, oldest first: the broker
        has closed them, their PnL is about that price's until the fills say exactly. A
        forgotten exit (pruned WINDOW_NS after its result) expects nothing."""
        if signed_position == 0 or not self.any_done_unfilled():
            return []
        side = closing_side(signed_position)
        return [(e.size, e.price) for e in self.expected
                if _done_unfilled(e) and e.contract_id == contract_id and e.side == side
                and e.issued_ns >= since_ns]

    def closed_by(self, contract_id: str, signed_position: int, since_ns: int,
                  now: int, position_id: int = 0) -> str:
        """The command whose close of this position has finished (done) while its fill is
        still on the way, issued at or after since_ns (when the position opened and last
        grew): its exits still expect all of it, or it closed all of it and a later command
        expects its contracts now (a flatten decided in the same step took them over; chaos
        run 2026-12-06: the close done, the next quote closed the position again). '' when
        none (the position grew since, or flipped, or its fills came and what is open is
        another position, or the close's result is older than WINDOW_NS). position_id: the
        broker's id of the position held (0: not known): a close issued for a position of
        another id that was seen flat since (gone) or whose fills came (used up) closed an
        earlier position, never this one (_closed_earlier)."""
        if signed_position == 0:
            return ""
        need = abs(signed_position)
        side = closing_side(signed_position)
        done = [e for e in self.expected if e.contract_id == contract_id and e.side == side
                and e.closed and e.issued_ns >= since_ns and e.alive(now)
                and not _closed_earlier(e, position_id)]
        expecting = [e for e in done if e.size > 0]
        if expecting and need <= sum(e.size for e in expecting):
            return max(expecting, key=lambda e: e.done_ns).command_id
        # a close of all of it whose contracts a later command expects now: their fills
        # are still on the way (used up by fills, the position open now is another one)
        whole = [e for e in done if e.whole]
        still = sum(e.size for e in self._open(contract_id, side, now))
        if whole and abs(signed_position) <= still:
            return max(whole, key=lambda e: e.done_ns).command_id
        return ""

    def reducing(self, contract_id: str, signed_position: int, since_ns: int,
                 now: int) -> tuple[int, str]:
        """(contracts riskd's reduces of this position still expect, the newest command among
        them): what the reduces issued at or after since_ns (the position's opening, less the
        clock skew) will still take away from it, their fills not seen yet. (0, '') when none.
        A close's exits are not counted (its command in flight stands for it)."""
        if signed_position == 0:
            return 0, ""
        side = closing_side(signed_position)
        open_ = [e for e in self._open(contract_id, side, now)
                 if e.cut and e.issued_ns >= since_ns]
        if not open_:
            return 0, ""
        return sum(e.size for e in open_), max(open_, key=lambda e: e.issued_ns).command_id

    def closing_in_flight(self, contract_id: str, signed_position: int, since_ns: int,
                          now: int) -> int:
        """Contracts of this position riskd's closes and reduces issued at or after since_ns
        (the position's opening, less the clock skew) are closing now, their commands still
        without a result: what the trader will no longer hold once they are done (the warnings
        of the size rules read the account so: engine _maybe_warn). A late exit (a lost
        close's, after its command's result) or one of a position seen flat since (gone) is
        not counted: it may never be carried out."""
        if signed_position == 0:
            return 0
        side = closing_side(signed_position)
        return sum(e.size for e in self._live() if e.contract_id == contract_id
                   and e.side == side and e.done_ns == 0 and not e.gone and not e.late
                   and e.issued_ns >= since_ns and e.open_at(now))

    def done_expected(self, contract_id: str, signed_position: int, now: int) -> int:
        """Contracts of this position riskd's done (closed) closes and reduces still expect
        fills for, priced or not (a position seen flat since left out: gone)."""
        side = closing_side(signed_position)
        return sum(e.size for e in self._open(contract_id, side, now)
                   if e.closed and not e.gone)

    def expected_on(self, contract_id: str, now: int) -> int:
        """How many contracts riskd's exits still expect to close on this contract (either
        side), those of a position seen flat since (gone) left out."""
        return sum(e.size for e in self._live() if e.contract_id == contract_id
                   and not e.gone and e.open_at(now))

    def expecting(self, contract_id: str, now: int) -> bool:
        """Do riskd's exits still expect fills on this contract (either side)?"""
        return any(e.contract_id == contract_id and e.open_at(now) for e in self._live())

    def _open(self, contract_id: str, side: int, now: int) -> list[Exit]:
        """The exits still expecting contracts here, the first to be forgotten first (those
        whose command has finished, then the oldest outstanding); late exits (closes that
        may still be carried out) last: a fill of riskd's closes uses its own first. Of the
        late ones, a cut that may have been carried out already (Exit.either: its result
        could not tell it from the trader's own sell) comes after those known not to have
        been: a fill is the lost cut riskd knows is still out before it is one that may have
        landed (round 24: reduce B's held cut, landing after B's next cut, was taken by an
        earlier reduce A's 'either' window, A's own cut then counted as the trader's trade,
        and B's cut left listed took the trader's own sell a minute later as another
        over-cut)."""
        return sorted((e for e in self._live() if e.contract_id == contract_id
                       and e.side == side and e.open_at(now)),
                      key=lambda e: (e.late, bool(e.late and e.either), e.done_ns == 0,
                                     e.done_ns or e.issued_ns))

    def _use(self, exits: list[Exit], n: int) -> list[Exit]:
        """Use up n contracts of these exits, in order; the exits it took from."""
        used = []
        for e in exits:
            if n <= 0:
                return used
            take = min(n, e.size)
            if take:
                used.append(e)
                was = _done_unfilled(e)
                e.size -= take
                self._n_done -= was - _done_unfilled(e)
                self.changed[e.n] = e
                if e.size <= 0 and self._sized is not None:
                    self._sized = [x for x in self._sized if x is not e]
            n -= take
        return used

    def _match(self, contract_id: str, side: int, size: int, now: int,
               flat: bool = False, market: bool = True,
               fill: Optional[Fill] = None,
               order_size: Optional[int] = None) -> Optional[list]:
        """The open exits a closing fill or order of this size fits in together (None: none);
        a late one only as Exit.fits_late says; of a fill, only those it may still be of
        (_spent)."""
        open_ = self._open(contract_id, side, now)
        if fill is not None:
            open_ = _spent(fill, open_)
        open_ = _one_call([e for e in open_ if e.fits_late(flat, market, order_size)], size)
        return open_ if open_ and size <= sum(e.size for e in open_) else None

    def late_before(self, fill: Fill, command_id: str, issued_ns: int,
                    now: int, prefer: str = "", overtaken: bool = True,
                    fits: Optional[tuple] = None) -> Optional[Exit]:
        """fill, a market close that command_id's exits took, when that command's own close
        got no answer (its result: the first call timed out, then the position was found
        flat): the late exit of an earlier command that fits it (its call sent before
        command_id was issued, its command finished before the broker made the fill), which
        then takes it (the broker carries calls out in the order they came: the earlier call,
        held longer, first; the later one then finds nothing). None when none fits.
        Trial20b section 1, second run: the killed enforcement's held close, carried out 6 s
        after a newer decision's close was sent (held too), was credited to that newer close
        ("MNQ is flat: closed, though the close got no answer"), never said late.
        A fill whose order command_id's result named as made by a call of it the broker
        answered done (answered) is that call's: one fill is one call's (trial21c finding 1:
        a retry's round 2 closed MNQ, its round 1 held at the broker, and its fill was said
        as the failed first attempt's lost call carried out late, besides "done on the 2nd
        attempt").
        prefer: a decision whose lost calls go first (the engine's _unsent_late: the FAILED
        close whose retry waits, not an older episode's lost call; trial21c finding 3: that
        call was named while the failed close ended "closed outside riskd"). overtaken:
        False: a lost call sent before an answered close of its decision (Exit.overtaken) is
        left out (the engine's _late_of_an_earlier_close: the newer close's own lost call came
        after it; trial21c finding 2: both were named for one trader's sell).
        fits: (flat, market, order size) of the fill, as Exit.fits_late asks them (None: not
        asked: a fill the command's own exits took as a market close; late_instead)."""
        if fill.order_id is not None and fill.order_id in self.answered \
                and self.order_cmd.get(fill.order_id) == command_id:
            return None
        open_ = self._open(fill.contract_id, fill.side, now)
        if prefer:
            open_ = sorted(open_, key=lambda e: decision_of(e.command_id) != prefer)
        for e in open_:
            if e.late and e.command_id != command_id and e.done_ns \
                    and (overtaken or not e.overtaken) \
                    and fill.ts_ns > e.done_ns + SKEW_NS and e.issued_ns < issued_ns \
                    and (e.whole or fill.size <= e.size) \
                    and (fits is None or e.fits_late(*fits)) and e.may_take(fill.ts_ns):
                self._carried(self._use([e], fill.size), fill.ts_ns)
                if fill.order_id is not None:
                    self._bind(fill.order_id, e.command_id)
                return e
        return None

    def note_late_fit(self, fill: Fill, flat: bool, market: bool,
                      order_size: Optional[int], now: int) -> bool:
        """The fill was just claimed or held for a command in flight (claimed, held) while a
        late exit is alive, or it closes (its command's own lost call, listed by the result
        still to come, may take it: own_late): keep what Exit.fits_late asks of it, as now
        (late_fits). True when kept (to be saved)."""
        if fill.trade_id not in self.claimed and fill.trade_id not in self.held:
            return False
        if not self.has_late(now) and fill.pnl is None:
            return False
        self.late_fits[fill.trade_id] = (flat, market and fill.pnl is not None
                                         and fill.order_id not in self.not_market, order_size)
        return True

    def own_overcut(self, fill: Fill, command_id: str, now: int, market: bool,
                    order_size: Optional[int]) -> Optional[Exit]:
        """The fill claimed or held for command_id, which that command's done result has just
        ruled out (its orders leave it out), is that command's own lost cut the result lists
        as unsettled (Exit.overcut: a market order of exactly its size): carried out after
        riskd's next cut, its fill reaching risk before the result (check23 N3's window: the
        cut landed a fraction of a second after the next one; it was counted as the trader's
        trade). It takes it, riskd's over-cut. None when none fits."""
        for e in self._open(fill.contract_id, fill.side, now):
            if e.command_id == command_id and e.overcut and e.size == fill.size \
                    and e.may_take(fill.ts_ns) \
                    and e.fits_late(False, market and fill.pnl is not None
                                    and fill.order_id not in self.not_market, order_size):
                return self._took_late(e, fill)
        return None

    def _took_late(self, e: Exit, fill: Fill) -> Exit:
        """The late exit e takes fill, its command's own lost call carried out: used up
        (_carried), the fill's order riskd's, of that command."""
        self._carried(self._use([e], fill.size), fill.ts_ns)
        if fill.order_id is not None:
            self._bind(fill.order_id, e.command_id)
            self._own(fill.order_id)
        return e

    def own_late(self, fill: Fill, command_id: str, now: int) -> Optional[Exit]:
        """The fill claimed or held for command_id, which that command's done result has just
        ruled out (its orders leave it out): its own lost close (a closeContract's late exit)
        when that fill closed a position opened after the one the command was decided on
        (Exit.newer) and was made within SKEW_NS of the result (carried_late): the command's
        answered calls never close such a position (flake24: the held call carried out 1 s
        after the result, its Trade reaching risk before it; counted as the trader's trade).
        It takes it, riskd's late close (what Exit.fits_late asks of the fill as it came:
        late_fits, kept by note_late_fit). None when none fits."""
        fits = self.late_fits.pop(fill.trade_id, None)
        if fill.pnl is None or fits is None:
            return None
        for e in self._open(fill.contract_id, fill.side, now):
            if e.command_id == command_id and e.whole and e.newer and e.may_take(fill.ts_ns) \
                    and e.fits_late(*fits) and e.carried_late(fill):
                return self._took_late(e, fill)
        return None

    def withdrawn_late(self, fill: Fill, command_id: str, now: int) -> Optional[Exit]:
        """The fill claimed or held for command_id, whose `withdrawn` result lists its closes
        as still out (CommandResult.unsettled: enforcement's order search found no order of
        them, so nothing of the command was carried out before it): a market close of all
        that was open when it came (the late exit's fits_late, as the fill came: late_fits)
        is one of those calls carried out between that search and this result, riskd's late
        close (trial25b F0: a close withdrawn by an unlock while held at the broker). None
        when none fits: the trader's."""
        fits = self.late_fits.pop(fill.trade_id, None)
        if fill.pnl is None or fits is None:
            return None
        for e in self._open(fill.contract_id, fill.side, now):
            if e.command_id == command_id and e.late and e.whole and e.fits_late(*fits):
                return self._took_late(e, fill)
        return None

    def late_instead(self, fill: Fill, command_id: str, now: int) -> Optional[Exit]:
        """The fill claimed or held for command_id, whose final result has just ruled it out
        (its orders, all named, leave it out: its call found no position, or closed with
        another order): the late exit of an earlier close of riskd's that fits it (a market
        close of all that was open when it came, made after that close's command finished,
        its call sent before command_id's: late_before) takes it, riskd's late close. None
        when none fits: the trader's. Trial21c 1b (2 of 2): riskd's held close, carried out by
        the broker on the trader's new position while riskd's next close of that position was
        in flight (whose call then found no position), was said only "closed by a market sell
        ..., not this close" and counted as the trader's trade, never as the late close the
        docs promise."""
        fits = self.late_fits.get(fill.trade_id)
        if fits is None:
            return None
        issued = min((e.issued_ns for e in self.expected
                      if e.command_id == command_id and not e.sweep), default=0)
        if not issued:
            return None
        late = self.late_before(fill, command_id, issued, now, fits=fits)
        if late is not None:
            self.late_fits.pop(fill.trade_id, None)
            if fill.order_id is not None:
                self._own(fill.order_id)
        return late

    def _carried(self, used: list[Exit], fill_ns: int) -> None:
        """The late exits among `used` took a fill: each is one call (a closeContract's) the
        broker has carried out now, closing all that was open then; it is carried out once, so
        it is used up whole, whatever it still expected (sized by the book at the result, 2
        where the call closed the trader's 1 bought since). A later fill is never its
        (trial20c finding 1: a call carried out already, named as having carried out the
        trader's own market sell, which then went uncounted). A partial close's is used up by
        its fill as any exit. The command's other lost calls there come behind it (behind)."""
        spent = [e for e in used if e.late and e.whole and e.size > 0]
        if spent:
            self._use(spent, sum(e.size for e in spent))
        for e in used:
            if e.late:
                self._behind(e, fill_ns)

    def _behind(self, first: Exit, fill_ns: int) -> None:
        """`first`, a lost call, was carried out at fill_ns (the broker's time of its fill): the
        same command's other lost calls on that contract were sent after it (a later round's),
        and the broker carries calls out in the order they came, about as far apart as they
        were sent. Each may still be carried out only that far behind fill_ns (the gap between
        the two give-ups, lost_ns) and WINDOW_NS more for the broker's pace, not for all of
        LATE_NS: after that it came (on a flat position, closing nothing) or never will. Before,
        each lost call took a trader's own market close as riskd's for 2 minutes, once per
        call (late20b's leftover)."""
        for e in self._live():
            if e is first or not e.late or e.command_id != first.command_id \
                    or e.contract_id != first.contract_id:
                continue
            gap = max(0, e.lost_ns - first.lost_ns) if e.lost_ns and first.lost_ns else 0
            until = fill_ns + gap + WINDOW_NS
            if not e.until_ns or until < e.until_ns:
                e.until_ns = until
                self.changed[e.n] = e

    def has_late(self, now: int) -> bool:
        """Is a late exit (a close that may still be carried out) still expected?"""
        return any(e.late and e.open_at(now) for e in self._live())

    def gone_order(self, order: OrderUpdate, now: int) -> bool:
        """An order no longer works: one of the trader's kind (not market) is remembered
        while a late exit is alive, so its fill coming after it is not taken for a late
        close (not_market); a market order's size too (gone_size: a lost cut's late exit
        takes only an order of its size). True when remembered (to be saved: dump_pending)."""
        if not self.has_late(now):
            return False
        if order.type != ORDER_MARKET:
            self.not_market = {o: t for o, t in self.not_market.items()
                               if now - t <= LATE_NS}
            self.not_market[order.order_id] = now
        else:
            self.gone_sizes = {o: st for o, st in self.gone_sizes.items()
                               if now - st[1] <= LATE_NS}
            self.gone_sizes[order.order_id] = (order.size, now)
        return True

    def gone_size(self, order_id: Optional[int]) -> Optional[int]:
        """The size of a market order no longer working, as its Order events named it
        while a late exit was alive (gone_order); None when not seen."""
        st = self.gone_sizes.get(order_id) if order_id is not None else None
        return st[0] if st is not None else None

    def claim_fill(self, fill: Fill, now: int, flat: bool = False,
                   market: bool = True, order_size: Optional[int] = None,
                   closes: tuple[int, int] = (0, 0)) -> bool:
        """Is this (new) fill riskd's? It uses up that many expected contracts, its own
        command's first (_of_its_command), then whichever of riskd's commands on the contract
        (one closeContract closes what a close and a reduce before it expected, and the
        command that finds it flat closes nothing).
        flat: the broker's position there is flat already (its Position came first). Then a
        close of the whole position on its way (a close or a flatten) claims the fill whatever
        its size: closeContract closes all it finds, and the position had grown by fills risk
        saw only after it, or never acted on (the trader's buys while locked, in the snapshot
        of a restarted risk that lists the flat position before the fills; the flatten's fill
        of 4 against the 2 expected was counted as the trader's trade). A trader's sell larger
        than expected that leaves a position (a flip) stays the trader's. The price: the
        trader's own close of it all, larger than riskd expects, while riskd's close is on its
        way (its close then finds nothing), counts as riskd's.
        market: False when the fill's order is known to be of the trader's kind (a stop, a
        limit): no late exit takes it (Exit.fits_late); order_size: its order's size as an
        Order event named it (None: not seen; a lost cut's late exit takes only an order of
        its size). A fill a late exit took, made by the
        broker after that exit's command had finished, is a late-carried close: last_late
        (closes: the opening time and id of the position held when the fill came, for a fill
        within SKEW_NS of the result: Exit.carried_late)."""
        ours = fill.order_id is not None and fill.order_id in self.orders \
            and (fill.order_id not in self.guessed or fill.order_id in self.facts)
        guess = self.guessed.pop(fill.order_id, None) if fill.order_id is not None else None
        named = ours
        # a late exit takes only a fill that closes something (the broker gives its PnL): a
        # close carried out late never opens, and the trader's sell opening a short after
        # riskd's lost close of a long is the trader's (flip20: the position was flat before
        # it, so it read as "leaves the position flat")
        market = market and fill.order_id not in self.not_market and fill.pnl is not None
        open_ = self._match(fill.contract_id, fill.side, fill.size, now, flat, market, fill,
                            order_size)
        if open_ is None and flat:
            whole = _one_call([e for e in _spent(fill, self._open(fill.contract_id, fill.side,
                                                                  now))
                               if e.fits_late(flat, market, order_size)], fill.size)
            open_ = whole if any(e.whole for e in whole) else None
        self.last_used, self.last_late = [], None
        if not ours and open_ is None:
            if guess is not None:
                self.drop_order(fill.order_id)      # no close of riskd's takes it
            return False
        self.last_used = self._use(
            self._of_its_command(fill, open_ or self._open(fill.contract_id, fill.side, now),
                                 flat), fill.size)
        used = self.last_used
        self._carried(used, fill.ts_ns)
        # only late exits, none of a close riskd still expects (its own fill, larger than
        # expected, is that close's), made by the broker after the command's result (a
        # reduce's over-cut whenever it lands: Exit.overcut)
        if used and all(e.late and (e.overcut or e.carried_late(fill, closes))
                        for e in used):
            self.last_late = max(used, key=lambda e: e.done_ns)
        if used and fill.order_id is not None and fill.order_id not in self.order_cmd:
            self._bind(fill.order_id, used[0].command_id)
        cmds = frozenset(e.command_id for e in used)
        if not named and fill.order_id is not None and used \
                and not any(e.late for e in used) \
                and (any(e.done_ns == 0 for e in used) or cmds <= self.known_cmds):
            # by expectation, not by an order known as riskd's: checked against the orders
            # its commands' results name (a result risk saw before a restart is not known:
            # its claim stays riskd's)
            self.claimed[fill.trade_id] = (fill.contract_id, fill.side, cmds)
        if fill.order_id is not None:
            self._own(fill.order_id)
        return True

    def others_late(self, late: Exit, fill: Fill, now: int) -> list[Exit]:
        """The other lost closes of riskd's (late exits of other decisions) that the fill the
        late exit `late` took may as well be, oldest call first: still remembered, on its
        contract and side, made after their command was issued, of a size the call takes (a
        close of the whole position any; a cut exactly its own) and not ruled out by a 5xx
        answered before it (may_take). The broker carries out one call per fill, and its order
        does not say whose call it was: the note names each (check25 item 1: the note named
        the close sent at 17:54:28 where the one carried out was sent at 17:55:46)."""
        return sorted((e for e in self._live() if e.late and e is not late
                       and decision_of(e.command_id) != decision_of(late.command_id)
                       and e.contract_id == fill.contract_id and e.side == late.side
                       and e.open_at(now) and e.may_take(fill.ts_ns)
                       and fill.ts_ns >= e.issued_ns - SKEW_NS
                       and (e.whole or e.size == fill.size)),
                      key=lambda e: (e.lost_ns or e.issued_ns, e.command_id))

    def _whole_against(self, contract_id: str, fill_side: int, now: int) -> list[Exit]:
        """riskd's closes of the whole position on this contract (not reduces) whose exits
        close on the other side of fill_side, still remembered: a close of them the broker
        carries out after the trader reversed the position fills on fill_side."""
        return [e for e in self.expected if e.contract_id == contract_id and e.whole
                and not e.cut and e.side != fill_side and e.alive(now)]

    def reversing_in_flight(self, contract_id: str, fill_side: int, now: int) -> bool:
        """A fill on fill_side that leaves the position flat: may it be a whole close of
        riskd's still without its result, carried out after the trader reversed the position
        (hold it, reversing: the result names its order or not)?"""
        return any(e.done_ns == 0 for e in self._whole_against(contract_id, fill_side, now))

    def reversed_close(self, fill: Fill) -> bool:
        """The fill's order is one a whole close's result named on the other side (it closed
        the position the trader reversed meanwhile: reversed_orders), and the fill leaves the
        position flat: riskd's, whoever's exits took it first (check22: cooldown_after_loss's
        flatten, decided on the trader's reversing sell, claimed the close's buy and, naming no
        order itself, gave it to the trader)."""
        if fill.pnl is None or fill.order_id not in self.reversed_orders:
            return False
        self._own(fill.order_id)
        return True

    def claim_reversed(self, fill: Fill, now: int, market: bool = True) -> bool:
        """A fill that leaves the position flat, on the other side of riskd's whole close: the
        close's order named by its result (reversed_orders), or (a market order) taken by a
        late exit of such a close, still expecting its contracts: the broker carried it out
        late, after the trader reversed the position. riskd's; a late one is last_late.
        market: as claim_fill's (a late exit takes only a market order's closing fill)."""
        self.last_used, self.last_late = [], None
        if fill.pnl is None:
            return False            # it opens: a close never does
        market = market and fill.order_id not in self.not_market
        cmd = self.reversed_orders.get(fill.order_id) if fill.order_id is not None else None
        if cmd is not None:
            self._own(fill.order_id)
            return True
        if not market:
            return False
        late = [e for e in self._whole_against(fill.contract_id, fill.side, now)
                if e.late and e.open_at(now) and e.may_take(fill.ts_ns)]
        if not late:
            return False
        self.last_used = self._use(late, late[0].size)
        self._behind(late[0], fill.ts_ns)
        if fill.ts_ns > late[0].done_ns + SKEW_NS:
            self.last_late = late[0]
        if fill.order_id is not None:
            self._bind(fill.order_id, late[0].command_id)
            self._own(fill.order_id)
        return True

    def _of_its_command(self, fill: Fill, open_: list[Exit], flat: bool) -> list[Exit]:
        """The open exits a fill uses up, its own command's first (docs/rules.md "Whose trade it
        is"): the command whose result named the fill's order, or whose exits an earlier fill
        of that order used (order_cmd: one order is one command's call); otherwise the command
        whose exits there alone expect exactly the fill's size, else the first whose exits
        alone expect at least that many (a reduce's sell of 2 is the reduce's, not a close's
        one expected contract and one of the reduce's: trial18a); flat, a close of the whole
        position first. None alone fits: all of them, the first to be forgotten first (one
        closeContract closing what a close and a reduce expected one each)."""
        cmd = self.order_cmd.get(fill.order_id) if fill.order_id is not None else None
        if cmd is None:
            of: dict[str, int] = {}
            # a command whose result named all its orders, none of them this fill's, did not
            # make it (against_facts would take the claim back): another command's exits
            # that fit go first (order21: a close that found nothing, its contracts still
            # expected, took riskd's next close's fill of the same size, which then read as
            # the trader's trade, only when that fill's Position had come first)
            ruled = set() if fill.order_id is None or fill.order_id in self.facts \
                else self.known_cmds
            for e in open_:
                if e.command_id not in ruled or e.late:
                    of[e.command_id] = of.get(e.command_id, 0) + e.size
            fits = ([c for c, n in of.items() if n == fill.size]
                    or [c for c, n in of.items() if n >= fill.size])
            if not fits and flat:
                fits = [e.command_id for e in open_ if e.whole]
            cmd = fits[0] if fits else None
        if cmd is None:
            return open_
        return ([e for e in open_ if e.command_id == cmd]
                + [e for e in open_ if e.command_id != cmd])

    def in_flight(self, contract_id: str, side: int, now: int,
                  but: str = "") -> bool:
        """Is a command of riskd's that closes on this contract with fills of this side still
        without its final result (command `but` left out)? Its close orders are not known yet:
        a fill of that side may be its, whatever its size (hold)."""
        return any(e.contract_id == contract_id and e.side == side and e.done_ns == 0
                   and e.command_id != but and e.alive(now) for e in self._outstanding())

    def use_named(self, fill: Fill, now: int) -> None:
        """A fill held while riskd's close was in flight (hold), whose order that close's
        result named (facts, order_cmd): riskd's, and it uses up what that command's exits
        there still expect, as claim_fill does for its fill coming after the result. Trial23c
        F4: the trader's own sell of 1 had used 1 of a cut's 2 (claimed; the result gave it
        to the trader, the exits it used stay used); riskd's sell of 2 came before the result,
        fit the 1 left of none, and was held; named, it used nothing, and the 1 left stayed
        expected as done and unfilled until forgotten 15 s later: live_size read the long 1
        left as flat ("🟢 MNQ: no position held in it now", max_contracts 0/2)."""
        cmd = self.order_cmd.get(fill.order_id) if fill.order_id is not None else None
        if cmd is None:
            return
        self._use([e for e in self._open(fill.contract_id, fill.side, now)
                   if e.command_id == cmd and not e.late], fill.size)

    def hold(self, fill: Fill, reversing: bool = False) -> None:
        """A new fill on the closing side of a command in flight that fits none of riskd's
        exits: riskd's until that command's result names its orders (CommandResult
        .close_orders; the engine then keeps it riskd's or gives it to the trader).
        reversing: it is on the other side, leaving flat a position the trader reversed while
        a whole close was in flight (reversing_in_flight): held on that close's side."""
        side = fill.side
        if reversing:
            side = SIDE_SELL if fill.side == SIDE_BUY else SIDE_BUY
            self.reversing[fill.trade_id] = fill.order_id
        self.held[fill.trade_id] = (fill.contract_id, side)

    def against_facts(self, fill: Fill, now: int) -> bool:
        """The fill just claimed by expectation fits only exits of commands whose results have
        named all their orders already, none of them the fill's: it is not riskd's after all
        (the claim is taken back; the exits it used stay used)."""
        claim = self.claimed.get(fill.trade_id)
        if claim is None:
            return False
        cid, side, cmds = claim
        if not cmds <= self.known_cmds or any(
                e.command_id in cmds and e.done_ns == 0 for e in self._outstanding()):
            return False
        del self.claimed[fill.trade_id]
        self.drop_order(fill.order_id)
        return True

    def _own(self, order_id: int) -> None:
        """The order is riskd's: remembered, its row written by the store's next commit
        (take_added)."""
        if order_id not in self.orders:
            self.orders.add(order_id)
            self.added.add(order_id)

    def take_added(self) -> set:
        """The order ids made riskd's since the last call (the store inserts their rows)."""
        if not self.added:
            return set()
        added, self.added = self.added, set()
        return added

    def new_day(self) -> None:
        """A trading day starts: an order lives one trading day (the store deletes every
        order's row at the roll), so none is riskd's and none waits to be written."""
        self.orders.clear()
        self.added.clear()

    def drop_order(self, order_id: Optional[int]) -> None:
        """The order is not riskd's after all (a claim taken back): forgotten, its stored row
        too (take_dropped)."""
        self.guessed.pop(order_id, None)
        if order_id is not None and order_id in self.orders:
            self.orders.discard(order_id)
            if order_id in self.added:      # never written: nothing to delete
                self.added.discard(order_id)
            else:
                self.dropped.add(order_id)
        if order_id is not None:
            self.guessed.pop(order_id, None)
        if order_id is not None and self.order_cmd.pop(order_id, None) is not None:
            self.cmd_changed[order_id] = None

    def _bind(self, order_id: int, command_id: str) -> None:
        """The order is known to be this command's (order_cmd), to be written (cmd_changed)."""
        if self.order_cmd.get(order_id) != command_id:
            self.order_cmd[order_id] = command_id
            self.cmd_changed[order_id] = command_id

    def take_cmd_changes(self) -> dict:
        """order id -> its command (None: its row deleted) since the last call (the store's)."""
        if not self.cmd_changed:
            return {}
        changed, self.cmd_changed = self.cmd_changed, {}
        return changed

    def load_order_cmds(self, rows) -> None:
        """The store's (order id, command id) rows after a restart: those of commands whose
        exits are still remembered (loaded before), as before the restart."""
        alive = {e.command_id for e in self.expected}
        self.order_cmd = {o: c for o, c in rows if c in alive}
        self.cmd_changed = {}

    def take_dropped(self) -> set:
        """The order ids taken back since the last call (the store deletes their rows)."""
        if not self.dropped:
            return set()
        dropped, self.dropped = self.dropped, set()
        return dropped

    def dump_pending(self) -> str:
        """What the broker's facts still have to settle, as the store keeps it ('' when
        nothing): the held fills, the fills claimed by expectation, and which of their
        commands' results named all their orders already (known_cmds); the orders seen gone
        while a late exit is alive (not_market, gone_sizes); what an earlier close's late exit
        asks of the fills claimed or held (late_fits); the orders taken by expectation
        (guessed). named_on is saved apart, a row per pair (the store's riskd_named_on;
        named_version); a body of earlier versions that has it is still read (load_pending).
        Made again only after a change (the store asks at every commit of a step that
        touched the exits, every breach's), and then only the parts whose containers changed:
        the same text as one json.dumps of the whole (round 23)."""
        ticket = self._ticket
        at, body = self._dumped
        if ticket[0] == at:
            return body
        if not self.held and not self.claimed and not self.not_market and not self.gone_sizes \
                and not self.guessed:
            body = ""
        else:
            texts = []
            for (name, slots, make), part in zip(_PARTS, self._parts):
                at = tuple([ticket[i] for i in slots])
                if part[0] != at:
                    part[0], part[1] = at, f'"{name}": {json.dumps(make(self))}'
                texts.append(part[1])
            body = "{" + ", ".join(texts) + "}"
        self._dumped = (ticket[0], body)
        return body

    def named_version(self) -> int:
        """A count of the changes to named_on: the same count, the same pairs (the store
        writes its rows only after a change)."""
        return self._ticket[_PENDING_SLOTS["named_on"]]

    def load_named(self, pairs) -> None:
        """The store's riskd_named_on rows (command id, contract id) after a restart: those of
        commands whose exits are still remembered (loaded before), as load_pending's."""
        alive = {e.command_id for e in self.expected}
        self.named_on |= {(c, k) for c, k in pairs if c in alive}

    def load_pending(self, body: str) -> None:
        """dump_pending's, read back after a restart (named_on: a body of earlier versions)."""
        if not body:
            return
        d = json.loads(body)
        self.held = {t: (c, s) for t, c, s in d.get("held", [])}
        self.reversing = {t: o for t, o in d.get("reversing", [])}
        self.claimed = {t: (c, s, frozenset(k)) for t, c, s, k in d.get("claimed", [])}
        self.known_cmds |= set(d.get("known", []))
        self.not_market = {o: t for o, t in d.get("not_market", [])}
        self.gone_sizes = {o: (n, t) for o, n, t in d.get("gone_sizes", [])}
        alive = {e.command_id for e in self.expected}
        self.named_on = {(c, k) for c, k in d.get("named_on", []) if c in alive}
        # rows from before 'late_fits': none (such a fill is the trader's, as then)
        self.late_fits = {t: (fl, m, n) for t, fl, m, n in d.get("late_fits", [])}
        self.guessed = {o: frozenset(k) for o, k in d.get("guessed", [])}

    def take_orders(self, command_id: str, close_orders, flatten: bool = False) -> set[int]:
        """The command's final result names the broker orders its closes created: those on
        the side its exits close on their contract are riskd's, whenever their fills come.
        A flatten closes whatever the broker held, on contracts risk's book did not show too
        (in-suite chaos test 2026-12-07: risk, killed before it committed the trader's buy of
        2, decided the self-lockout's flatten with no NQ exit; its sell of 2, named in the
        result, came after it and was counted as the trader's trade, the trader's next buy
        then the third of the minute: a cooldown). There, its order is riskd's when it is the
        only side listed on the contract (a trader's order in the call's window on the other
        side leaves both to the expectations). The ids new to riskd's."""
        new = set()
        held_orders = {o for t, o in self.reversing.items() if t in self.held}
        sides: dict[str, set[int]] = {}
        for o in close_orders:
            sides.setdefault(o.contract_id, set()).add(o.side)
        for o in close_orders:
            unseen = flatten and len(sides[o.contract_id]) == 1 and not any(
                e.command_id == command_id and e.contract_id == o.contract_id
                for e in self.expected)
            if any(e.command_id == command_id and e.contract_id == o.contract_id
                   and e.side != o.side and e.whole and not e.cut for e in self.expected):
                # a whole close's order on the other side: it closed a position the trader
                # reversed meanwhile; riskd's for a fill that leaves the position flat (one
                # held so, or one still to come: claim_reversed)
                self.reversed_orders[o.order_id] = command_id
                if o.order_id not in held_orders:
                    continue
            if unseen or any(e.command_id == command_id and e.contract_id == o.contract_id
                             and (e.side == o.side or o.order_id in held_orders)
                             for e in self.expected):
                self.facts.add(o.order_id)
                if getattr(o, "answered", False):
                    self.answered.add(o.order_id)
                    self._overtaken(command_id, o.contract_id)
                self._bind(o.order_id, command_id)
                self.named_on.add((command_id, o.contract_id))
                if o.order_id not in self.orders:
                    self._own(o.order_id)
                    new.add(o.order_id)
        return new

    def _overtaken(self, command_id: str, contract_id: str) -> None:
        """A call of command_id on the contract was answered done: the lost calls of its
        decision there (its own earlier rounds, the FAILED tries before it) were sent before
        it (Exit.overtaken)."""
        decision = decision_of(command_id)
        for e in self._live():
            if e.late and not e.overtaken and e.contract_id == contract_id \
                    and decision_of(e.command_id) == decision:
                e.overtaken = True
                self.changed[e.n] = e

    def sweep_mark(self, command_id: str, now: int) -> None:
        """A flatten is issued: its window is remembered (Exit.sweep), saved with the exits,
        as long as the flatten's exits are (WINDOW_NS after its result)."""
        self._add(Exit("", SIDE_BUY, 0, now, command_id, sweep=True))

    def named(self, command_id: str) -> bool:
        """The command's result named all its orders: the facts say which fills are its, not
        its window (claim_swept). True when its mark changed (to be saved)."""
        hit = False
        for e in self.expected:
            if e.command_id == command_id and e.sweep:
                e.sweep, hit = False, True
                self.changed[e.n] = e
        return hit

    def claim_swept(self, fill: Fill, now: int, closes_all: Callable[[], bool],
                    traders: Callable[[], bool]) -> bool:
        """Is this new fill, fitting no exit, a flatten's close of a contract risk's book did
        not show when the flatten was issued (a buy risk saw only after a restart, or late)?
        It is when the broker made it within a finished flatten's window (from its issue to
        its result, SKEW_NS either side) whose result named no orders (the order search
        failed), it closes all that is open there (closes_all: a flatten's closeContract
        closes all), riskd has no other exit on the contract, and nothing says it is the
        trader's (traders: its order is of the trader's kind, a stop or a limit, or was
        placed before the flatten). In-suite chaos test 2026-12-07, the result first: the
        flatten's sell of the trader's buy was counted as the trader's trade, the trader's
        next buy then the third of the minute (a cooldown). The price: the trader's own
        market close of all of such a contract made in that window is riskd's.
        closes_all and traders are asked only when the cheaper checks pass: the trader's
        opening fill (no pnl) never pays for them (traders walks the exits: round 22)."""
        if fill.pnl is None or not closes_all() or traders() \
                or self.expecting(fill.contract_id, now):
            return False
        for e in self.expected:
            if e.sweep and e.done_ns and e.alive(now) and self.in_window(e, fill.ts_ns):
                self.take_swept(fill, e)
                self.last_swept = e
                return True
        return False

    def take_swept(self, fill: Fill, e: Exit) -> None:
        """The fill is the close of e's flatten (its window): its order is riskd's."""
        if fill.order_id is not None:
            self._bind(fill.order_id, e.command_id)
            self._own(fill.order_id)

    @staticmethod
    def in_window(e: Exit, ts_ns: int) -> bool:
        """Made in the window of e's flatten (from its issue to its result, SKEW_NS either
        side)."""
        return e.issued_ns - SKEW_NS <= ts_ns <= e.done_ns + SKEW_NS

    def found_nothing(self, command_id: str, close_orders, now: int) -> bool:
        """The command's final result named all its orders (orders_known) and no call of it
        whose outcome was lost: on a contract where it named none, its close found nothing to
        close (the position was flat when the broker carried it out), and no fill of it will
        come. Its exits there expect nothing more (order21: a held close that found the
        trader's reversal already closed kept its 3 contracts expected 15 s; the trader's next
        buy was taken for contracts it had closed, valued at its price, and daily_net_loss
        flattened in one event order only). True when one changed.
        Not an exit that took its contracts over from an earlier command there still closing
        them or done closing them (took_over): that command's order closed them, its fill is
        still to come (chaos run 2026-12-07: a close and a flatten decided in one step, the
        flatten's result named no RTY order, nothing expected RTY any more, and the first
        quote of a restarted market closed the flat position again). Only a command whose order
        could close e's contracts (Exit.also_by): an earlier reduce of the position done and
        filled before e was issued closed none of them (round 24's event-order model:
        max_contracts' reduce of NQ, filled, then daily_unrealized_loss's close held at the
        broker found the trader's reversal closed by the cooldown's flatten; its exit stayed
        expected, was valued at its price, and the trader's next buy of 4 read as a -1,180
        open loss: daily_net_loss locked the account until the roll in one event order only)."""
        named = {o.contract_id for o in close_orders}
        hit = False
        for e in self._live():
            if e.command_id == command_id and e.contract_id not in named and not e.late \
                    and e.open_at(now) and not self._took_over(e, now):
                self._use([e], e.size)
                hit = True
        return hit

    def _took_over(self, e: Exit, now: int) -> bool:
        """Another command's close there whose order could close e's contracts (Exit.also_by;
        not known: any issued before e), on its side, of the same position (not gone), still
        in flight, or done with an order of its own there: e's contracts are (or were) that
        one's too, and its fill is still to come. (One done that found nothing there either
        expects nothing: order21.)"""
        return any(o.command_id != e.command_id and o.contract_id == e.contract_id
                   and (e.also_by is None or o.command_id in e.also_by)
                   and o.side == e.side and o.issued_ns <= e.issued_ns and not o.gone
                   and not o.late and o.alive(now)
                   and (o.done_ns == 0 or (o.closed and self._closed_there(o)))
                   for o in self.expected)      # its contracts moved to e: used up, known

    def _closed_there(self, o: Exit) -> bool:
        """o's command named an order of its own on o's contract (named_on), or (after a
        restart) it has an order of its own and closes no other contract."""
        if (o.command_id, o.contract_id) in self.named_on:
            return True
        return o.command_id in self.order_cmd.values() and all(
            x.contract_id == o.contract_id for x in self.expected
            if x.command_id == o.command_id and not x.sweep)

    def closed_earlier(self, position_id: int) -> bool:
        """The fill just claimed used up only exits issued for another position than the one
        of the broker's id position_id, the book's now (gone, position_id): it closed an
        earlier position, one a snapshot or a reconnect replaced before its fills came."""
        used = self.last_used
        # a late exit's close closes what is open when the broker carries it out: the
        # position held now, whatever position its command was issued for
        return bool(position_id and used) and not any(e.late for e in used) and all(
            e.gone and e.position_id and e.position_id != position_id for e in used)

    def claim_order(self, order: OrderUpdate, now: int) -> bool:
        """A new market order on the closing side while an exit is expected is riskd's."""
        if order.order_id in self.orders:
            return True
        if order.type != ORDER_MARKET:
            return False
        # a late exit is not matched by an order: its fill decides (Exit.fits_late: a
        # trader's partial sell is the trader's, a close of all that is open may be riskd's)
        open_ = [e for e in self._open(order.contract_id, order.side, now) if not e.late]
        if not open_ or order.size > sum(e.size for e in open_):
            return False
        self._own(order.order_id)
        # by expectation: its fill is checked against the facts (guessed)
        self.guessed[order.order_id] = frozenset(e.command_id for e in open_)
        return True

    def guesses_against_facts(self) -> bool:
        """The orders claim_order took by expectation whose every command has named all its
        orders since, none of them this one, and none is still in flight: not riskd's (their
        fill, still to come, is the trader's). True when one changed."""
        hit = False
        for oid, cmds in list(self.guessed.items()):
            if oid in self.facts:
                del self.guessed[oid]
                hit = True
            elif cmds <= self.known_cmds and not any(
                    e.command_id in cmds for e in self._outstanding()):
                self.drop_order(oid)
                hit = True
        return hit

    def prune(self, now: int) -> bool:
        before = len(self.expected)
        gone = [e for e in self.expected if not e.alive(now) and e.size > 0 and e.closed]
        self.unmet = bool(gone)
        self.unmet_cuts = [(e.contract_id, e.down_to, e.issued_ns) for e in gone
                           if e.down_to is not None]
        remembered = [e for e in self.expected if e.alive(now)]
        if len(remembered) != before:
            # only when one is forgotten: the lists kept beside them (_live, _outstanding)
            # stay as they are at the ticks that forget nothing (10 a second)
            self._keep(remembered)
        if self.order_cmd and len(self.expected) != before:
            alive = {e.command_id for e in self.expected}
            kept = {o: c for o, c in self.order_cmd.items() if c in alive}
            for o in self.order_cmd.keys() - kept.keys():
                self.cmd_changed[o] = None
            self.order_cmd = kept
            self.answered &= kept.keys()
        if self.named_on and len(self.expected) != before:
            alive = {e.command_id for e in self.expected}
            self.named_on = {n for n in self.named_on if n[0] in alive}
        if self.reversed_orders:
            alive = {e.command_id for e in self.expected}
            self.reversed_orders = {o: c for o, c in self.reversed_orders.items() if c in alive}
        if self.guessed:        # a guess outliving its commands stays riskd's
            alive = {e.command_id for e in self.expected}
            self.guessed = {o: c for o, c in self.guessed.items() if c & alive}
        if self.known_cmds or self.claimed or self.held:
            # what the facts still have to settle, for commands riskd still remembers; a
            # claim or hold outliving them stays riskd's
            alive = {e.command_id for e in self.expected}
            self.known_cmds &= alive
            self.claimed = {t: c for t, c in self.claimed.items() if c[2] & alive}
            self.held = {t: h for t, h in self.held.items()
                         if any(e.contract_id == h[0] and e.side == h[1] and e.done_ns == 0
                                for e in self.expected)}
            self.reversing = {t: o for t, o in self.reversing.items() if t in self.held}
        if self.late_fits:          # asked only of a fill still claimed or held
            self.late_fits = {t: f for t, f in self.late_fits.items()
                              if t in self.held or t in self.claimed}
        # the orders seen gone matter only while a late exit is alive (gone_order)
        cleared = bool(self.not_market or self.gone_sizes) and not self.has_late(now)
        if cleared:
            self.not_market, self.gone_sizes = {}, {}
        return len(self.expected) != before or cleared

    # -- persistence (the store keeps these as JSON rows) ----------------------------------
    def dump(self) -> list[dict]:
        return [dump_exit(e) for e in self.expected]

    def load(self, rows: list[dict], orders, numbers: Optional[list[int]] = None) -> None:
        """rows: dump_exit's, in the order they were added; numbers: their rows' numbers in
        the store (None: numbered afresh, every one to be written)."""
        # rows from before 'whole': a reduce; from before 'cut': not counted as one; from
        # before 'price': valued at the latest price, as then; from before 'down_to': none;
        # from before 'position_id': not known (0); from before 'late': not late; from before
        # 'lost_ns' and 'how': not known (0, ''); from before 'until_ns': LATE_NS (0); from
        # before 'overtaken': not (False); from before 'either': none (0); from before 'newer':
        # not seen (False); from before 'also_by': not known (None: any earlier close there,
        # as then)
        self.expected = [Exit(**{**r, "price": None if r.get("price") is None
                                 else Decimal(r["price"]),
                                 "also_by": None if r.get("also_by") is None
                                 else tuple(r["also_by"])})
                         for r in rows]
        self.orders = set(orders)
        self.added = set()          # the store's rows, written already
        self.changed = {}
        self._sized = None
        self._out = None
        self._n_done = sum(_done_unfilled(e) for e in self.expected)
        if numbers is None:
            numbers = list(range(1, len(rows) + 1))
            self.changed = dict(zip(numbers, self.expected))
        for e, n in zip(self.expected, numbers):
            e.n = n
        self.last_n = max(numbers, default=0)


# the containers dump_pending saves, each counted in its slot of RiskdExits._ticket
_PENDING_SLOTS = {name: n for n, name in enumerate(
    ("held", "reversing", "claimed", "known_cmds", "not_market", "gone_sizes", "named_on",
     "late_fits", "guessed"), start=1)}


def _slots(*names: str) -> tuple[int, ...]:
    return tuple(_PENDING_SLOTS[n] for n in names)


def _known(r: RiskdExits) -> list:
    cmds = set().union(*(c[2] for c in r.claimed.values()), *r.guessed.values())
    return sorted(r.known_cmds & cmds)


# dump_pending's body, part by part in its order: (its key, the containers it is made of,
# how); a part is encoded again only after one of them changed. named_on is not in it: its
# rows are the store's riskd_named_on
_PARTS = (
    ("held", _slots("held"), lambda r: sorted([t, c, s] for t, (c, s) in r.held.items())),
    ("reversing", _slots("reversing", "held"),
     lambda r: sorted([t, o] for t, o in r.reversing.items() if t in r.held)),
    ("claimed", _slots("claimed"),
     lambda r: sorted([t, c, s, sorted(k)] for t, (c, s, k) in r.claimed.items())),
    ("known", _slots("known_cmds", "claimed", "guessed"), _known),
    ("not_market", _slots("not_market"),
     lambda r: sorted([o, t] for o, t in r.not_market.items())),
    ("gone_sizes", _slots("gone_sizes"),
     lambda r: sorted([o, n, t] for o, (n, t) in r.gone_sizes.items())),
    ("late_fits", _slots("late_fits", "held", "claimed"),
     lambda r: sorted([t, fl, m, n] for t, (fl, m, n) in r.late_fits.items()
                      if t in r.held or t in r.claimed)),
    ("guessed", _slots("guessed"), lambda r: sorted([o, sorted(k)] for o, k in r.guessed.items())),
)


def _closed_earlier(e: Exit, position_id: int) -> bool:
    """Did this exit's close end a position before the one of the broker's id position_id
    (0: not known)? Issued for a position of another id (Exit.position_id, the book's at its
    issue), which was seen flat since (gone) or whose fills came (it expects nothing more):
    what is open now opened after it. A close not seen flat and still expecting contracts is
    left to the other tests (the book's id at its issue may be a position the fills had
    already replaced). order20/order21: a close of a locked trader's short, carried out by
    the broker on the long the trader reversed it to, left its own buy expected; the trader's
    next sell of 1 (a new position id) read as closed by it ("riskd's close of it is done,
    its fill on the way") when its Position came before its Trade, and the lockout did not
    close it; and a reduce done and filled read as covering the next position's max_contracts
    cut only when its Trade had come before its flat Position (not seen flat, not gone)."""
    return bool(position_id and e.position_id and e.position_id != position_id
                and (e.gone or e.size == 0))


def _also_by(command_id: str, took: list[Exit], open_: list[Exit]) -> tuple:
    """Exit.also_by of a new exit of command_id: the other commands whose orders may close its
    contracts: those of the exits it took contracts from (took), and of the open exits there
    (open_) a close of the whole position still in flight (not a reduce's:
    partialCloseContract closes its own contracts only)."""
    return tuple(dict.fromkeys(
        e.command_id for e in took + [o for o in open_ if o.whole and not o.cut
                                      and o.done_ns == 0]
        if e.command_id != command_id))


def _done_unfilled(e: Exit) -> int:
    """1 when the exit is done (closed), priced and still expects contracts, else 0."""
    return 1 if e.closed and e.size > 0 and e.price is not None else 0


def dump_exit(e: Exit) -> dict:
    """One exit as the store writes it (by hand, not attrs.asdict: it is on every breach's
    commit)."""
    return {"contract_id": e.contract_id, "side": e.side, "size": e.size,
            "issued_ns": e.issued_ns, "command_id": e.command_id, "done_ns": e.done_ns,
            "closed": e.closed, "whole": e.whole, "cut": e.cut,
            "price": None if e.price is None else str(e.price), "down_to": e.down_to,
            "gone": e.gone, "position_id": e.position_id, "late": e.late,
            "lost_ns": e.lost_ns, "how": e.how, "until_ns": e.until_ns, "sweep": e.sweep,
            "overtaken": e.overtaken, "either": e.either, "newer": e.newer,
            "also_by": None if e.also_by is None else list(e.also_by)}


__all__ = ["RiskdExits", "Exit", "closing_side", "dump_exit", "SIDE_BUY", "SIDE_SELL"]
