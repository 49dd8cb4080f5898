"""Drive the live risk engine over one account's history and play out what it would have done.

The engine is riskd's own (services.risk.engine.Engine with its lockouts, the RuleSettings the
worker uses and the configured trading calendar and holidays), run on an injected clock: each
step's time is `now`. Before every step the engine ticks (rolls, expiring lockouts, clock
rules). The trader's fills go through the guarded book first: a fill whose opening part falls
inside a lockout, or whose order the engine cancelled, is blocked; what passes is fed to the
engine with the guarded position after it. Every command the engine sends is carried out on
the guarded book at that moment's price (close, reduce, flatten, cancel) and its fills,
positions and result are fed back, until the engine is quiet. What the replay cannot do as
riskd asked (a close the book cannot carry out) and guarded positions a trading day ends with
are said in the account's notes.
riskd's own past closes in the history (a day riskd guarded) are riskd's as its records have
them (cli/replay/riskdrecords.py): fed to the engine as riskd's fills (never the trader's
trades, never blocked), their orders known to the engine's exits as riskd's; where the records
do not reach, the notes say that riskd's closes there cannot be told from the trader's trades.
A close (a flatten: each of its contracts) the engine decides where riskd's records hold the
same decision of riskd's (same rule, action and contract, within a bar of it, set off by the
same fill, order or clock moment, or a price of the same bar: same_set_off) and riskd's own
fill of that contract still ahead is not carried out at a bar price: it stays in flight for the engine, as it was live, until riskd's
fill carries it out (trial 18c: a close riskd's broker held for 20 s took the trader's buy made
meanwhile; the replay, closing at once, then closed that buy again by no_stop_loss_grace); a
fill of riskd's made before that decision is another close's and leaves it in flight.
A matched close riskd's records show finding the position flat (or cut) without it, done with
no close order of its own there (LiveClose.found_flat_on: the trader's own fill closed it while
riskd's close was in flight) is not carried out either: it stays in flight until riskd's result
came, and that fill closes the position, as it did (trial 21b: the replay closed ES at a bar
price, -75.00, and dropped the trader's target fill that had really closed it). A flatten goes
the same way, contract by contract, in the same code (_as_riskd_did).
A bar's high and low are played at its end (cli/replay/events.py) against the contracts held
then, never earlier, not before the trader's own exit inside the bar either (Runner._trader_fill).
Neither is played against a position opened inside that bar (Runner._opened_in).
"""
from __future__ import annotations

import bisect
import collections
import datetime as dt
import itertools
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional

import attrs

from cli.replay import agree, gracedue, persons, unlocks
from cli.replay.events import (FILL, ORDER_FINAL, ORDER_NEW, PRICE, bar_price,
                               price_within, timeline)
from cli.replay.guarded import GuardedBook
from cli.replay.model import AccountHistory
from cli.replay.riskdrecords import CLOSING, TRADE_DAYS_KEPT, LiveClose, RiskdRecords
from services.risk.engine import Engine
from services.risk.lockouts import LOCKOUT_RULE
from services.risk.outcome import Outcome
from services.risk.state import symbol_of
from shared.messages.enforce import CloseOrder, Command, CommandResult
from shared.messages.market import (SIDE_BUY, SIDE_SELL, STATUS_CANCELLED, AccountUpdate, Fill,
                                    MarketSnapshot, OrderUpdate, Quote)
from shared.messages.risk import (ALERT, CANCEL_ORDERS, CLOSE_POSITION, FLATTEN,
                                  REDUCE_POSITION, Decision, LockoutChange, RuleWarning)

# riskd's own fill carries out a close of the replay's that riskd decided too only when it came
# within this of riskd's decision (a close the broker held: 20-30 s in trial 18c; enforcement's
# rounds end well before): a later fill of riskd's on the contract is another close's
MATCH_WAIT_NS = 120 * 1_000_000_000
# riskd's own decision is the replay's same close only when what set it off came within the
# moment (or the bar's span) that set the replay's off, give or take this: riskd's clock and
# the broker's, riskd's reaction (trial22c 3a: a lockout close of a buy at 09:19:38 was tagged
# with riskd's lockout close of another buy, 38 s earlier, within "a bar and a second")
SET_OFF_SLACK_NS = 1_000_000_000
MAX_ROUNDS = 1000          # commands -> events -> commands, per step: a loop is a bug, not a day
ZERO = Decimal(0)
PRICE_STEP = Decimal("1e-8")    # a price played as the mean of several (_met)


@attrs.define
class AccountReplay:
    """What one account's replay produced."""
    account_id: int
    name: str
    decisions: list[Decision] = attrs.Factory(list)
    warnings: list[RuleWarning] = attrs.Factory(list)
    lockouts: list[LockoutChange] = attrs.Factory(list)
    days: dict = attrs.Factory(dict)                  # trading day -> DayTally
    rules: dict = attrs.Factory(dict)                 # rule -> RuleEffect
    curve: list[tuple[int, Decimal, Decimal]] = attrs.Factory(list)   # (ts, actual, guarded)
    blocked_trades: list[tuple[int, int, str]] = attrs.Factory(list)  # (ts, trade id, rule)
    notes: list[str] = attrs.Factory(list)           # what the replay could not do as asked
    # decision id -> (from, to) ns: set off by a bar's price, which came somewhere in that
    # span (from the bar's start, or the position's open in it, to the moment the replay
    # played it, or the bar's end): a bar cannot say when within it (docs/replay.md)
    bar_timed: dict[str, tuple[int, int]] = attrs.Factory(dict)
    # decision id -> riskd's own decision of the same close it was matched with (a day riskd
    # guarded): its moment and words, which the replay's own (a bar's price, a loss realized
    # at one) may not be (trial 20c, finding 4: 'realized PnL -447.48' where riskd read -443.22)
    riskd_own: dict[str, LiveClose] = attrs.Factory(dict)
    # decision id -> the contracts riskd's own close of it found flat (made no fill there),
    # which the replay left to the trader's fill that closed them
    flat_found: dict[str, list[str]] = attrs.Factory(dict)


def fees_per_contract(h: AccountHistory) -> dict[str, Decimal]:
    """The close fee per contract, as the broker charged this account for that contract."""
    out: dict[str, Decimal] = {}
    for f in h.fills:
        if f.size > 0 and f.contract_id not in out and f.fees:
            out[f.contract_id] = f.fees / f.size
    return out


class Runner:
    def __init__(self, engine: Engine, history: AccountHistory,
                 records: Optional[RiskdRecords] = None):
        self.engine = engine
        self.h = history
        self.aid = history.account_id
        self.records = records             # None: riskd's records not asked (tests, bench)
        # the notes' times: the display zone the engine's own words use (build_engine)
        self.zone = getattr(engine, "zone", None) or dt.timezone.utc
        self.book = GuardedBook(self.aid, history.contracts, engine.calendar.trading_day,
                                fees_per_contract(history))
        self.result = AccountReplay(self.aid, history.name)
        self.cancelled: dict[int, str] = {}        # order id -> the rule that cancelled it
        self.last_fill_price: dict[str, Decimal] = {}
        actual_total = sum(((f.pnl or ZERO) - f.fees for f in history.fills if not f.voided),
                           ZERO)
        # today's balance less the PnL of the range and of every trade after it (trial17b: a
        # later --to changed an earlier day's drawdown result, the days after --to were never
        # taken out)
        self.start_balance = None if history.balance is None else \
            history.balance - actual_total - history.later_pnl
        self._queue: collections.deque = collections.deque()
        self.bar: dict = {}                        # contract -> the bar being played
        self._said: set[tuple[str, str]] = set()   # (contract, why) a note already gave
        self._orders = {o.order_id: o for o in history.orders}   # each one's last state
        # contract -> its fills' (time, price) in time order, the trader's and riskd's: the
        # prices it really traded at, each at a known moment (_price)
        self._traded: dict[str, list[tuple[int, Decimal]]] = {}
        for f in sorted(history.fills, key=lambda f: f.ts_ns):
            if not f.voided:
                self._traded.setdefault(f.contract_id, []).append((f.ts_ns, f.price))
        self._cover_said: set[int] = set()         # stop orders gracedue's note named
        # riskd's own closes as it decided them live (riskd's records), each matched once, and
        # the replay's commands carried out by riskd's own fill still ahead: contract ->
        # [(command, the rule credited, riskd's own decision it matched)]
        # (a close that found nothing to do closed nothing: never listed, matched only as a
        # close of one contract that found it flat, _flat_only)
        self._live: list[LiveClose] = [c for c in records.closes if not c.nothing] \
            if records is not None else []
        # ... those that found the position flat with nothing to do: matched, never listed
        self._flat_only: list[LiveClose] = [c for c in records.closes if c.nothing
                                            and c.settled] if records is not None else []
        # the replay's closes left in flight until riskd's result came (found_flat):
        # (when, command), in time order
        self._results: list[tuple[int, Command]] = []
        self._made: dict[str, list[CloseOrder]] = {}   # command id -> the replay's own close
        #                                                orders of it (at a bar price)
        self._riskd_fills: list[Fill] = [f for f in history.fills if not f.voided and (
            records is not None and records.riskd_fill(f) is True)]
        self._played: set[int] = set()             # trade ids of the fills played so far
        self._by_riskd: dict[str, list[tuple[Command, str, LiveClose]]] = {}
        self._matched: set[str] = set()            # command ids riskd's records match
        # people's own closing actions riskd's records hold (a kill-switch flatten, an
        # admin's or the trader's lockout), played at their moment (cli/replay/persons.py)
        # (one that found nothing to do too: an admin's lockout of a flat account still locks)
        self._persons: list[LiveClose] = sorted(
            (c for c in records.closes if persons.is_persons(c)), key=lambda c: c.ts_ns) \
            if records is not None else []
        # people's unlocks riskd's records hold, the rows of one unlock together
        self._unlocks = unlocks.grouped(records.unlocks) if records is not None else []
        self._filling: Optional[int] = None        # the order whose fill is being played
        self._timing: Optional[tuple[int, int]] = None   # the bar price being played: span
        self._quoted: dict[str, int] = {}          # contract -> when its last price was played
        self._held_since: dict[str, int] = {}      # contract -> since when the guarded
        #                                            position has held its side
        # contract -> the contracts added inside the bar being played to a position held
        # before it, [when, how many], newest last (an exit takes the newest first): _met
        self._added: dict[str, list[list[int]]] = {}
        self._own: list[tuple] = []                # (ts, rule, action, contract) of the
        #                                            replay's closes riskd's records do not hold
        self._decided: list[tuple] = []            # ... of every closing command the engine
        #                                            sent that no decision of riskd's matched
        # (ts, contract, rule, the trader's next fill of the contract or None) of the trader's
        # entries a lockout blocked in the replay: a lockout close of riskd's between the two
        # that the replay did not make is of that entry (agree.parted)
        self._blocked_entries: list[tuple] = []
        self._no_fill: dict[str, LiveClose] = {}   # command id -> riskd's decision it matched,
        #                                            which no fill of riskd's carried out
        self._decision: dict[str, Decision] = {}   # the replay's decisions by id
        # contract -> the closes whose lost call riskd's late fill there carried out (_late_cut)
        self._late: dict[str, list[tuple[Command, str, LiveClose]]] = {}
        self._held_at: dict[str, dict[str, int]] = {}   # command id -> contract -> the
        #                                            guarded size when it was decided
        self._unfilled: list[tuple] = []           # (riskd's decision, when the replay
        #                                            closed it at a bar price instead)

    # -- driving ---------------------------------------------------------------------------
    def run(self) -> AccountReplay:
        steps = timeline(self.h)
        if not steps:
            return self.result
        first = steps[0].ts_ns
        self.engine.start(first)
        if self.records is not None:
            self._before_range(self.book.day_of(first))
            self._unknown_said()
            # riskd's orders, for the engine's own exits (services/risk/exits.py): their
            # Order events and fills are riskd's, as live
            self.engine.account(self.aid).riskd.orders.update(self.records.orders)
        for c in self.h.contracts.values():
            self._feed(self.engine.on_event(c, first), first)
        self._balance(first)
        if self.records is not None:
            self._carry_in(first)
        day = self.book.day_of(first)
        last = first
        for step in steps:
            now = step.ts_ns
            if self.book.day_of(now) != day:
                self._held_past(day)
                day = self.book.day_of(now)
            self._due(self._people(self._results_due(last, now), now), now)
            last = now
            self._feed(self.engine.tick(now), now)
            if step.kind == PRICE:
                cid, bar = step.payload
                side = self.book.side(cid)
                end = bar.ts_ns + self.h.bar_ns - 1
                price = bar_price(bar, step.index, side)
                if step.index == 0:
                    self.bar[cid] = bar
                    self._added[cid] = []
                elif step.index in (1, 2) and side and self._opened_in(cid, bar):
                    continue     # its extremes may have come before the position existed
                elif step.index in (1, 2) and side:
                    price = self._met(cid, bar, step.index, side, end)
                self._bar_quote(cid, bar, price, now, end)
            elif step.kind in (ORDER_NEW, ORDER_FINAL):
                if step.payload.order_id not in self.cancelled:
                    self._feed(self.engine.on_event(step.payload, now), now)
            elif step.kind == FILL:
                self._trader_fill(step.payload, now)
        self._results_due(last, None)
        self._held_past(day)
        self.result.days = dict(sorted(self.book.days.items()))
        if self.records is not None:
            self.result.notes += agree.day_notes(
                self.result.days, self.book.day_of, self._guarded_days(), self._live,
                self._own, self.zone, self._unfilled, self._decided, self._blocked_entries)
        self.result.rules = dict(self.book.rules)
        return self.result

    def _due(self, last: int, now: int) -> None:
        """The moments between two steps at which live risk's clock would have warned or closed
        an uncovered position (cli/replay/gracedue.py): the engine ticks there, as live."""
        while True:
            at = gracedue.next_due(self.engine, self.aid, last)
            if at is None or at >= now:
                return
            self._feed(self.engine.tick(at), at)
            last = at

    def _results_due(self, last: int, now: Optional[int]) -> int:
        """riskd's results of the closes left in flight for them (_as_riskd_did: found the
        position flat), due after `last` and before `now` (None: all): done with no close
        order, at the moment riskd's came, as live, the clock's moments before each first
        (_due). Returns the last moment played."""
        while self._results and (now is None or self._results[0][0] < now):
            at, cmd = self._results.pop(0)
            at = max(at, last)
            self._due(last, at)
            live = self.result.riskd_own.get(cmd.decision_id)
            self._feed(self.engine.on_result(CommandResult(
                command_id=cmd.id, account_id=cmd.account_id, status="done",
                action=cmd.action, rule=cmd.rule, finished_ns=at, orders_known=True,
                close_orders=list(live.close_orders if live is not None else ())
                + self._made.pop(cmd.id, []),
                unsettled=list(live.lost) if live is not None else []), at), at)
            last = at
        return last

    def _held_past(self, day) -> None:
        """A guarded position still open when its trading day ends: a day's figures are realized
        PnL (the broker's, for actual), so its open PnL is left out of that day; said."""
        for cid in self.book.open_contracts():
            self.result.notes.append(
                f"{day}: {symbol_of(cid)} {self.book.book(cid).guarded:+d} still open at the "
                f"day's end in the guarded day; the day's figures are realized PnL, so its "
                f"open PnL counts on the day it is closed")

    def _before_range(self, first_day) -> None:
        """riskd's records are read from a while before the history's first fill (a decision
        set off just before it); those of a trading day before the replayed one are another
        day's, which the replay does not play: never listed, counted, played or paired (trial25c
        F10: a replay of 2026-12-08 listed and counted the self-lockouts of 2026-12-07 16:45,
        played them at its first step, and an unlock of 16:44:39 then lifted one of them)."""
        def ours(ts_ns: int) -> bool:
            return self.book.day_of(ts_ns) >= first_day
        self._live = [c for c in self._live if ours(c.ts_ns)]
        self._flat_only = [c for c in self._flat_only if ours(c.ts_ns)]
        self._persons = [c for c in self._persons if ours(c.ts_ns)]
        self._unlocks = [g for g in self._unlocks if ours(g[0].ts_ns)]

    def _carry_in(self, first: int) -> None:
        """The positions riskd's records hold open when the range starts (their fills before
        it: RiskdRecords.carried) are held from the start, in the book (actual and guarded)
        and for the engine, as riskd held them over the roll; said in the notes. Started flat,
        a replay of the day after the roll read "6 contracts open (gross), limit 2: reduce MNQ
        by 4" where riskd, holding the short 2 carried over, read 4 and reduced by 2, and a
        breach riskd caught was "not reached" (trial25c F10)."""
        held = []
        for cid, (size, avg, opened) in sorted(self.records.carried().items()):
            if cid not in self.h.contracts:
                continue             # not traded in the range: nothing of it is replayed
            self.book.carry_in(cid, size, avg)
            self._held_since[cid] = first
            self.last_fill_price.setdefault(cid, avg)
            # stamped with its opening, before the day, as the broker's Position: one stamped
            # at the range's start reads to risk as opened today ahead of its opening fill
            # (services/risk/coldahead.py), its size growth no fill explains
            held.append(attrs.evolve(self.book.position(cid, first), ts_ns=opened or first))
            self.result.notes.append(
                f"{symbol_of(cid)} {size:+d} at {avg.normalize():f} was held when the range "
                f"starts (riskd's records of its fills before it, kept {TRADE_DAYS_KEPT} days): "
                f"the replay starts from it, as riskd did")
        if held:
            # the engine's starting point, as risk's from market's first complete snapshot:
            # held, not opened by a fill it has not seen (a Position event alone left its
            # rules waiting for the broker's word: no breach judged)
            accounts = [] if self.start_balance is None else [AccountUpdate(
                account_id=self.aid, name=self.h.name, can_trade=True,
                balance=self.start_balance)]
            self._feed(self.engine.apply_snapshot(MarketSnapshot(
                seq=0, epoch=0, accounts=accounts, positions=held), first), first)

    def _people(self, last: int, now: int) -> int:
        """The people's actions and unlocks riskd's records hold, due before `now` (at it
        too), played in their own time order, each at its moment with the engine's clock
        brought there first (its grace moments and lockout ends before it: _due). Played apart
        (every lockout first, then every unlock) an unlock lifted a lockout taken after it and
        the later unlock found none (trial25b F3: "drawdown_guard lockout was lifted at
        17:07:52 ...: the replay lifts its own then too (self_lockout ...)" for a self-lockout
        of 17:07:57). A person's unlock is lifted in the replay at its moment as asked
        (cli/replay/unlocks.py; trial 18c: the admin's unlock at 22:04:18, after which the
        trader's buys filled; the replay had kept the 30-minute cooldown and blocked them).
        Returns the last moment played."""
        while True:
            acts = [(self._persons[0].ts_ns, 0)] if self._persons else []
            acts += [(self._unlocks[0][0].ts_ns, 1)] if self._unlocks else []
            if not acts or min(acts)[0] > now:
                return last
            ts, kind = min(acts)
            at = max(ts, last)
            self._due(last, at)
            self._feed(self.engine.tick(at), at)
            last = at
            if kind == 0:
                self._persons_act(self._persons.pop(0))
            else:
                self.result.notes.append(unlocks.replay_unlock(
                    self.engine, self.aid, self._unlocks.pop(0), self._feed, self.zone))

    def _persons_act(self, live: LiveClose) -> None:
        """A person's own action riskd's records hold (an admin's kill-switch flatten, an
        admin's or the trader's lockout) is played at its moment as that person's
        (cli/replay/persons.py), not left out as one the config or the bar prices did not reach
        (trial22c 5e). A kill switch's decision is riskd's own there; a lockout's flatten is
        matched as any close (_as_riskd_did). One the engine refuses is said, with why."""
        made, why = persons.play(self.engine, self.aid, live, self._feed)
        if made is not None and live.rule in persons.LOCKOUTS:
            return                       # its flatten is matched as any close (_as_riskd_did)
        for among in (self._live, self._flat_only):
            if live in among:
                among.remove(live)
        if made is not None:
            self.result.riskd_own[made.id] = live
        elif not live.nothing:
            self.result.notes.append(
                f"{fmt_ts(live.ts_ns, self.zone)} {live.rule} flatten"
                + (f" by {live.by}" if live.by else "")
                + f": a person's action in riskd's records, which the replay could not "
                f"play ({why})")

    def _guarded_days(self) -> set:
        """The trading days riskd's records reach every fill of."""
        fills = [f for f in self.h.fills if not f.voided]
        unknown = {self.book.day_of(f.ts_ns) for f in self.records.unknown(fills)}
        return {self.book.day_of(f.ts_ns) for f in fills} - unknown

    def _unknown_said(self) -> None:
        """The fills riskd's records do not reach, said per trading day: riskd's own closes
        among them cannot be told from the trader's trades (once for the account when the
        records reach none of its fills)."""
        rec = self.records
        self.result.notes += rec.problems
        unknown = rec.unknown(self.h.fills)
        if not unknown:
            return
        cannot = (f"riskd was not guarding the account then, or its records are gone (risk "
                  f"keeps them {TRADE_DAYS_KEPT} days), so any of riskd's own closes among "
                  f"them count as your trades")
        fills = [f for f in self.h.fills if not f.voided]
        if len(unknown) == len(fills):
            days = sorted({self.book.day_of(f.ts_ns) for f in fills})
            span = str(days[0]) if len(days) == 1 else f"{days[0]} to {days[-1]}"
            self.result.notes.append(f"{span}: none of the {len(fills)} fills is in riskd's "
                                     f"records: {cannot}")
            return
        by_day: dict = collections.defaultdict(list)
        for f in unknown:
            by_day[self.book.day_of(f.ts_ns)].append(f)
        for day, missed in sorted(by_day.items()):
            of = sum(1 for f in fills if self.book.day_of(f.ts_ns) == day)
            self.result.notes.append(
                f"{day}: {len(missed)} of {of} fills, from "
                f"{fmt_ts(missed[0].ts_ns, self.zone)} to "
                f"{fmt_ts(missed[-1].ts_ns, self.zone)}, are not in "
                f"riskd's records: {cannot}")

    def _quote(self, cid: str, price: Decimal, now: int) -> None:
        self._quoted[cid] = now
        self._feed(self.engine.on_event(Quote(contract_id=cid, ts_ns=now, last=price), now), now)

    def _bar_quote(self, cid: str, bar, price: Decimal, now: int, to: int) -> None:
        """A bar's price played at `now`: what it sets off is timed by the bar only, so its
        decisions keep the span the price came in (AccountReplay.bar_timed): from the bar's
        start, or the position's open in it, to `to`."""
        self._timing = (max(bar.ts_ns, self._held_since.get(cid, 0)), max(now, to))
        try:
            self._quote(cid, price, now)
        finally:
            self._timing = None

    def _opened_in(self, cid: str, bar) -> bool:
        """The guarded position was opened (or turned) inside this bar, after its start: the
        bar cannot say whether its high or low came before or after that, so neither is played
        against it at the bar's end; its fill prices and the
        bar's close (both at or after its opening) are. From its next bar on, the extremes are
        (trial 21c, finding 4: a minute's low of 06:41:15 was played against a long bought at
        06:41:54, read -405.00 'between 06:41:55 and 06:41:59', closed it and locked the
        account until the roll; riskd, watching every price, never saw it). An add to a
        position held since before the bar does not make it opened here: the contracts held
        before met the extreme; the added ones are valued at prices they met (_met)."""
        return self._held_since.get(cid, 0) > bar.ts_ns

    def _sized(self, cid: str, before: int, now: int) -> None:
        """The guarded position changed from `before`: an add to a position held (same side)
        is remembered with its moment for this bar (_met); a cut takes the newest adds first;
        flat or turned, none is left (the position is then opened inside the bar: _opened_in)."""
        after = self.book.book(cid).guarded
        added = self._added.setdefault(cid, [])
        if not after or not before or (after > 0) != (before > 0):
            added.clear()
            return
        change = abs(after) - abs(before)
        if change > 0:
            added.append([now, change])
        while change < 0 and added:
            take = min(-change, added[-1][1])
            added[-1][1] -= take
            change += take
            if not added[-1][1]:
                added.pop()

    def _met(self, cid: str, bar, index: int, side: int, until: int) -> Decimal:
        """The price a bar's extreme (index 1 adverse, 2 favourable) is played at against the
        guarded position at `until`: each contract held since before the bar at the extreme,
        which came while it was held; each added inside the bar at the worst (adverse) or best
        (favourable) price it is known to have met after it was made: the contract's fills from
        its add to `until`, and the bar's close when `until` is the bar's end; so the open PnL
        played is theirs summed (the mean of those prices over the position: PnL is linear in
        the price). Before, every contract held at the bar's end was valued at the extreme
        (trial 21c's leftover: a position of 1 at the minute's low and 3 at its end read as 3
        at the low)."""
        extreme = bar_price(bar, index, side)
        added = [(at, n) for at, n in self._added.get(cid, []) if at <= until]
        size = abs(self.book.book(cid).guarded)
        if not added or not size:
            return extreme
        pick = min if (index == 1) == (side > 0) else max
        end = bar.ts_ns + self.h.bar_ns - 1
        total = extreme * (size - sum(n for _at, n in added))
        for at, n in added:
            met = [p for t, p in self._traded.get(cid, []) if at <= t <= until]
            if until >= end:
                met.append(bar.close)
            total += pick(met or [extreme]) * n
        return (total / size).quantize(PRICE_STEP, rounding=ROUND_HALF_UP)

    def _trader_fill(self, fill: Fill, now: int) -> None:
        cid = fill.contract_id
        side = self.book.side(cid)
        bar = self.bar.get(cid)
        riskd = self.records is not None and self.records.riskd_fill(fill) is True
        in_bar = bar is not None and bar.ts_ns <= now < bar.ts_ns + self.h.bar_ns
        # No bar extreme is judged here, before the trader's own exit inside the bar either:
        # the bar cannot say whether its high or low came before the fill or after it, and
        # the contracts the exit takes away are gone after it. They are valued at the prices
        # they are known to have met while held (the bar's open, the fills up to this one, this
        # fill's own price); the contracts still held at the bar's end meet its extremes there
        # (_met). Before, the adverse extreme was judged just before the exit (trial 23c F2: a
        # minute's low reached at 11:45:30 read -299.62 on the long 5 at the target's fill of
        # 11:45:00, and a low that came 3 s after the trader sold his long 3 read -598.30
        # "between 11:55:00 and 11:55:37", an invented close and a 30-min cooldown)
        # the trade printed at its price: a close that sets off is played at the fill's moment
        # too, so it cannot cancel the fill's own order either
        self._filling = fill.order_id
        try:
            if side and in_bar:
                # the price came somewhere in the bar before the fill: what it sets off is
                # timed by the bar too (from the bar's start, or the position's open in it,
                # to the fill), as riskd acted when the price got there
                self._bar_quote(cid, bar, fill.price, now, now)
            else:
                self._quote(cid, fill.price, now)
        finally:
            self._filling = None
        self.last_fill_price[cid] = fill.price
        late = self._late_of(fill) if riskd else None
        if riskd:
            # riskd's own close when it guarded the day (its records): riskd's fill for the
            # engine, never the trader's trade (trial 18a: the replay's first breach was
            # trade_frequency_limit at riskd's no_stop_loss_grace close) and never blocked;
            # a late one of a lost call goes to the engine as the broker sent it (_late_cut)
            if late is None:
                fill = attrs.evolve(fill, by_riskd=True)
            blocked_by = None
            if self._waiting_for(fill):
                # it carries out a close left in flight for it (_as_riskd_did): the engine's
                # exits take it as that close's, as live (their expected contracts used up; a
                # fill handed in as riskd's skips them, and its contracts read as still to
                # come: the e2e day's open PnL counted 3 of the 5 MNQ held, no breach)
                self.engine.account(self.aid).riskd.claim_fill(fill, now)
        else:
            blocked_by = self.cancelled.get(fill.order_id) if fill.order_id is not None \
                else None
        locked = False
        if blocked_by is None and not riskd:
            locks = self.engine.lockouts.covering(self.aid, symbol_of(fill.contract_id))
            blocked_by = locks[0].rule if locks and not self._closed_by_riskd(fill, now) \
                else None
            locked = blocked_by is not None
        before = self.book.book(cid).guarded
        passed = self.book.trader_fill(fill, blocked_by, riskd)
        if not riskd:
            # the trader's next fill of the contract after a blocked entry: a lockout close of
            # riskd's after that one is not of the entry (trial22c 3a: another entry's close)
            self._blocked_entries = [b if b[1] != cid or b[3] is not None else (*b[:3], now)
                                     for b in self._blocked_entries]
        if passed.blocked and locked:
            self._blocked_entries.append((now, cid, passed.rule, None))
        self._sized(cid, before, now)
        if self.book.side(cid) and self.book.side(cid) != side:
            self._held_since[cid] = now
        if passed.blocked:
            self.result.blocked_trades.append((now, fill.trade_id, passed.rule))
        if passed.fill is not None:
            # the fill and the position after it reach the engine before any command they
            # cause is carried out, as live (the broker sends both; riskd's close comes after):
            # carrying out a close between them, then feeding the position from before the
            # close, left the engine holding a position the book had closed (trial16g: a
            # flatten on the fill itself; the engine then held 2 NQ for days, every close of
            # it found the book flat, and the day's figure depended on the range replayed)
            out = self.engine.on_event(passed.fill, now)
            self._record(out)
            self._queue.extend(out.commands)
            self._feed(self.engine.on_event(passed.position, now), now)
            self._balance(now)
        self._played.add(fill.trade_id)
        if late is not None:
            self.book.rules[late[1]].contracts_closed += passed.fill.size if passed.fill else 0
        elif riskd:
            self._carried_by_riskd(fill, passed.fill.size if passed.fill else 0, now)
        self._point(now)

    def _balance(self, now: int) -> None:
        if self.start_balance is None:
            return
        self._feed(self.engine.on_event(AccountUpdate(
            account_id=self.aid, name=self.h.name, can_trade=True,
            balance=self.start_balance + self.book.guarded_total), now), now)

    def _point(self, now: int) -> None:
        self.result.curve.append((now, self.book.actual_total, self.book.guarded_total))

    # -- the engine's outcomes and commands -------------------------------------------------
    def _feed(self, out: Outcome, now: int) -> None:
        self._record(out)
        self._queue.extend(out.commands)
        rounds = 0
        while self._queue:
            rounds += 1
            if rounds > MAX_ROUNDS:
                raise RuntimeError(f"account {self.aid}: the engine kept sending commands at "
                                   f"{now} (more than {MAX_ROUNDS} rounds)")
            cmd = self._queue.popleft()
            # the contracts left in flight for riskd's own fill or result (_as_riskd_did), and
            # those an earlier close's riskd fill closes (_joins_riskd): not closed here
            held = self._as_riskd_did(cmd, now)
            joined = self._joins_riskd(cmd, held)
            for event in self._carry_out(cmd, now, skip=joined, held=held):
                out = self.engine.on_event(event, now)
                self._record(out)
                self._queue.extend(out.commands)
            if held or joined:
                continue                 # done with riskd's own fill, or riskd's result
            out = self.engine.on_result(CommandResult(
                command_id=cmd.id, account_id=cmd.account_id, status="done",
                action=cmd.action, rule=cmd.rule, finished_ns=now), now)
            self._record(out)
            self._queue.extend(out.commands)

    def _record(self, out: Outcome) -> None:
        if self._timing is not None:
            for d in out.decisions:
                self.result.bar_timed[d.id] = self._timing
        for d in out.decisions:
            if d.rule == gracedue.RULE and d.contract_id and not d.suppressed:
                self._cover_unknown(d)
        self.result.decisions += out.decisions
        for d in out.decisions:
            self._decision[d.id] = d
        self.result.warnings += out.warnings
        self.result.lockouts += out.lockouts

    def _cover_unknown(self, d: Decision) -> None:
        """A no_stop_loss_grace decision judged by a stop the broker reports in its last state
        only (cli/replay/gracedue.py): said once per stop order in the notes."""
        orders = [self._orders[o.order_id] for o in gracedue.unknown_cover(
            self.engine, self.aid, d.contract_id, self._orders.values())
            if o.order_id not in self._cover_said]
        for o in orders:
            self._cover_said.add(o.order_id)
            self.result.notes.append(
                f"{fmt_ts(d.ts_ns, self.zone)} no_stop_loss_grace {symbol_of(d.contract_id)}: "
                f"judged with "
                f"stop order {o.order_id} at its last size, {o.size}, from its placing at "
                f"{fmt_ts(o.created_ns, self.zone)}; the broker keeps an order's last state only "
                f"(last "
                f"changed {fmt_ts(o.updated_ns or o.created_ns, self.zone)}), so a change of its "
                f"size "
                f"before then cannot be timed and riskd's grace may have started at another "
                f"moment: riskd's own decision is in `riskctl history`")

    def _as_riskd_did(self, cmd: Command, now: int) -> list[str]:
        """A close the engine sends that riskd's records show riskd deciding too (same rule,
        action and contract, within a bar and a second of now; each of riskd's decisions
        matched once). Each contract of it the guarded book holds (a flatten: every one; a
        close or reduce: its own) goes the way it went live, one rule for both:
        - riskd's own fill of that contract, on the closing side, still ahead and within
          MATCH_WAIT_NS of riskd's decision: left in flight, carried out by that fill
          (_carried_by_riskd), rather than at once at a bar price;
        - riskd's records say its close made no fill there (done with no close order of its
          own on it, LiveClose.found_flat_on: the trader's own fill closed it while riskd's
          close was in flight): left in flight until riskd's result came, so that fill closes
          the position, as it did (trial 21b: "ES was already flat, 1 order cancelled"; a
          flatten's contract the same way, where the replay flattened it at a bar price);
        - neither: carried out here at a bar price, which riskd's day never had, and said in
          the notes (trial 20c, finding 4: +10.48 with one-minute bars and no note at all).
        Returns the contracts left in flight; the command's result then comes with riskd's
        fill (the first such contract's) or, with none, at the moment riskd's result came."""
        if cmd.mode == ALERT or cmd.action not in CLOSING:
            return []
        cid = cmd.contract_id
        near = self.h.bar_ns + 1_000_000_000
        span = self._set_off(cmd.decision_id, now)
        for among in (self._live, self._flat_only):
            # of several, the one set off nearest what set the replay's off
            live = min((c for c in among if c.rule == cmd.rule and c.action == cmd.action
                        and c.contract_id == cid and abs(c.ts_ns - now) <= near
                        and (same_set_off(c, span) or self._set_off_late(c, span, cmd))),
                       key=lambda c: max(span[0] - c.set_off_ns, c.set_off_ns - span[1], 0),
                       default=None)
            if live is not None:
                among.remove(live)
                break
        else:
            self._decided.append((now, cmd.rule, cmd.action, cid))
            return []
        self._matched.add(cmd.id)
        self.result.riskd_own[cmd.decision_id] = live
        targets = self.book.open_contracts() if cmd.action == FLATTEN else \
            [cid] if cid and self.book.side(cid) else []
        by_fill = [c for c in targets if self._riskd_fill_ahead(c, live, now)]
        flat = [c for c in targets if c not in by_fill and live.found_flat_on(c)]
        if len(by_fill) + len(flat) < len(targets):
            # riskd decided it too, but no fill of riskd's carried it out there and its
            # records do not say its close found the position flat (the journal's rows are
            # gone, or it failed): carried out at a bar price, said in the notes
            self._no_fill[cmd.id] = live
        if flat:
            self.result.flat_found[cmd.decision_id] = flat
        # what each contract left for riskd's fill held when decided (_took_more)
        self._held_at[cmd.id] = {c: abs(self.book.book(c).guarded) for c in by_fill}
        if by_fill and self._late_cut(cmd, live, by_fill[0], now):
            return by_fill
        if by_fill:
            self._by_riskd.setdefault(by_fill[0], []).append((cmd, self._rule_of(cmd), live))
        elif flat:
            bisect.insort(self._results, (max(live.finished_ns, now), cmd), key=lambda r: r[0])
        return by_fill + flat

    def _set_off_late(self, live: LiveClose, span: tuple[int, int], cmd: Command) -> bool:
        """riskd's decision came after what set the replay's off, its records timing what set
        it off by the decision itself (event_ns its own moment, or not kept: a Position event
        carries no time of its own), in the same words, with no fill of the account between
        the two: nothing but what set the replay's off can have set riskd's off; riskd met it
        late (risk restarting, or market). Before, such a close was "not set off by what set
        riskd's off" and carried out at a bar price (trial25c F4.2: the buy of 16:49:12 made
        while risk was down after a kill -9, riskd's reduce of it at 16:49:15 once back)."""
        if live.event_ns not in (0, live.ts_ns) or live.ts_ns <= span[1]:
            return False
        d = self._decision.get(cmd.decision_id)
        if d is None or d.reason != live.reason:
            return False
        return not any(span[1] < f.ts_ns <= live.ts_ns for f in self.h.fills if not f.voided)

    def _late_cut(self, cmd: Command, live: LiveClose, cid: str, now: int) -> bool:
        """A close of riskd's whose call on `cid` got no answer (its result lists it as
        unsettled, LiveClose.lost) and whose fill of riskd's came only after that result: the
        broker carried the call out late. Played as live: riskd's result comes at its moment,
        with its lost calls, so the engine expects the late fill as live risk did, and that
        fill, when it comes, is handed to the engine as the broker sent it (_trader_fill), so
        the engine takes it as riskd's late close and gives back what it had taken for the cut
        meanwhile (trial24c F3: the trader's sell of 13:59:35, counted live from its own time,
        with the trade_frequency_limit lockout of 14:00:15 it set off; the replay had carried
        the reduce out at a bar price and dropped that sell)."""
        if not (live.settled and live.finished_ns and cid in live.lost_on):
            return False
        if any(f.contract_id == cid and f.trade_id not in self._played
               and now <= f.ts_ns <= live.finished_ns for f in self._riskd_fills):
            return False             # a fill of riskd's before its result: not a late one
        bisect.insort(self._results, (max(live.finished_ns, now), cmd), key=lambda r: r[0])
        self._late.setdefault(cid, []).append((cmd, self._rule_of(cmd), live))
        return True

    def _set_off(self, decision_id: str, now: int) -> tuple[int, int]:
        """When what set the replay's decision off came: for a bar's price (bar_timed), from
        the start of its span to the end of that bar (the bar cannot say when in it the price
        came, nor whether riskd, watching every price, met it again later in the bar: a fill's
        price may have come earlier in it, or again after it); else the moment of
        its event (a fill, an order, the clock), else now."""
        span = self.result.bar_timed.get(decision_id)
        if span is not None:
            return span[0], span[1] - span[1] % self.h.bar_ns + self.h.bar_ns - 1
        d = self._decision.get(decision_id)
        at = (d.event_ns or d.ts_ns) if d is not None else now
        return at, at

    def _riskd_fill_ahead(self, cid: str, live: LiveClose, now: int) -> bool:
        """riskd's own fill of the contract, closing the guarded position, still to be played,
        from now and within MATCH_WAIT_NS after riskd's decision (a fill of riskd's before that
        decision is another close's), and of an order of that close when its result named them
        all (LiveClose.may_be_carried_by)."""
        closing = SIDE_BUY if self.book.side(cid) < 0 else SIDE_SELL
        return any(f.contract_id == cid and f.side == closing and f.ts_ns >= now
                   and live.ts_ns <= f.ts_ns <= live.ts_ns + MATCH_WAIT_NS
                   and live.may_be_carried_by(f)
                   and f.trade_id not in self._played for f in self._riskd_fills)

    def _joins_riskd(self, cmd: Command, held: list[str]) -> list[str]:
        """The contracts of a close (a flatten: every one held) whose close is already in
        flight for riskd's own fill (_as_riskd_did): live, that one fill closed them for both
        commands, so they are not closed again at a bar price. The command waits, as the
        first of them, for riskd's fill, which carries it out too (trial 20b: riskd's
        daily_unrealized_loss close of MNQ was in flight for riskd's fill at 03:09:12, 20885.25,
        when the ES fill's realized loss set off a flatten at 03:09:04; the replay flattened
        MNQ at once at the one-minute bar's open and close, about 21001, a price MNQ was far
        from then, and read guarded +232.50 better than riskd's own fills)."""
        if cmd.mode == ALERT or cmd.action not in CLOSING:
            return []
        targets = self.book.open_contracts() if cmd.action == FLATTEN else [cmd.contract_id]
        joined = [cid for cid in targets if cid and cid not in held and self._by_riskd.get(cid)]
        if joined and not held:          # a command held already has its result coming
            first = self._by_riskd[joined[0]][0]
            self._by_riskd[joined[0]].append((cmd, self._rule_of(cmd), first[2]))
        return joined

    def _closed_by_riskd(self, fill: Fill, now: int) -> bool:
        """An entry made while locked that riskd, guarding the day, let fill and then closed
        (its records: a lockout close or reduce of that contract within a bar and a second,
        and riskd's own fill still ahead, within MATCH_WAIT_NS of it): it is not blocked, so
        the engine's lockout enforcement closes it as live and riskd's fill carries that
        close out."""
        near = self.h.bar_ns + 1_000_000_000
        live = [c for c in self._live if c.rule == LOCKOUT_RULE and c.contract_id ==
                fill.contract_id and c.action in (CLOSE_POSITION, REDUCE_POSITION)
                and abs(c.ts_ns - now) <= near and same_set_off(c, (now, now))]
        return any(f.contract_id == fill.contract_id and f.side != fill.side and f.ts_ns >= now
                   and c.ts_ns <= f.ts_ns <= c.ts_ns + MATCH_WAIT_NS
                   and f.trade_id not in self._played for f in self._riskd_fills for c in live)

    def _carried_by_riskd(self, fill: Fill, closed: int, now: int) -> None:
        """riskd's own fill: the commands left in flight for it on its contract are done, as
        live, with that fill's order named as theirs; the contracts it closed of the guarded
        position (`closed`: none when the book's removed contracts took it all) are the
        rule's closed. A position it left open is judged again by the engine. Only the
        commands whose own decision of riskd's this fill can carry out: one riskd made before
        the fill, within MATCH_WAIT_NS of it (trial 20a: the fill of riskd's lockout reduce at
        02:14:16 carried out the replay's daily_unrealized_loss close matched with riskd's
        close of 02:14:41 too, so the replay closed again at a bar price and listed that as a
        close riskd did not make); the others stay in flight for their own fill. Of those,
        the ones whose order it is, as riskd's results named it (_waiting_for): each rule is
        credited the contracts of its own close."""
        ours = self._waiting_for(fill)
        rest = [w for w in self._by_riskd.pop(fill.contract_id, []) if w not in ours]
        if rest:
            self._by_riskd[fill.contract_id] = rest
        if not ours and closed:
            self._unawaited(fill, closed, now)
        if ours:
            self._took_more(fill, ours, now)
        for i, (cmd, rule, live) in enumerate(ours):
            if i == 0:
                self.book.rules[rule].contracts_closed += closed
            if self.result.flat_found.get(cmd.decision_id) and live.finished_ns > now:
                # a flatten split between this fill and a contract it found flat: done when
                # riskd's result came, not at this fill (the contract found flat stays in
                # flight until then, as live, for the trader's fill that closed it)
                bisect.insort(self._results, (live.finished_ns, cmd), key=lambda r: r[0])
                continue
            named = [] if fill.order_id is None else [CloseOrder(
                order_id=fill.order_id, contract_id=fill.contract_id, side=fill.side,
                size=fill.size)]
            # riskd's records hold its own result of this very close (settled): the result
            # names the orders riskd's did (and the replay's own bar-price closes of it), all
            # of them, as live; so a fill of the trader's on a contract it found flat, which
            # the engine took for the close's while it was in flight, is the trader's again
            # (a flatten that closed MNQ and found ES flat: the trader's ES sale stayed riskd's)
            own = live.settled and self.result.riskd_own.get(cmd.decision_id) is live
            if own:
                named = list(live.close_orders) + self._made.pop(cmd.id, [])
            self._feed(self.engine.on_result(CommandResult(
                command_id=cmd.id, account_id=cmd.account_id, status="done",
                action=cmd.action, rule=cmd.rule, finished_ns=now, close_orders=named,
                orders_known=own), now), now)

    def _took_more(self, fill: Fill, ours: list, now: int) -> None:
        """riskd's own fill that carried out the replay's closes left in flight for it, larger
        than what they were to close when decided (the guarded position then, a reduce's cut
        to its target): it took contracts the trader opened after that decision too (an unlock
        while riskd's flatten was at the broker, then a buy: trial25c F1/F4.3, "closed MNQ +2"
        of a long 1 and the buy made after the unlock). Played as it happened (riskd's fill),
        and said, never paired silently."""
        cid = fill.contract_id
        expect = 0
        for cmd, _rule, _live in ours:
            held = self._held_at.get(cmd.id, {}).get(cid)
            if held is None:
                return               # a close joined to another's fill: not known here
            cut = held - cmd.target if cmd.action == REDUCE_POSITION and cmd.target is not None \
                else cmd.size if cmd.action == REDUCE_POSITION and cmd.size else held
            expect += max(0, min(cut, held))
        if fill.size <= expect:
            return
        _cmd, _rule, live = ours[0]
        after = [f.ts_ns for f in self.h.fills if f.contract_id == cid and not f.voided
                 and live.ts_ns < f.ts_ns < fill.ts_ns and f.trade_id not in
                 {x.trade_id for x in self._riskd_fills}]
        made = (f"; your fills of {symbol_of(cid)} after that decision: "
                + ", ".join(fmt_ts(t, self.zone) for t in after)) if after else ""
        self.result.notes.append(
            f"riskd's {live.rule} {live.action} decided at {fmt_ts(live.ts_ns, self.zone)} "
            f"was carried out by its fill of {symbol_of(cid)} {fill.size} at "
            f"{fmt_ts(now, self.zone)}, {fill.size - expect} more than the {expect} it was to "
            f"close when decided: it took contracts opened after that decision too{made}; the "
            f"replay plays riskd's fill as it happened, so guarded follows it there")

    def _late_of(self, fill: Fill) -> Optional[tuple[Command, str, LiveClose]]:
        """The close whose lost call riskd's fill carries out late (_late_cut), if any: the
        first on its contract whose result came before the fill, within MATCH_WAIT_NS."""
        waiting = self._late.get(fill.contract_id, [])
        for w in waiting:
            if w[2].finished_ns <= fill.ts_ns <= w[2].ts_ns + MATCH_WAIT_NS:
                waiting.remove(w)
                return w
        return None

    def _unawaited(self, fill: Fill, closed: int, now: int) -> None:
        """riskd's own fill that closed contracts of the guarded position while no close of the
        replay's was in flight for it. Its contracts count for the rule whose close made its
        order, as riskd's records have it (trial24b F3: the admin's kill switch, heard by its
        result after its fill, read `admin ... CLOSED 0` though it closed MNQ 1 live). A close
        the replay made and matched with that decision of riskd's, already carried out by an
        earlier fill, closed nothing more in the replay's engine: this fill closed a position
        the replay finds no rule breached for (riskd's wrongful closes of a re-entry, fixed
        live by e10c777f, read DIFFERENCE 0.00 with no note); it is played as riskd's, as it
        happened, and said so in the notes. A person's action is the person's; a decision the
        replay did not make at all is said by agree's notes already."""
        live = next((c for c in self.records.closes
                     if any(o.order_id == fill.order_id for o in c.close_orders)), None) \
            if fill.order_id is not None else None
        if live is None:
            # a fill no result named, after the result of a close whose call on the contract
            # got no answer: that call carried out late, as riskd's history names it (trial25b
            # F3: the late cut of max_contracts decided at 16:50:03 was credited to the lockout
            # reduce of 16:49:26, a matched decision its own fill had carried out at 16:49:43)
            live = max((c for c in self.records.closes if fill.contract_id in c.lost_on
                        and c.finished_ns and c.finished_ns <= fill.ts_ns
                        and c.ts_ns <= fill.ts_ns <= c.ts_ns + MATCH_WAIT_NS),
                       key=lambda c: c.ts_ns, default=None)
        for among in (self.result.riskd_own.values(), self._live):
            if live is None:
                # records without the orders: the latest decision of riskd's (one the replay
                # matched, else one it has not made, or not yet) that this fill can carry out
                # (made before it, within MATCH_WAIT_NS)
                live = max((c for c in among if c.contract_id in (fill.contract_id, None)
                            and c.ts_ns <= fill.ts_ns <= c.ts_ns + MATCH_WAIT_NS
                            and c.may_be_carried_by(fill)), key=lambda c: c.ts_ns,
                           default=None)
        if live is None:
            # a person's kill switch, which risk hears by its result, after its fills
            live = next((c for c in self._persons if c.contract_id in (fill.contract_id, None)
                         and fill.ts_ns <= c.ts_ns <= fill.ts_ns + MATCH_WAIT_NS
                         and c.may_be_carried_by(fill)), None)
        if live is not None:
            self.book.rules[live.rule].contracts_closed += closed
            if persons.is_persons(live) or live in self._live:
                return
        made = f" (its {live.rule} {live.action} decided at {fmt_ts(live.ts_ns, self.zone)})" \
            if live is not None else ""
        self.result.notes.append(
            f"riskd closed {symbol_of(fill.contract_id)} {closed} at {fmt_ts(now, self.zone)}"
            f"{made}; the replay finds no rule breached then: it plays riskd's fill as it "
            f"happened, so guarded follows it there")

    def _waiting_for(self, fill: Fill) -> list[tuple[Command, str, LiveClose]]:
        """The commands in flight that riskd's own fill carries out: those whose matched
        decision of riskd's came before the fill, within MATCH_WAIT_NS of it, and, of those,
        the ones whose order it is as riskd's records have it (the close orders riskd's result
        named). A command whose result named other orders only is another fill's: two cuts of
        one buy (max_contracts 3 -> 2, then max_contracts_per_instrument 2 -> 1), each carried
        out by a sell of its own, were both done by the first sell and credited to the first
        rule (round 22, inst22: the per-rule table's 2 and 0 where riskd closed 1 and 1).
        With no such word of any of them (records without the orders), every one of them."""
        timely = [w for w in self._by_riskd.get(fill.contract_id, [])
                  if w[2].ts_ns <= fill.ts_ns <= w[2].ts_ns + MATCH_WAIT_NS]
        if fill.order_id is None:
            return timely
        own = [w for w in timely if not w[2].close_orders
               or any(o.order_id == fill.order_id for o in w[2].close_orders)]
        return own or timely

    def _rule_of(self, cmd: Command) -> str:
        """Who to credit: a lockout's enforcement belongs to the rule that set the lockout."""
        if cmd.rule != LOCKOUT_RULE:
            return cmd.rule
        locks = self.engine.lockouts.covering(self.aid, symbol_of(cmd.contract_id)
                                              if cmd.contract_id else None)
        return locks[0].rule if locks else cmd.rule

    def _price(self, cid: str, now: int) -> Optional[Decimal]:
        """The price a close of riskd's is carried out at: the price played at this moment (a
        fill's, or the bar price that set the close off). At a moment inside a bar that is none
        of its prices (a grace running out, a lockout's timer, an order event, another
        contract's fill): the price of the contract's fill nearest that moment inside the same
        bar (the trader's or riskd's own close, in the history: a price the contract really
        traded at, at a known moment; _traded), else, with no fill in the bar, the bar's worst
        price for the position held (its low for a long, its high for a short:
        events.bar_price's adverse extreme), so a close is never carried out at a price better
        than the market may have been then. The bar's open and close weighted by the moment
        (rep18b) read guarded figures riskd could not have had (trial 20b, Demo 1: a flatten
        at 03:09:04 closed MNQ at about 21001 with MNQ at 20880, +232.50; riskd's own fill 8 s
        later in that minute was 20885.25); the bar's worst alone read a grace close 45 s into
        a minute at its low, 20980, 10 s after the trader's buy there at 21000 (replaychk20:
        -41.00 where the trader made +23.00). With one-second bars all of it is that second's."""
        bar = self.bar.get(cid)
        c = self.h.contracts.get(cid)
        side = self.book.side(cid)
        if bar is not None and c is not None and self._quoted.get(cid) != now and \
                bar.ts_ns <= now < bar.ts_ns + self.h.bar_ns:
            traded = self._traded_in(cid, bar.ts_ns, bar.ts_ns + self.h.bar_ns, now)
            if traded is not None:
                return traded
            return bar_price(bar, 1, side) if side else \
                price_within(bar, now, self.h.bar_ns, c.tick_size)
        price = self.engine.market.price(cid)
        return price if price is not None else self.last_fill_price.get(cid)

    def _traded_in(self, cid: str, start: int, end: int, now: int) -> Optional[Decimal]:
        """The price of the contract's fill nearest `now` within [start, end) (the earlier one
        of two as near), or None when it has no fill there."""
        fills = self._traded.get(cid, [])
        i = bisect.bisect_left(fills, (now,))
        near = [fills[j] for j in (i - 1, i) if 0 <= j < len(fills)
                and start <= fills[j][0] < end]
        if not near:
            return None
        return min(near, key=lambda f: (abs(f[0] - now), f[0]))[1]

    def _carry_out(self, cmd: Command, now: int, skip: tuple | list = (),
                   held: tuple | list = ()) -> list:
        """The command done on the guarded book: riskd's fills, positions, cancelled orders;
        the contracts in `skip` are closed by riskd's own fill ahead (_joins_riskd), those in
        `held` are left in flight as they were live (_as_riskd_did): neither closed nor their
        orders cancelled here (riskd's own cancels of them are in the history)."""
        if cmd.mode == ALERT:
            return []
        rule = self._rule_of(cmd)
        events: list = []
        if cmd.action in (CLOSE_POSITION, REDUCE_POSITION, FLATTEN):
            targets = self.book.open_contracts() if cmd.action == FLATTEN else [cmd.contract_id]
            size = cmd.size if cmd.action == REDUCE_POSITION else None
            for cid in targets:
                if cid in skip or cid in held:
                    continue
                if cmd.action == REDUCE_POSITION and cmd.target is not None:   # down to it
                    size = max(0, abs(self.book.book(cid).guarded) - cmd.target)
                price = self._price(cid, now)
                before = self.book.book(cid).guarded
                done = self.book.close(cid, size, price, now, rule) if price is not None else None
                self._sized(cid, before, now)
                if done is not None:
                    events += list(done)
                    self._point(now)
                    if held:         # named in its result, riskd's (_results_due)
                        self._made.setdefault(cmd.id, []).append(CloseOrder(
                            order_id=done[0].order_id, contract_id=cid,
                            side=done[0].side, size=done[0].size))
                    if cmd.id not in self._matched:
                        self._own.append((now, cmd.rule, cmd.action, cid))
                    elif cmd.id in self._no_fill:
                        self._unfilled.append((self._no_fill.pop(cmd.id), now))
                elif self._engine_holds(cid) != self.book.book(cid).guarded:
                    events += self._disagree(cmd, cid, price, now)
            if cmd.action != REDUCE_POSITION and cmd.contract_id not in held:
                # closing a contract closes its orders (not those of a contract left in flight)
                events += self._cancel(None, None if cmd.action == FLATTEN else cmd.contract_id,
                                       rule, now, held)
            if events and self.start_balance is not None:
                events.append(AccountUpdate(account_id=self.aid, name=self.h.name,
                                            can_trade=True,
                                            balance=self.start_balance + self.book.guarded_total))
        elif cmd.action == CANCEL_ORDERS:
            events += self._cancel(cmd.order_id, cmd.contract_id, rule, now)
        return events

    def _engine_holds(self, cid: str) -> int:
        acct = self.engine.accounts.get(self.aid)
        return acct.signed(cid) if acct is not None else 0

    def _disagree(self, cmd: Command, cid: str, price: Optional[Decimal], now: int) -> list:
        """A close the guarded book cannot do, said once per contract in the replay's notes.
        Without a price yet the close waits for one; where riskd's state holds what the book
        does not, the engine is given the book's position, so the close is not sent again and
        again (trial16g: 1,360 closes of a position the book never held)."""
        b = self.book.book(cid)
        if price is None and b.guarded:
            why, events = "no price for it yet: done at the first price", []
        else:
            why = (f"the replayed book holds {b.guarded:+d} where riskd's state held "
                   f"{self._engine_holds(cid):+d}: riskd's state set to the book's")
            events = [self.book.position(cid, now)]
        if (cid, why) not in self._said:
            self._said.add((cid, why))
            self.result.notes.append(f"{fmt_ts(now, self.zone)} {cmd.rule} {cmd.action} "
                                     f"{symbol_of(cid)}: not done ({why})")
        return events

    def _cancel(self, order_id: Optional[int], contract_id: Optional[str], rule: str,
                now: int, held: tuple | list = ()) -> list[OrderUpdate]:
        acct = self.engine.accounts.get(self.aid)
        working = list(acct.orders.values()) if acct is not None else []
        out = []
        for o in working:
            if (order_id is not None and o.order_id != order_id) or \
                    (contract_id is not None and o.contract_id != contract_id) or \
                    o.contract_id in held or \
                    (order_id is None and o.order_id == self._filling):
                continue
            self.cancelled[o.order_id] = rule
            out.append(attrs.evolve(o, status=STATUS_CANCELLED, updated_ns=now))
        if order_id is not None and order_id not in self.cancelled:
            self.cancelled[order_id] = rule      # not seen working yet: it will not fill
        return out


def same_set_off(live: LiveClose, span: tuple[int, int]) -> bool:
    """riskd's decision was set off within the span that set the replay's off (give or take
    SET_OFF_SLACK_NS): the same fill, the same clock moment, a price of the same bar. A
    lockout's close of one entry is never another entry's (trial22c 3a)."""
    return span[0] - SET_OFF_SLACK_NS <= live.set_off_ns <= span[1] + SET_OFF_SLACK_NS


def fmt_ts(ts_ns: int, tz: dt.tzinfo) -> str:
    return agree.when(ts_ns, tz)


def replay_account(engine: Engine, history: AccountHistory,
                   records: Optional[RiskdRecords] = None) -> AccountReplay:
    return Runner(engine, history, records).run()


def ids():
    """Deterministic decision ids for a replay (r1, r2, ...)."""
    counter = itertools.count(1)
    return lambda: f"r{next(counter)}"
