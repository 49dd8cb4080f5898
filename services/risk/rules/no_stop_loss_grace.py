"""8. no_stop_loss_grace: a position not covered by working stops for grace_seconds -> close it.

What a working stop is, and since when a position is not covered, is services/risk/stops.py:
the grace counts from the moment the position stopped being covered (opened or flipped with no
stop, grew past its stops, a stop cancelled, filled or made smaller), so every uncovered spell
gets the whole grace and its warning (fresh-user trial 17g: one contract added to a stopped
long 57 s old was closed at once, "MNQ open 57s without a stop order", no warning).
Before it closes, it warns at warn_at of the grace, once per uncovered spell: "MNQ has no
stop: closed in 2s unless a stop is placed", on the phone, the log and the status row
(fresh-user trial 17a: warn_at = 0.8 was listed for the rule and never warned). Each
position's warning is its own (per_position): riskd's close of another position on its way, or
another position's breach, does not hold it back (trial 18b: after a close whose broker answer
was lost, the next position was closed with no warning).
While riskd's close of a position is on its way the row says so, and what that close does
(fresh-user trial 18c): it closes all of the contract, what was bought since it was sent too
(close_position retries until the contract is flat; the row had fallen back to "closed in 0s
unless a stop is placed" after a buy), and it cancels the contract's orders, a stop placed
meanwhile too (the row had read "grace_seconds=10", as if covered): "MNQ has no stop: riskd's
close in flight for 8s closes all 2 (1 bought since it was sent); a stop placed now is
cancelled with it", "MNQ long 1: its stop covers 1 of 1: riskd's close in flight for 3s closes
all 1 and cancels its stop".
The row says every position (measure): the one closest to its close first, then "; also " each
other one (trial19b finding 9: while ES counted down, nothing said riskd's close in flight would
cancel the stop just placed on MNQ). A position opened after riskd's close of all of the
contract was sent (a flip during a held close) is closed by that close too: "riskd's close in
flight for 14s also closes this short 1, opened since it was sent" (closing_of), not a fresh
countdown.
Its reading is whole seconds: value, share and words are one figure (trial 17g: the row read
"3/10 35%", the alert 80 % where history said 81 % of the same warning); the screens and the
alerts show its words (shared/rulenumbers.py SPELLED_OUT).
"""
from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple, Optional

import attrs

from services.risk.rules.base import CLOCK, ORDER, POSITION, Measure, Rule
from services.risk.stops import STOP_TYPES, stop_cover, stop_orders, working_stops
from shared.messages.risk import CLOSE_POSITION
from shared.when import duration

NS = 1_000_000_000
ALSO = "; also "        # between the positions' readings on the rule's row (measure)

__all__ = ["NoStopLossGrace", "STOP_TYPES", "stop_orders"]


def uncovered(account, now: int) -> list:
    """(position, its live size, when it stopped being covered, whole seconds since,
    contracts its stops cover, how many stops) of every open position its working stops do not cover."""
    out = []
    for p in account.positions.values():
        size = account.live_size(p)
        if size == 0 or stop_orders(account, p):
            continue
        since = p.opened_ns if p.uncovered_ns is None else p.uncovered_ns
        stops = working_stops(account, p)
        out.append((p, size, since, max(0, now - since) // NS, stop_cover(stops), len(stops)))
    return out


def stopped_closing(account, now: int) -> list:
    """(position, its live size, its working stops, closing_of) of every open position its
    stops cover while riskd's close of all of it is still on its way: that close goes on and
    cancels them (closing a contract closes its orders)."""
    out = []
    for p in account.positions.values():
        size = account.live_size(p)
        stops = stop_orders(account, p) if size else []
        closing = closing_of(account, p, now) if stops else None
        if closing is not None and (closing.on_way or closing.failed is not None):
            out.append((p, size, stops, closing))
    return out


class Closing(NamedTuple):
    """closing_of's answer: when riskd's close of all of the position was sent (or its last
    try failed), whether that command is still on its way, contracts held beyond what it
    expected when sent, (when its last try failed, when the next is sent) or None, and
    whether the position opened after it was sent (a flip, or a reopen, during the close)."""
    sent_ns: int
    on_way: bool
    bought: int
    failed: Optional[tuple]
    opened_since: bool = False


def closing_of(account, p, now: int) -> Optional[Closing]:
    """How riskd's close of all of the position stands (Closing), None when riskd is not
    closing it. A close of all of the
    contract not answered yet (a close_position, a flatten: Exit.whole) closes what was
    bought since too: it retries until the contract is flat (fresh-user trial 18c: a buy
    during a held close made the row read "closed in 0s unless a stop is placed" for the rest
    of the hold). Done, its fills still to come, it covers what it expects. A close that
    failed, its next try waiting (AccountState.tries_at), is not in flight: nothing is at the
    broker until that try is sent (trial19b finding 4: the row read "riskd's close in flight
    for 1s; a stop placed now is cancelled with it" while LAST ACTIONS read "failed"); sent,
    it is in flight from then.
    A position opened after such a close was sent (the trader reversed it, or closed and
    reopened it, while the close was held at the broker) is closed by it too: the held call,
    carried out, closes what is open then, and the command re-reads and closes until the
    contract is flat (grace19: after a flip the row counted a fresh grace, "closed in 8s
    unless a stop is placed", when no stop would keep it). Its expectation is gone (the
    position it was sent for is), its command still outstanding."""
    live = [e for e in account.riskd.expected if e.contract_id == p.contract_id
            and e.size > 0 and e.open_at(now)]
    exits = [e for e in live if not e.gone]
    earlier = [e for e in live if e.gone and e.whole and not e.closed and e.done_ns == 0]
    expected = sum(e.size for e in exits)
    outstanding = [e for e in exits if e.whole and not e.closed and e.done_ns == 0]
    if earlier or outstanding:
        # the earliest close in flight speaks (a close of the position opened since, sent
        # at its own grace's end, waits behind it)
        return _outstanding(account, earlier + outstanding, now,
                            0 if earlier else max(0, p.size - expected), bool(earlier))
    if not exits or expected < p.size:
        return None
    return Closing(min(e.issued_ns for e in exits), False, 0, None)


def _outstanding(account, outstanding: list, now: int, bought: int,
                 opened_since: bool) -> Closing:
    """closing_of's answer for commands not answered yet: in flight since the latest try was
    sent, or failed with the next try waiting (AccountState.tries_at)."""
    tries = account.tries_at
    sent = [max(e.issued_ns, tries[e.command_id][1]) if e.command_id in tries else e.issued_ns
            for e in outstanding
            if e.command_id not in tries or now >= tries[e.command_id][1]]
    if sent:
        return Closing(min(sent), True, bought, None, opened_since)
    failed, next_ns = min(tries[e.command_id] for e in outstanding)
    return Closing(failed, False, 0, (failed, next_ns), opened_since)


def failed_words(failed_ns: int, next_ns: int, now: int) -> str:
    """A failed close whose next try waits: "riskd's close failed 1s ago, tries again in 4s"."""
    return (f"riskd's close failed {duration(max(0, now - failed_ns) // NS)} ago, tries again "
            f"in {duration(max(0, next_ns - now + NS - 1) // NS)}")


def closing_words(size: int, closing: Closing, now: int, stops: int, held: str = "") -> str:
    """The words of closing_of's answer: a failed close waiting for its next try, or
    riskd's close in flight (in_flight_words). held: the position in words ('short 1'), for
    one opened since that close was sent."""
    if closing.failed is not None:
        words = failed_words(*closing.failed, now)
        return f"{words}; it closes this {held} too" if closing.opened_since and held else words
    return in_flight_words(size, max(0, now - closing.sent_ns) // NS, closing.on_way,
                           closing.bought, stops, held if closing.opened_since else "")


def in_flight_words(size: int, since_s: int, on_way: bool, bought: int, stops: int,
                    opened: str = "") -> str:
    """What riskd's close of the position in flight does: "riskd's close in flight for 15s"
    and, while its command is on its way, what it takes: all of the contract (what was bought
    since it was sent too) and its working orders (closing a contract closes its orders: a
    stop placed now is cancelled with it, trial 18c). opened: the position in words ('short
    1') when it opened after that close was sent (a flip): "... also closes this short 1,
    opened since it was sent"."""
    words = f"riskd's close in flight for {duration(since_s)}"
    if not on_way:
        return words
    if opened:
        words += f" also closes this {opened}, opened since it was sent"
    elif bought or stops:
        words += f" closes all {size}"
    if bought and not opened:
        words += f" ({bought} bought since it was sent)"
    if stops:
        its = "its stop" if stops == 1 else f"its {stops} stops"
        return f"{words}{',' if opened else ''} and cancels {its}"
    return f"{words}; a stop placed now is cancelled with it"


def what_covers(p, size: int, cover: int, stops: int) -> str:
    """'MNQ has no stop' / 'MNQ long 2: its stop covers 1 of 2'."""
    if cover == 0:
        return f"{p.symbol} has no stop"
    which = "its stop covers" if stops == 1 else f"its {stops} stops cover"
    return f"{p.symbol} {p.side_word} {size}: {which} {cover} of {size}"


class NoStopLossGrace(Rule):
    name = "no_stop_loss_grace"
    listens = frozenset({POSITION, ORDER, CLOCK})
    description = "a position without a working stop after the grace period: close it"
    keyed = True                # one warning per uncovered spell (its key: contract and start)
    per_position = True         # the warning of one position waits for nothing another does

    def measure(self, ctx, now, params):
        """The status row's reading: the uncovered position closest to its close first (its
        countdown; one riskd is closing already only when no other counts down), then every
        other position's, each after "; also " (trial19b finding 9: while ES counted down, the
        row never said that riskd's close in flight would cancel the stop just placed on MNQ).
        Its figures are the first position's."""
        found = sorted(self.readings(ctx, now, params),
                       key=lambda m: (not m.acting, m.progress), reverse=True)
        if len(found) < 2:
            return found[0] if found else None
        return attrs.evolve(found[0], detail=ALSO.join(m.detail for m in found))

    def readings(self, ctx, now, params):
        """One reading per open position its stops do not cover: whole seconds uncovered vs
        the grace, and the share of those (the same figure everywhere). A position riskd's
        close is on its way for reads so (trial 18b: a close held at the broker 35 s, the row
        said "closed in 0s unless a stop is placed" all along, when a stop would no longer
        have stopped it): "MNQ has no stop: riskd's close in flight for 15s"."""
        grace = params.grace_seconds
        out = []
        for p, size, since, seconds, cover, n in uncovered(ctx.account, now):
            left = max(0, grace - seconds)
            fix = "a stop is placed" if cover == 0 else f"stops cover all {size}"
            closing = closing_of(ctx.account, p, now)
            then = (f"closed in {duration(left)} unless {fix}" if closing is None else
                    closing_words(size, closing, now, 0, f"{p.side_word} {size}"))
            out.append(Measure(Decimal(seconds), Decimal(grace),
                               seconds / grace if grace else 1.0,
                               f"{what_covers(p, size, cover, n)}: {then}",
                               key=f"{p.contract_id}@{since}", contract_id=p.contract_id,
                               acting=closing is not None))
        for p, size, stops, closing in stopped_closing(ctx.account, now):
            # covered by stops placed while riskd's close is on its way: the close goes on and
            # cancels them (trial 18c: the row read "grace_seconds=10", as if covered)
            out.append(Measure(Decimal(grace), Decimal(grace), 1.0,
                               f"{what_covers(p, size, min(size, stop_cover(stops)), len(stops))}: "
                               + closing_words(size, closing, now, len(stops),
                                               f"{p.side_word} {size}"),
                               key=f"{p.contract_id}@stopped", contract_id=p.contract_id,
                               acting=True))
        return out

    def evaluate(self, ctx, event, now, params):
        out = []
        for p, size, since, seconds, cover, n in uncovered(ctx.account, now):
            if seconds < params.grace_seconds:
                continue
            words = (f"{p.symbol} {p.side_word} {size} without a stop order" if cover == 0
                     else what_covers(p, size, cover, n))
            out.append(self.decide(ctx, params, now, CLOSE_POSITION,
                                   f"{words} for {duration(seconds)} "
                                   f"(grace {duration(params.grace_seconds)})",
                                   value=Decimal(seconds), limit=Decimal(params.grace_seconds),
                                   contract_id=p.contract_id))
        return out
