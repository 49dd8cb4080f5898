"""The risk engine: applies broker events to the account state, runs the rules, keeps lockouts.

Pure: no sockets, no disk; every entry point takes `now` (UTC ns) and returns an Outcome
(decisions, warnings, lockout changes, enforcement commands, trades to persist) that the
worker commits to its store BEFORE publishing anything.

Per event: roll the trading day if due; update the state; enforce active lockouts (a new order
in a locked scope is cancelled, a position opened there is closed); run the enabled rules that
listen to this kind of event; warn once per rule, account and trading day at warn_at.
Per decision: alert-mode decisions are recorded once per breach, with no lockout and with what
enforce mode would have done (services/risk/alertmode.py), and sent as alert commands
(enforcement only describes them);
a lockout is merged into the book (a longer timer replaces a shorter one). Actions are never
dropped: a decision asking for more than the lockouts in force do (a flatten under a cooldown
that did not flatten, a self-lockout) is carried out; only the same action for the same
lockout is not taken twice, and an action already in flight for the same target is not sent
again until its result arrives. One that enforcement gave up on is tried again while its reason
holds (services/risk/retries.py); one held for the closed market, of a rule that set no
lockout, is withdrawn once that rule no longer breaches for its target (waitjudge.py).
Order independence: the account state reads realized and open PnL as of the same fills
(services/risk/ahead.py); lockout enforcement acts only on exposure no earlier event of the
same fill showed. riskd's own exits (services/risk/exits.py) are expected when a closing
command is issued, and the fills that match are marked as riskd's. After a restart, until
market's complete snapshot, enforcement reads positions and orders against what the account
held before (services/risk/carried.py): what existed when a lockout started is not new.
A rule change in force now (a tightening, an override) is judged at once on what each account
holds (rejudge; services/risk/rejudge.py says which rules), not at the account's next event;
so is an account guarded again (`accounts enable`), with every one of those rules.
tick(now) drives time: the roll (daily counters reset, until-reset lockouts end, timers and
manual lockouts stay), expiring timers, and the clock rules (grace periods, session ends).
Every end of a lockout (the clock, the roll, the broker, the config, an unlock) goes through
lockouts_ended, which withdraws what was sent for it and has not run (withdraw.py).
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import Decimal
from typing import Callable, Optional

import attrs

from services.risk.acting import Acting, Flattened
from services.risk.afterclose import Closes, during_note, opened_note, riskds_close_before
from services.risk.alertmode import AlertBook
from services.risk.carried import Carried
from services.risk import eitherway
from services.risk import closelock
from services.risk.disabled import Off, held_now, not_guarded_words
from services.risk.exits import SKEW_NS
from services.risk.latecarried import late_cancel, late_close_note, left_working
from services.risk.closefills import CloseFills
from services.risk.coldahead import ahead_of
from services.risk.lockedwarn import while_locked, with_words
from services.risk.lockouts import LockoutBook, lock_key
from services.risk.moves import PendingMoves
from services.risk.outbox import Outbox
from services.risk.pastlimits import ended_past, holding, still_past, with_past
from services.risk.outcome import Outcome, merge
from services.risk import rejudge
from services.risk.rejudge import JUDGED_NOW
from services.risk.retries import Retrying
from services.risk.snapsteps import in_broker_order
from services.risk.waitjudge import WaitJudging
from services.risk.withdraw import Withdrawing
from services.risk.rules import RULES
from services.risk.rules.base import (ACCOUNT, CLOCK, POSITION, QUOTE, TRADE, ClockTick, Ctx,
                                      PriceMoves, kind_of, roll_end)
from services.risk.state import AccountState, MarketView, symbol_of
from services.risk.words import ADMIN, command_in, what, who
from services.risk import takeback
from shared import latewords
from shared.currentends import current_ends
from shared.retrying import is_kill_switch
from shared.trywords import decision_of
from shared.rulenumbers import line_word
from shared.accountname import account_called
from shared.outcomewords import acted_cell
from shared.unjudged import why as unjudged_why
from shared.messages.enforce import (DONE, FINAL_STATUSES, WITHDRAWN, CommandResult,
                                     closed_nothing)
from shared.messages.market import (ORDER_MARKET, POSITION_LONG, SIDE_SELL, STATUS_CANCELLED,
                                    AccountUpdate, BrokerConnection, ContractInfo, Fill,
                                    MarketSnapshot, OrderUpdate, PositionUpdate, Quote)
from shared.messages.risk import (ALERT, CLOSE_POSITION, ENFORCE, FLATTEN, MODIFY_STOP,
                                  LISTED, LISTED_AGAIN, REDUCE_POSITION, TIMER, Decision,
                                  RuleWarning)

log = logging.getLogger(__name__)

QUOTES = object()          # apply_snapshot: where the snapshot's quotes are judged

WARN_LOOK_NS = 100_000_000      # warn_at checks on quotes: at most every 0.1 s per rule/account
                                # (one skipped is owed: the tick after the 0.1 s takes it)
DEFER_NS = 1_000_000_000        # a Position event's rules wait this long at most for its fill
OPEN_PNL = "*open-pnl*"       # _run(only=OPEN_PNL): the rules that read open PnL (reads_open_pnl)
PRICE_FIRST = frozenset({TRADE, ACCOUNT})    # steps whose open PnL is judged before their rules
# the steps of the rules that read positions (their size, open PnL, cover): held on an account
# whose positions market's incomplete snapshot did not confirm (Engine.unsure)
BOOK_KINDS = frozenset({POSITION, QUOTE, CLOCK})
# the rules on positions that wait while an account's positions are in doubt (market's
# incomplete snapshot did not list them: _unsure_of), each as the step it is judged as once
# the doubt ends: those rejudge.JUDGED_NOW judges on the book, and symbol_blocks (a position
# step, as recheck runs it: a blocked symbol opened meanwhile is closed then)
WAITED: dict[str, tuple[str, str]] = {
    **{n: step for n, step in JUDGED_NOW.items() if step[0] in BOOK_KINDS},
    "symbol_blocks": (POSITION, "recheck")}


def new_id() -> str:
    return uuid.uuid4().hex[:20]


class Engine(Acting, Retrying, Withdrawing, WaitJudging):
    def __init__(self, calendar, settings, *, ids: Callable[[], str] = new_id,
                 allow_unlock: bool = True, outbox: Optional[Outbox] = None, rules=None):
        self.calendar = calendar
        self.settings = settings            # .for_account(AccountState) -> RulesConfig | None
        # the symbols symbol_blocks' list in force names, per account, as last said (_listed)
        self.listed_said: dict[int, frozenset] = {}
        # who closed what, for the note of a trader's fill that opened a position right after
        # riskd's close of that contract (services/risk/afterclose.py; words only)
        self.after_closes = Closes()
        self.close_fills = CloseFills()      # riskd's closes done, their fills not all in yet
        self.taken_under: dict[str, object] = {}   # lockout id -> its rule's setting then
        self.rules = RULES if rules is None else rules
        self._listeners = None          # (the rule table, kind -> its listeners): _listening
        # contracts with a position event since their last quote: only there can a quote that
        # moved no price be the first to value a new position (_quote_moves; without it, each
        # such quote looked at every account: 8 % of risk's time at 500 accounts in a storm)
        self._opened_unquoted: set[str] = set()
        self.pending = PendingMoves()     # prices taken, rules not yet judged (take_quotes)
        self.ids = ids
        self.allow_unlock = allow_unlock
        self.market = MarketView()
        self.quiet = None       # a held price gone stale (services/risk/quietfeed.py): the worker's
        self.accounts: dict[int, AccountState] = {}
        self.lockouts = LockoutBook(ids, name_of=self.account_name)
        self.outbox = outbox or Outbox()
        self.day: Optional[dt.date] = None
        self.warned: set[tuple[int, str, dt.date]] = set()
        # a warning's id -> (its warned key, rule, params, reading): _run judges it again
        self._warn_keys: dict[str, tuple] = {}
        self._depth = 0                             # _run's nesting (a step's own run: 1)
        self.alert_book = AlertBook()                  # alert mode's breaches (alertmode.py)
        self.noted_behind: set[tuple] = set()        # breaches recorded behind another's command
        # cut command -> (account, contract, when said): lockout cuts left to it said the
        # contract ends flat (a close beside it): acting.py _flat_not_yet
        self.flat_promised: dict[str, tuple] = {}
        self.inflight: dict[tuple, str] = {}           # target key -> command id
        self.flattened: dict[int, Flattened] = {}       # each account's latest flatten
        self.stops_moved: dict[tuple, tuple] = {}       # (account, order) -> (stop, done ns)
        # position rules waiting for the fill of a Position event that came first: (account,
        # contract) -> (event, change, event_ns, since)
        self._deferred: dict[tuple, tuple] = {}
        self._key_of_command: dict[str, tuple] = {}
        self._warn_looked: dict[tuple, int] = {}
        # (account, rule) -> when its warn_at look skipped on a quote is due (_owed_looks)
        self._warn_owed: dict[tuple, int] = {}
        self._roll_at = 0                              # the next roll, UTC ns
        self._missed_roll: set[int] = set()
        self.holiday_files: dict[str, frozenset] = {}   # session_block_outside holidays_file
        self.acted: dict[tuple, set] = {}              # lockout key -> targets acted on
        self.failing: dict[tuple, object] = {}         # target key -> Failing (retries.py)
        self.ended_failing: dict[str, tuple] = {}      # decision -> (account, how it ended)
        self.carried_late: dict[str, str] = {}         # decision -> its late close (retries.py)
        self._told_waiting: dict[str, int] = {}        # commands said to wait (marketwait.py)
        self.market_waiting: dict[str, int] = {}       # ... held for the market now (waitjudge.py)
        self.unneeded: dict[str, object] = {}          # ... withdrawn: no longer needed
        self.withdrawing: dict[str, object] = {}       # id -> WithdrawCommand (withdraw.py)
        self._synced: set[int] = set()                 # accounts a snapshot has set up
        self._cold: set[int] = set()                   # ... being set up by the first one
        # account id -> the working orders of the snapshot being applied (carried.cover_start)
        self._snap_orders: dict[int, list] = {}
        self._snap_fills: dict[int, list] = {}      # ... its fills (coldahead.py), and
        self._snap_read = 0                          # when market's broker read began
        self.carried: dict[int, Carried] = {}          # held before a restart, until synced
        self.off: dict[int, Off] = {}                  # disabled by an admin (disabled.py)
        # accounts market's last snapshot read from the broker (complete): risk's book of them
        # is the broker's state, so a self-lockout may see that there is nothing to flatten
        self.known_whole: set[int] = set()
        # a broker read begun at or after this settles every disagreement of fills and a
        # Position or the balance past the window (state.py stale_since); 0: none wanted
        self._read_after = 0
        # account -> the contracts of its book's positions that market's incomplete snapshot
        # (market restarted, the broker not read yet) did not list and no live Position event
        # has shown since: they may have closed while market was down. The rules that read
        # positions wait for market's complete snapshot on such an account (_judge).
        self.unsure: dict[int, set[str]] = {}
        self.unsure_since: dict[int, int] = {}     # account -> when its doubt began (risk's ns)
        self._snapping = False          # a snapshot's steps are being applied (not live news)

    # -- accounts -------------------------------------------------------------------------
    def account_name(self, account_id: int, broker_name: str = "") -> str:
        """How risk's notices and answers name the account: 'Demo 1 (id 1001)'
        (shared/accountname.called), by the config in force (the broker's name, else its id,
        for an account it does not list), as notify's titles do."""
        accounts = getattr(getattr(self.settings, "config", None), "accounts", ())
        return account_called(accounts, account_id, broker_name or self.broker_name(account_id))

    def account(self, account_id: int) -> AccountState:
        acct = self.accounts.get(account_id)
        if acct is None:
            acct = self.accounts[account_id] = AccountState(account_id, trading_day=self.day)
        return acct

    def start(self, now: int) -> None:
        if self.day is None:
            self.day = self.calendar.trading_day(now)
            for acct in self.accounts.values():
                acct.trading_day = acct.trading_day or self.day

    # -- time --------------------------------------------------------------------------------
    def moved_calendar(self, calendar, now: int) -> None:
        """A reloaded [trading_day]: its roll time applies from the next roll, the day in
        progress keeps the end it has (shared/tradingday.py, "A moved roll"; a file edited by
        hand without roll_changed_after too: never an instant roll, never a day back)."""
        self.calendar = calendar.keeping(self.calendar, now)
        if self.day is not None:
            self._roll_at = self.calendar.end_of(self.day)

    def _maybe_roll(self, now: int, out: Outcome) -> None:
        if self.day is not None and now < self._roll_at:
            return                          # the common case, without any calendar work
        day = self.calendar.trading_day(now)
        self._roll_at = self.calendar.end_of(day)
        if self.day is None:
            self.start(now)
            return
        if day == self.day:
            return
        for acct in self.accounts.values():
            self._roll_hooks(acct)
            acct.roll(day, now)
            out.dirty.add(acct.account_id)
        self.lockouts_ended(self.lockouts.roll(now), now, out)
        before = {a.account_id: self.settings.for_account(a) for a in self.accounts.values()}
        self.settings.roll(now)
        merge(out, self.guarding_changed(before, now, ""))
        for acct in self.accounts.values():
            self._lift_unlisted(acct, now, out)     # a waiting change the roll applied
        self.day = day
        self.warned = {w for w in self.warned if w[2] == day}
        self.alert_book.roll(now)
        self.noted_behind = {k for k in self.noted_behind    # while their command waits
                             if (command_in(k[2]) or "") in self.outbox.entries}
        out.rolled = day
        log.info("trading day rolled to %s", day)

    def _roll_hooks(self, acct: AccountState) -> None:
        cfg = self.settings.for_account(acct)
        if cfg is None:
            return
        ctx = self._ctx(acct)
        for name, rule in self.rules.items():
            params = getattr(cfg, name)
            if params.enabled:
                rule.roll(ctx, params)

    def guarding_changed(self, before: dict, now: int, by: str, reason: str = "") -> Outcome:
        """Rules in force changed (a reload, an override, the roll); before: account id ->
        rules in force until now. An account no longer guarded keeps who, when, why and what
        it held; one guarded again closes what it opened while disabled under a lockout still
        in force (services/risk/disabled.py)."""
        out = Outcome()
        for aid, old in before.items():
            acct = self.accounts.get(aid)
            if acct is None:
                continue
            new = self.settings.for_account(acct)
            if old is not None and new is None:
                self.off[aid] = Off(by, reason, now, held_now(acct))
                self.withdraw_unguarded(aid, by, now, out)
                out.dirty.add(aid)
            elif old is None and new is not None:
                off = self.off.pop(aid, None)
                held = off.held if off is not None else Carried()
                for d in self.lockouts.guarded_again(acct, held, now):
                    self._take(d, now, out)
                # judged at once with every rule, as a restart judges it: a breach held while
                # disabled is acted on now, not at the trader's next trade (trial: max_contracts
                # 3/2 150 % for a minute after `accounts enable`, nothing in history)
                self._judge_rules(acct, JUDGED_NOW, now, out)
                out.dirty.add(aid)
        return out

    def waits_for_market(self, account_id: int) -> bool:
        """Does an action of the account still in the outbox wait for the market to open
        (enforcement's result said so: services/risk/marketwait.py)?"""
        entries = self.outbox.entries
        return any(cid in entries and entries[cid].command.account_id == account_id
                   for cid in self._told_waiting)

    def not_guarded(self, account_id: int) -> str:
        """'' while risk guards the account, else why not ('disabled by admin:root at ...')."""
        acct = self.accounts.get(account_id)
        if acct is None or self.settings.for_account(acct) is not None:
            return ""
        return not_guarded_words(self.off.get(account_id), getattr(self, "zone", None)
                                 or dt.timezone.utc)

    def unjudged(self, account_id: int) -> tuple[int, str]:
        """(since when, why) the rules on the account's positions wait (unsure: market's
        incomplete snapshot did not list them); (0, '') while they judge."""
        gone = self.unsure.get(account_id)
        if not gone:
            return 0, ""
        return self.unsure_since.get(account_id, 0), unjudged_why(gone)

    def missed_rolls(self, account_ids) -> None:
        """Risk was down over a roll: the end-of-day balance of the missed roll is unknown, so
        the roll hooks do not run (the drawdown mark stays the last one taken; today's
        intraday balance is never taken as an end-of-day balance)."""
        self._missed_roll.update(account_ids)

    def tick(self, now: int) -> Outcome:
        """Time passed: roll, expire lockouts, run the clock rules."""
        out = Outcome()
        self.judge_moved(now, out)          # prices taken before it (moves.py)
        self._maybe_roll(now, out)
        expired = self.end_due(now, out)
        if self.acted and out.rolled and not expired:
            self._forget_acted()
        if self.failing:                # only while an action failed: nothing to do otherwise
            self._check_failing(now, out)
        if self.market_waiting or self.outbox.unanswered:    # only while one waits
            self._judge_waiting(now, out)
        if self._warn_owed:
            self._owed_looks(now, out)
        tick = ClockTick(now)
        for (aid, cid), held in list(self._deferred.items()):
            if now - held[3] >= DEFER_NS and aid in self.accounts:
                self._run_deferred(self.accounts[aid], cid, now, out, force=True)
        read_after = 0
        for acct in self.accounts.values():
            if acct.pending:
                read_after = max(read_after, acct.stale_since(now))
            if acct.riskd.expected and acct.riskd.prune(now):
                out.exits.add(acct.account_id)
                if acct.riskd.unmet and (acct.positions or acct.orders):
                    # a done command's exit forgotten with contracts it never got: they are
                    # open after all (a lockout's growth put on a reduce in flight that read
                    # the position after it grew and cut only its own: trial 2026-12-06, 4 MNQ
                    # held against max_contracts 2, "Done", and nothing judged it again)
                    self._run(acct, POSITION, tick, now, "recheck", now, out)
                    for cid, down_to, issued_ns in acct.riskd.unmet_cuts:
                        # growth a lockout's cut stood behind a reduce for, bought after that
                        # reduce's last read: the lockout cuts it itself (no rule may be over)
                        for d in self.lockouts.cut_to(acct, cid, down_to, issued_ns, now):
                            self._take(d, now, out)
            if acct.riskd.unsaved():
                # a change of the saved exits no step marked (prune's own that it does not
                # report, one left by an earlier step): written in this tick's commit
                out.exits.add(acct.account_id)
            if acct.positions or acct.orders:
                self._run(acct, CLOCK, tick, now, "clock", now, out)
        self._read_after = read_after
        return out

    def read_after(self) -> int:
        """When risk wants market to have begun a broker read (market's clock, ns) so that
        the disagreements of fills and Position past the window are settled: 0 when none is
        (the worker asks market for a snapshot from such a read: app.py _ask_fresh)."""
        return self._read_after

    def stale_words(self, now: int) -> list[str]:
        """What disagrees past the window, account by account, with both figures (the
        WARNING of app.py _ask_fresh): "Demo 1 (id 1001): MNQ: the fills make long 2, the
        broker's position long 3"."""
        return [f"{self.account_name(aid)}: {what}"
                for aid, acct in sorted(self.accounts.items()) if acct.pending
                for what in acct.stale_words(now)]

    def end_due(self, now: int, out: Outcome) -> list:
        """Lockouts whose time has come end (each tick; a snapshot; risk's start, for those
        whose time ran out while it was down), withdrawing what was sent for them and has not
        run (services/risk/withdraw.py)."""
        expired = self.lockouts.expire(now)
        self.lockouts_ended(self._timed_past(expired, now), now, out)
        if expired and self.acted:
            self._forget_acted()
        return expired

    def _timed_past(self, expired: list, now: int) -> list:
        """Account-wide lockouts ended by their time, each account's with the daily limits it
        is still past (services/risk/pastlimits.py), as an unlock's: fresh-user trial 19a, a
        cooldown ended by the clock on an account past daily_realized_loss and
        daily_net_loss said only "🔓 Lockout ended" and the next buy was flattened and the
        account locked to the roll. Not across the roll (the new day's limits start afresh)."""
        if not expired or self.day is None or self.calendar.trading_day(now) != self.day:
            return expired
        out = list(expired)
        for aid in dict.fromkeys(c.lockout.account_id for c in expired):
            at = [i for i, c in enumerate(expired)
                  if c.lockout.account_id == aid and c.lockout.symbol is None]
            past = [p for p in ended_past(still_past(self, aid, now),
                                          holding(self.lockouts, aid)) if not p.window] \
                if at else []
            for i, told in zip(at, with_past([expired[i] for i in at], past)):
                out[i] = told
        return out

    def _forget_acted(self) -> None:
        live = {lock_key(lk) for lk in self.lockouts.all()}
        self.acted = {k: v for k, v in self.acted.items() if k in live}

    def recheck(self, now: int) -> Outcome:
        """Rule settings changed (a reload) or accounts appeared (a snapshot): every listed
        symbol is locked, a symbol lockout whose symbol left the list ends, and symbol_blocks
        acts at once on open positions and orders in newly listed ones."""
        out = Outcome()
        self.judge_moved(now, out)          # prices taken before it (moves.py)
        self._maybe_roll(now, out)
        rule = self.rules.get("symbol_blocks")
        for acct in self.accounts.values():
            cfg = self.settings.for_account(acct)
            if cfg is None or rule is None:
                continue
            params = cfg.symbol_blocks
            self._lift_unlisted(acct, now, out)
            if params.enabled:
                # what is held in a listed symbol first: its close (or cancel) is the breach,
                # and takes the symbol's lockout with it; the lock of every listed symbol
                # after it then records only a symbol nothing was held in (trial 17a: one
                # breach read as two, "lock CL" and "done: CL closed; lock CL", in history
                # and in the alert)
                self._run(acct, "position", ClockTick(now), now, "reload", now, out,
                          only=rule.name)
                self._listed(acct, rule.listed(self._ctx(acct), params, now), now, out)
        if out.lockouts:
            self._forget_acted()
            out.dirty.update(c.lockout.account_id for c in out.lockouts)
        return out

    def _listed(self, acct: AccountState, listing: list, now: int, out: Outcome) -> None:
        """The lock of every symbol symbol_blocks lists (rule.listed): the config's block of
        the symbol, no trader's breach (trial25a N6: "⚠️ Breach symbol_blocks ... action: lock
        CL" on every account and "symbol_blocks 1" in each daily summary, though nobody traded
        CL, and again at every edit after an admin's unlock). Its lockout is published marked
        LISTED the first time the list in force names the symbol (its record kept: history,
        the edit's answer) and LISTED_AGAIN when the same list takes it again (no record: the
        unlock's alert said it would be; notify logs it only)."""
        said = self.listed_said.get(acct.account_id, frozenset())
        taken = Outcome()
        for d in listing:
            self._take(d, now, taken)
        again = {c.lockout.symbol for c in taken.lockouts if c.lockout.symbol in said}
        taken.lockouts = [attrs.evolve(c, listed=LISTED_AGAIN if c.lockout.symbol in again
                                       else LISTED) for c in taken.lockouts]
        taken.decisions = [d for d in taken.decisions
                           if d.lock is None or d.lock.symbol not in again]
        merge(out, taken)
        self.listed_said[acct.account_id] = frozenset(d.lock.symbol for d in listing)

    def _lift_unlisted(self, acct: AccountState, now: int, out: Outcome) -> None:
        """symbol_blocks' symbol lockouts of the account whose symbol its settings in force no
        longer list end: such a lockout holds "while CL is listed" (its only end), so it ends
        whenever the list in force changes, by a reload (recheck), an admin's override or
        the roll applying a waiting change. Trial25b F5: after `rules override` took MES out
        of the list, MES stayed locked and riskd closed a buy of it "while MES is listed in
        symbol_blocks"; at the roll a waiting [] left ZZZ locked until the next edit."""
        cfg = self.settings.for_account(acct)
        rule = self.rules.get("symbol_blocks")
        if cfg is None or rule is None:
            return
        params = cfg.symbol_blocks
        self.lockouts_ended(self.lockouts.symbol_blocks_lifted(
            acct.account_id, lambda sym: params.enabled and rule.blocks(params, sym), now),
            now, out)
        said = self.listed_said.get(acct.account_id)
        if said:        # a symbol the list no longer names is said again when listed again
            self.listed_said[acct.account_id] = frozenset(
                sym for sym in said if params.enabled and rule.blocks(params, sym))

    def lift_unlisted(self, account_ids, now: int) -> Outcome:
        """_lift_unlisted for these accounts (an admin's override, which judges nothing)."""
        out = Outcome()
        for aid in account_ids:
            acct = self.accounts.get(aid)
            if acct is not None:
                self._lift_unlisted(acct, now, out)
        if out.lockouts:
            self._forget_acted()
            out.dirty.update(c.lockout.account_id for c in out.lockouts)
        return out

    def rejudge(self, changes: dict, now: int) -> Outcome:
        """Rules whose settings changed now (changes: account id -> rule names, or
        rejudge.changed_rules' {rule: what the change tightened}) are judged at
        once on what each account holds, in rule order (services/risk/rejudge.py): a position
        already over a tightened limit is reduced or closed now, not at the next fill."""
        out = Outcome()
        self.judge_moved(now, out)          # prices taken before it (moves.py)
        self._maybe_roll(now, out)
        for aid in sorted(changes):
            acct = self.accounts.get(aid)
            if acct is None or self.settings.for_account(acct) is None:
                continue
            given = changes[aid]
            if not isinstance(given, dict):     # rule names alone: each judged whole
                given = dict.fromkeys(given, rejudge.WHOLE)
            held = {lk.rule for lk in self.lockouts.all(aid)}
            # a rule whose own lockout is in force judges its change whole, as before: the
            # lockout it took is not taken twice, and a longer cooldown lengthens it
            tightened = {rule: (rejudge.WHOLE if rule in held else made)
                         for rule, made in given.items()}
            self._judge_rules(acct, tightened, now, out, tightened)
            out.dirty.add(aid)
        return out

    def _judge_rules(self, acct: AccountState, names, now: int, out: Outcome,
                     tightened: dict | None = None, steps: dict = JUDGED_NOW) -> None:
        """The named rules judge what the account holds now, in rule order, each as the step
        it listens to would (steps: rejudge.JUDGED_NOW, or WAITED), with no event invented.
        tightened: rule -> the parameters a rule change made stricter (rejudge.changed_rules;
        Ctx.tightened)."""
        tick = ClockTick(now)
        for name in self.rules:
            if name in names and name in steps:
                kind, change = steps[name]
                self._run(acct, kind, tick, now, change, now, out, only=name,
                          tightened=(tightened or {}).get(name))

    # -- events --------------------------------------------------------------------------------
    def on_event(self, event, now: int) -> Outcome:
        out = self._on_event(event, now)
        # whatever changed the account's saved exits is written in this step's commit (a
        # change its code did not mark would be lost to a restart: RiskdExits.unsaved)
        aid = getattr(event, "account_id", None)
        if aid is not None and aid in self.accounts and self.accounts[aid].riskd.unsaved():
            out.exits.add(aid)
        # a cut for a cooldown that the same trade then extends names the new end
        out.decisions = current_ends(out.decisions, out.lockouts)
        return out

    def _on_event(self, event, now: int) -> Outcome:
        out = Outcome()
        self._judge_pending(event, now, out)
        self._maybe_roll(now, out)
        if isinstance(event, Quote):
            if self._quote_moves(event, now):
                self._quote_rules({event.contract_id: event}, now, out)
            return out
        if isinstance(event, ContractInfo):
            self.market.apply_contract(event)
            return out
        if isinstance(event, BrokerConnection):
            return out
        acct = self.account(event.account_id)
        live = acct.account_id not in self._cold
        sure = False        # a live Position event ended the doubt on the account (unsure)
        if isinstance(event, Fill):
            earlier = False
            late = None          # riskd's close the broker carried out after its command
            # taken by the late exits' order alone (oldest first), no reason to name it over
            # the other lost closes that fit: the note names them all (exits.others_late)
            oldest = False
            swept = None         # the flatten whose window took this fill (claim_swept)
            fresh = not event.by_riskd and not acct.knows_trade(event.trade_id)
            if fresh and self._claimed(acct, event, now) \
                    and not acct.riskd.against_facts(event, now):
                event = attrs.evolve(event, by_riskd=True)
                out.exits.add(acct.account_id)
                late, before = acct.riskd.last_late, acct.exposure(event.contract_id)
                oldest = late is not None
                late = late or self._unsent_late(acct, event, now)
                if late is None:
                    self._late_fit(acct, event, now)
                # riskd's close of an earlier position (its exits gone: the book holds a
                # later one, a snapshot listing positions before fills): not a move of the
                # position held, as the fills see it (AccountState.furthest; whose17: the
                # flatten's sell of 2 taken off the reopened 1, the lockout's close of the
                # next buy expected 1 where the broker held 2, its fill of 2 the trader's)
                earlier = acct.signed(event.contract_id) != 0 and acct.riskd.closed_earlier(
                    acct.position_id_of(event.contract_id))
            elif fresh and acct.riskd.in_flight(event.contract_id, event.side, now):
                # on the side of a close of riskd's still without its result, fitting none of
                # its exits (a close of contracts risk has not seen yet, or the trader's own):
                # riskd's until that result names its orders (_close_orders), never a trade
                # counted and taken back; if it is the trader's after all, a position it
                # opened while locked is closed then (LockoutBook.opened_by)
                event = attrs.evolve(event, by_riskd=True)
                acct.riskd.hold(event)
                self._late_fit(acct, event, now)
                out.exits.add(acct.account_id)      # saved: a restart holds it too
            elif fresh and event.pnl is not None and self._closes_all(acct, event) \
                    and acct.riskd.reversing_in_flight(event.contract_id, event.side, now):
                # the other side of riskd's close of the whole position still in flight,
                # leaving the position flat: that close carried out after the trader reversed
                # the position (long 1, the trader's sell of 2, the close's buy of 1: flip20);
                # held the same way, riskd's when the result names its order
                event = attrs.evolve(event, by_riskd=True)
                acct.riskd.hold(event, reversing=True)
                out.exits.add(acct.account_id)
            elif fresh and acct.riskd.claim_swept(
                    event, now, lambda: self._closes_all(acct, event, True),
                    lambda: self._traders_order(acct, event)):
                # a finished flatten's close of a contract risk had not seen (exits.py)
                event = attrs.evolve(event, by_riskd=True)
                out.exits.add(acct.account_id)
                swept = acct.riskd.last_swept
            change = acct.apply_fill(event, self.calendar.trading_day, now,
                                     live and not earlier)
            if change == "new":
                event = acct.trades.get(event.trade_id, event)   # with its closed part
                self.after_closes.seen(event)
            if swept is not None and change == "new":
                self._swept_parts(acct, event, swept, now, out)
            if late is not None and change == "new":
                # (also from a restarted risk's first snapshot: the broker carried it out
                # while risk was down; its orders come before its fills there)
                self._said_late(acct, late, event, before, now, out,
                                sold=self._sell_given_back(acct, late, event, now, out),
                                others=oldest)
            if change == "changed":          # as kept: whose it was stays (state.py)
                event = acct.trades.get(event.trade_id, event)
            if change == "new" and not event.by_riskd:
                self._flatten_covers(acct, event, now, out)
                self._opened_after_close(acct, event, now, out)
            if change in ("new", "changed", "old"):
                out.fills.append(event)
            if change == "new" and self.close_fills.waiting:
                out.warnings += self.close_fills.fill(acct, event, now, self.ids)
            if change in ("new", "changed"):
                out.dirty.add(acct.account_id)
                if (acct.fills_lead or acct.confirmed) \
                        and self.settings.for_account(acct) is not None:
                    for d in self.lockouts.enforce(acct, event, change, now, event.ts_ns,
                                                   self.carried.get(acct.account_id)):
                        self._take(d, now, out)
                self._run(acct, "trade", event, now, change, event.ts_ns, out)
                self._run_deferred(acct, event.contract_id, now, out)
            return out
        if isinstance(event, PositionUpdate):
            # the broker's live word on the contract (the carried starting point below too)
            confirms = live and bool(self.unsure) and not self._snapping
            if live and acct.account_id in self.carried and event.size > 0 \
                    and event.contract_id not in acct.positions \
                    and acct.known_net(event.contract_id) == _signed(event):
                # risk restarted and no complete snapshot has rebuilt its book yet (market
                # restarted too: its first snapshot was incomplete, its reconciliation comes
                # as events): a position the book does not hold, that the fills risk knew
                # before the restart make exactly, is a starting point, as in a snapshot, not
                # growth from flat no fill explains (the fills seen live after it then read a
                # short position that never was, and a trader's buy was taken for riskd's
                # close: tests/unit/risk/test_riskd_fills_across_restarts.py)
                live = False
            if confirms and self._confirmed(acct.account_id, event.contract_id):
                sure = True
            change = acct.apply_position(event, now, live)
            if acct.account_id in self._cold and change in ("opened", "increased", "reduced",
                                                            "flipped") \
                    and event.contract_id not in acct.ahead:
                self._cold_ahead(acct, event.contract_id, now)
            self._opened_unquoted.add(event.contract_id)     # maybe opened: _quote_moves
            # the trigger time of what follows: a Position payload carries only the position's
            # creationTimestamp (hours old for an added lot), no time of this update, so the
            # update happened when it arrived (risk's clock); the screen's latency is measured
            # from here to the broker's answer to riskd's order
            event_ns = now
            if change == "closed":
                acct.riskd.flat_seen(event.contract_id, now)
                out.exits.add(acct.account_id)      # saved: a restart knows it too
                self._release(lambda k: k[0] == acct.account_id and k[2] == event.contract_id
                              and k[1] in (CLOSE_POSITION, REDUCE_POSITION))
            elif change in ("opened", "flipped") and acct.riskd.has_live():
                cid, pid = event.contract_id, acct.position_id_of(event.contract_id)
                # riskd's exits there: an earlier position's, or (no id known) this one's
                if acct.riskd.earlier_position(cid, acct.opened_at(cid), pid, now) \
                        | acct.riskd.adopt(cid, pid, now):
                    out.exits.add(acct.account_id)
        elif isinstance(event, OrderUpdate):
            change = acct.apply_order(event, now)
            event_ns = event.updated_ns or event.created_ns
            if change == "new" and acct.riskd.claim_order(event, now):
                out.exits.add(acct.account_id)
            if change == "gone":
                self._release(lambda k: k[0] == acct.account_id and k[3] == event.order_id)
                if acct.riskd.gone_order(event, now):  # a stop's fill is never a late close
                    out.exits.add(acct.account_id)     # saved (exits.py dump_pending)
        elif isinstance(event, AccountUpdate):
            change = acct.apply_account(event, now)
            event_ns = now
            if change == "can_trade_back":
                self.lockouts_ended(self.lockouts.condition_cleared(acct.account_id,
                                                                    "can_trade", now), now, out)
            if acct.account_id in self._missed_roll:
                self._missed_roll.discard(acct.account_id)
                log.info("account %s: a roll was missed while risk was down; its marks stay "
                         "as last taken", acct.account_id)
        else:
            raise TypeError(f"the risk engine does not take {type(event).__name__}")
        if acct.account_id in self.carried and not isinstance(event, AccountUpdate):
            # no_stop_loss_grace's start as saved before the restart (carried.py cover_start)
            self.carried[acct.account_id].cover_start(
                acct, event.contract_id, now, self._snap_orders.get(acct.account_id, ()))
        if change == "none" or (change == "same" and not isinstance(event, AccountUpdate)):
            if sure:                # the position is as the book had it: now judged
                self._judge_rules(acct, WAITED, now, out, steps=WAITED)
            return out              # nothing changed (a duplicate, a snapshot's replay)
        out.dirty.add(acct.account_id)
        if isinstance(event, PositionUpdate):
            # the record a restart reads (services/risk/carried.py) follows the position at
            # once: a Position event that comes before its Trade (the sim's quirk, any order
            # the gateway picks) was saved only with the Trade's step or the 1 s timer, and a
            # kill -9 between them left a restarted risk reading the size before it
            out.moved.add(acct.account_id)
        cut = False
        # a Position's growth no fill explains yet: whether a lockout cut it (lead_seen below)
        lead = isinstance(event, PositionUpdate) and acct.position_lead > 0
        if self.settings.for_account(acct) is not None:
            # a lockout cut the growth only when riskd now expects to close more there (a
            # command sent, or one in flight taking it over): a cut _take drops as the same
            # action repeated leaves the growth to its fill (burst test, 2026-12-06: a
            # reopen's Position taken as cut, its Trade then not cut, riskd's close of it
            # counted as the trader's trade)
            expected = acct.riskd.expected_on(event.contract_id, now) if lead else 0
            for d in self.lockouts.enforce(acct, event, change, now, event_ns,
                                           self.carried.get(acct.account_id)):
                self._take(d, now, out)
            cut = lead and acct.riskd.expected_on(event.contract_id, now) > expected
        if lead and (
                cut or not self.lockouts.covering(acct.account_id,
                                                  symbol_of(event.contract_id))):
            # growth a lockout cut, or none acted on (the scope was not locked): a lockout
            # started before its fill comes makes that fill bought while locked (trial14a
            # burst B); one cut here is not cut again on its fill
            acct.lead_seen(event.contract_id, cut)
        if isinstance(event, PositionUpdate):
            key = (acct.account_id, event.contract_id)
            self._deferred.pop(key, None)
            if live and acct.position_lead:
                # growth no fill explains yet: its Trade is on the way, and may carry a loss
                # whose rules come first in the other order (Trade first, as TopstepX sends);
                # the position rules run when it comes (or after DEFER_NS), on the same state
                self._deferred[key] = (event, change, event_ns, now)
                return out
        self._run(acct, kind_of(event), event, now, change, event_ns, out)
        return out

    def _opened_after_close(self, acct: AccountState, fill, now: int, out: Outcome) -> None:
        """The trader's fill opened a position right after riskd's close of that contract, on
        its side (their own close came second and found it flat): said, in history, LAST
        ACTIONS and to the phone (services/risk/afterclose.py). Words only: the fill stays
        the trader's trade, the position theirs."""
        note = opened_note(acct, fill, self.after_closes,
                           getattr(self, "zone", None) or dt.timezone.utc, self.ids, now)
        if note is not None:
            out.warnings.append(note)

    def _sell_given_back(self, acct: AccountState, late, fill, now: int,
                         out: Outcome) -> str:
        """The trader's own sell riskd took for the reduce's lost cut that `fill` is: the
        trader's trade now, counted from its own time (services/risk/eitherway.py); its
        words for the over-cut's note ('' for none)."""
        tids = eitherway.taken_for_the_cut(acct, late, fill)
        if not tids:
            return ""
        fills = [acct.trades[t] for t in tids]
        acct.riskd.drop_order(late.either)
        acct.riskd.facts.discard(late.either)
        out.exits.add(acct.account_id)
        for tid in tids:
            acct.riskd.claimed.pop(tid, None)
            self._attributed(acct, tid, False, now, out)
        zone = getattr(self, "zone", None) or dt.timezone.utc
        return (f"your sell of {sum(f.size for f in fills)} at "
                f"{latewords.clock(fills[0].ts_ns, zone)} (order {late.either})")

    def _said_late(self, acct: AccountState, late, fill, before: int, now: int,
                   out: Outcome, cancel: bool = True, sold: str = "",
                   left: Optional[int] = None, others: bool = False) -> None:
        """riskd's late close `fill` (the late exit `late` took it; before: the position
        there before it), said in history and to the phone: what it closed, and what is held
        now (latecarried.py); a close of its that did not end done says it too. A close of
        riskd's closes the contract's orders (cancel: the trader's stop left working on a
        flat contract opened a position nothing guarded). left: the position the fill left
        when it came, if known (None: the book's now). others: `late` was taken only as the
        oldest of riskd's lost closes that fit: those of other decisions that fit are named
        with it (exits.others_late; check25 item 1)."""
        after = acct.after_closes(fill.contract_id) if left is None else left
        # a fill always moves the position by its size, whichever of its Trade and Position
        # came first (check23 N2: the book read 3 before the late Trade of a cut 5 -> 3, "2 of
        # your MNQ +3 closed"; round 24: the next cut's Position after the late Trade, "2 of
        # your MNQ +4 closed ... +2 now" for a position left flat)
        before = after + (fill.size if fill.side == SIDE_SELL else -fill.size)
        zone = getattr(self, "zone", None) or dt.timezone.utc
        orders = left_working(acct, fill, after) \
            if cancel and self.settings.for_account(acct) is not None else []
        also = acct.riskd.others_late(late, fill, now) if others and not late.overcut else []
        out.warnings.append(late_close_note(late, fill, before, after, zone, self.ids, now,
                                            orders, sold, also))
        if not late.closed:     # its command failed (or was withdrawn): history says it
            self.carried_out_late(acct, late.command_id, fill.ts_ns, zone)
        if orders:
            self._take(late_cancel(fill, orders, zone, now), now, out)

    def _late_fit(self, acct, fill, now: int) -> None:
        """A fill claimed or held for a command in flight while an earlier close of riskd's
        may still be carried out: what that close's late exit asks of it is kept, as now
        (exits.py note_late_fit), for when the command's result rules the fill out
        (_close_orders: late_instead)."""
        order = acct.orders.get(fill.order_id) if fill.order_id is not None else None
        market = order is None or order.type == ORDER_MARKET
        size = order.size if order is not None else acct.riskd.gone_size(fill.order_id)
        acct.riskd.note_late_fit(fill, self._leaves_flat(acct, fill), market, size, now)

    def _ruled_out(self, acct: AccountState, tid: int, res: CommandResult, now: int,
                   out: Outcome) -> bool:
        """A fill claimed or held for res's command, which res's orders leave out: an earlier
        close of riskd's carried out late takes it when it fits (exits.py late_instead), and
        it is said so; False: it is the trader's (the caller gives it to the trader)."""
        f = acct.trades.get(tid)
        late = acct.riskd.late_instead(f, res.command_id, now) if f is not None else None
        left = None
        if late is None and f is not None and res.status == DONE:
            order = acct.orders.get(f.order_id) if f.order_id is not None else None
            late = acct.riskd.own_overcut(
                f, res.command_id, now, order is None or order.type == ORDER_MARKET,
                order.size if order is not None else acct.riskd.gone_size(f.order_id))
        if late is None and f is not None and res.status == DONE:
            # its own lost call, carried out on a position opened after the one it was
            # decided on, its fill seen before this result (exits.py own_late)
            late = acct.riskd.own_late(f, res.command_id, now)
            left = 0 if late is not None else None    # it took only a fill that left it flat
        if late is None and f is not None and res.status == WITHDRAWN and res.unsettled:
            # withdrawn with its closes all still out (no order of theirs at enforcement's
            # search): a market close of all that was open, seen before this result, is one
            # of them carried out, never the trader's trade (exits.py withdrawn_late;
            # services/enforcement/withdrawnlost.py)
            late = acct.riskd.withdrawn_late(f, res.command_id, now)
            left = 0 if late is not None else None
        if late is None:
            return False
        out.exits.add(acct.account_id)
        before = acct.exposure(f.contract_id) + (f.size if f.side == SIDE_SELL else -f.size)
        self._said_late(acct, late, f, before, now, out, left=left)
        return True

    def _claimed(self, acct, fill, now: int) -> bool:
        """Is this new fill riskd's (its expected exits, or a reduce in flight cutting to its
        target: cut_reaches)? A fill of an order risk knows as the trader's kind (a stop, a
        limit: not market) is never a late close's (exits.py Exit.fits_late), nor a market
        order of another size than a lost cut's (its Order event named it: size)."""
        order = acct.orders.get(fill.order_id) if fill.order_id is not None else None
        market = order is None or order.type == ORDER_MARKET
        size = order.size if order is not None else acct.riskd.gone_size(fill.order_id)
        # the position the fill closes (a late exit's fill within the clocks' skew of its
        # command's result: exits.py Exit.carried_late)
        closes = (acct.opened_at(fill.contract_id), acct.position_id_of(fill.contract_id))
        if acct.riskd.claim_fill(fill, now, market=market, order_size=size, closes=closes):
            return True
        self.cut_reaches(acct, fill, now)
        if acct.riskd.claim_fill(fill, now, flat=self._leaves_flat(acct, fill), market=market,
                                 order_size=size, closes=closes):
            return True
        # riskd's whole close carried out on a position the trader reversed meanwhile (its
        # result named the order, or a late exit of it: exits.py claim_reversed; flip20)
        return self._closes_all(acct, fill) and acct.riskd.claim_reversed(fill, now, market)

    def _unsent_late(self, acct, fill, now: int):
        """The fill just claimed used only exits of commands not sent yet (a failed close's
        retry waiting in the outbox for its time): it cannot be theirs. The late exit of an
        earlier call that fits it (a lost call of the close that failed: exits.py
        late_before) takes it, and it is said as that late close (None when none fits).
        Before, the retry's exit took it silently, and the failed close then ended "closed
        outside riskd" for a fill riskd had taken as its own."""
        used = acct.riskd.last_used
        if not used or not all(self.outbox.waiting(e.command_id) for e in used):
            return None
        # the failed close whose retry waits first: its own lost call, not an older one
        late = acct.riskd.late_before(fill, used[0].command_id, used[0].issued_ns, now,
                                      prefer=decision_of(used[0].command_id))
        if late is not None:
            acct.riskd.claimed.pop(fill.trade_id, None)     # a late exit's claim stays
        return late

    @staticmethod
    def _traders_order(acct, fill) -> bool:
        """Is the fill's order known as the trader's: of the trader's kind (a stop, a limit),
        or placed before every flatten riskd still remembers (a flatten's close is created
        by it)?"""
        order = acct.orders.get(fill.order_id) if fill.order_id is not None else None
        if fill.order_id in acct.riskd.not_market or (
                order is not None and order.type != ORDER_MARKET):
            return True
        marks = [e.issued_ns for e in acct.riskd.expected if e.sweep]
        return order is not None and bool(marks) and order.created_ns < min(marks) - SKEW_NS

    @staticmethod
    def _closes_all(acct, fill, held: bool = False) -> bool:
        """Does this new fill close all that is open there, as either stream reads it (the
        Position's, the fills')? A close of the whole position closes exactly that.
        held: only a position one of them shows (not any fill there once the book is flat)."""
        if acct.signed(fill.contract_id) == 0 and not held:
            return True
        return any(h != 0 and fill.size == abs(h) and (fill.side == SIDE_SELL) == (h > 0)
                   for h in (acct.signed(fill.contract_id), acct.exposure(fill.contract_id),
                             acct.furthest(fill.contract_id)))

    @staticmethod
    def _leaves_flat(acct, fill) -> bool:
        """The broker's position there is flat after this new fill: its Position said so
        already, or the fill closes all the book holds (its Trade first: the same fact, in the
        other event order; trial18a: a slow close's sell of 3, for a close decided on 2, its
        Trade before its Position and after the close's result, was counted as the trader's
        trade)."""
        held = acct.furthest(fill.contract_id)
        return acct.signed(fill.contract_id) == 0 or (
            held != 0 and fill.size == abs(held) and (fill.side == SIDE_SELL) == (held > 0))

    def _run_deferred(self, acct, contract_id: str, now: int, out: Outcome,
                      force: bool = False) -> None:
        """The position rules of a Position event that came before its fill: once the fills
        explain its growth (or when force: it waited DEFER_NS)."""
        key = (acct.account_id, contract_id)
        held = self._deferred.get(key)
        if held is None:
            return
        p = acct.ahead.get(contract_id)
        if not force and p is not None and p.position_lead(acct.signed(contract_id)):
            return
        del self._deferred[key]
        event, change, event_ns, _since = held
        self._run(acct, kind_of(event), event, now, change, event_ns, out)

    def on_quotes(self, quotes: list[Quote], now: int) -> Outcome:
        """A run of quotes: every price is merged, the rules run once per moved contract with
        its latest quote (latest price per contract wins, as in market's conflation)."""
        out = self.take_quotes(quotes, now)
        self.judge_moved(now, out)
        return out

    def take_quotes(self, quotes: list[Quote], now: int) -> Outcome:
        """A run of quotes' prices, merged now; the rules judge them later (services/risk/
        moves.py): before the next event of each account holding a moved contract, or at
        judge_moved, whichever comes first."""
        out = Outcome()
        if self._roll_due(now):
            self.judge_moved(now, out)          # the prices before the roll, judged before it
        self._maybe_roll(now, out)
        for q in quotes:
            if self._quote_moves(q, now):
                self.pending.move(q)
        return out

    def judge_moved(self, now: int, out: Outcome, stop: Optional[Callable[[], bool]] = None
                    ) -> bool:
        """The rules of every account holding a contract moved since it was last judged, once
        per account with every new price. stop(), asked between accounts, ends it early (the
        worker reads the market meanwhile); True when nothing is left to judge."""
        pending = self.pending
        if not pending:
            return True
        accounts = self.accounts
        while True:
            aid = pending.next_account(accounts)
            if aid is None:
                break
            acct = accounts.get(aid)
            if acct is not None:
                self._judge_moves_of(acct, now, out)
            if stop is not None and pending.queue and stop():
                return False
        if self.failing:        # a failed action of a rule without a lockout: judged again
            self._check_failing(now, out)
        if self.market_waiting or self.outbox.unanswered:   # so is one waiting (waitjudge.py)
            self._judge_waiting(now, out)
        return True

    def _judge_moves_of(self, acct: AccountState, now: int, out: Outcome) -> None:
        """One account's quote step: the prices moved since it was last judged."""
        mine = self.pending.due(acct.account_id, acct.positions)
        if not mine:
            return
        self._price_step(acct, mine, now, out)

    def _price_step(self, acct: AccountState, mine: list, now: int, out: Outcome) -> None:
        """The account's rules on its moved prices: once, on PriceMoves when more than one of
        its contracts moved."""
        out.dirty.add(acct.account_id)
        event = mine[0] if len(mine) == 1 else PriceMoves(
            frozenset(q.contract_id for q in mine), max(q.ts_ns for q in mine))
        self._run(acct, "quote", event, now, "price", event.ts_ns, out)

    def _judge_pending(self, event, now: int, out: Outcome) -> None:
        """Before an event: one account's event needs that account's prices judged (moves.py);
        anything else, or a roll due, every account's."""
        if not self.pending:
            return
        aid = getattr(event, "account_id", None) \
            if isinstance(event, (Fill, PositionUpdate, OrderUpdate, AccountUpdate)) else None
        acct = self.accounts.get(aid) if aid is not None else None
        if acct is None or self._roll_due(now):
            self.judge_moved(now, out)
        else:
            self._judge_moves_of(acct, now, out)

    def _roll_due(self, now: int) -> bool:
        return self.day is None or now >= self._roll_at

    def _quote_moves(self, quote: Quote, now: int) -> bool:
        """Apply a quote; True if the rules should look: a price moved, or this is the first
        quote since a position in its contract opened (its first open PnL figure)."""
        cid = quote.contract_id
        before = self.market.quoted_ns.get(cid, -1)
        if self.market.apply_quote(quote, now):
            self._opened_unquoted.discard(cid)
            return True
        if cid not in self._opened_unquoted:
            return False            # no position event on it since its last quote: none new
        self._opened_unquoted.discard(cid)
        # positions are keyed by their contract: one look-up each
        return any(p is not None and p.valued_from > before
                   for p in (acct.positions.get(cid) for acct in self.accounts.values()))

    def _quote_rules(self, moved: dict[str, Quote], now: int, out: Outcome) -> None:
        """The rules of each account holding a moved contract, once per account with every
        new price (PriceMoves when more than one of its contracts moved), not once per
        contract: in the scale bench's storm (2 positions an account over 20 contracts) the
        account's rules ran twice a run of quotes, the second time on the same prices."""
        for acct in self.accounts.values():
            mine = [moved[cid] for cid in acct.positions if cid in moved]
            if not mine:
                continue
            self._price_step(acct, mine, now, out)
        if self.failing:        # a failed action of a rule without a lockout: judged again
            self._check_failing(now, out)
        if self.market_waiting or self.outbox.unanswered:   # so is one waiting (waitjudge.py)
            self._judge_waiting(now, out)

    def apply_snapshot(self, snap: MarketSnapshot, now: int) -> Outcome:
        """Rebuild from market's full state (start, gap, new epoch): what vanished is closed or
        gone, what is there goes through the normal event path (trades deduped by id).
        An incomplete snapshot (market has not read the broker since it started) only adds:
        what is absent from it may still be open, and must not be taken as closed.
        Lockouts whose time ran out (while risk was down) end first: they lock nothing now."""
        out = Outcome()
        self.judge_moved(now, out)          # prices taken before it (moves.py)
        self.end_due(now, out)
        for c in snap.contracts:
            self.market.apply_contract(c)
        held_before = {(a.account_id, cid) for a in self.accounts.values() for cid in a.positions}
        sure_again = self._unsure_of(snap, now) if not snap.complete else set()
        for q in snap.quotes:
            # market's last quote risk heard already is no news: stamped now, it valued a
            # position opened since with a price from before it (price_of), after every
            # re-sync (test_quiet_feed_screens under load: status "unrealized -0.50" while
            # positions said "no quote since it opened")
            if not self.market.repeated(q):
                self.market.apply_quote(q, now)
        ids = {a.account_id for a in snap.accounts} | {p.account_id for p in snap.positions} \
            | {o.account_id for o in snap.orders}
        steps: list = []
        for aid in ids if snap.complete else ():
            acct = self.account(aid)
            live_pos = {p.contract_id for p in snap.positions if p.account_id == aid}
            live_ord = {o.order_id for o in snap.orders if o.account_id == aid}
            for cid, p in list(acct.positions.items()):
                if cid not in live_pos:
                    steps.append(PositionUpdate(account_id=aid, position_id=p.position_id,
                                                contract_id=cid, ts_ns=now, type=0, size=0,
                                                average_price=p.average_price))
            for oid, o in list(acct.orders.items()):
                if oid not in live_ord:
                    steps.append(attrs.evolve(o, status=STATUS_CANCELLED, updated_ns=now))
        cold = ids - self._synced
        # positions, orders, then the fills in time (a breach then flattens it all), each
        # position risk follows that the new fills explain right after each of them
        # (services/risk/snapsteps.py: trades made while locked are cut one by one)
        steps = in_broker_order(steps + list(snap.positions) + list(snap.orders),
                                list(snap.fills), cold, self._knows, self._held)
        # the prices, then the balances: the rules that read a price judge the snapshot in
        # their usual order before the balance's rules (drawdown_guard) do, as they would
        # had risk seen the quote live (chaos run: after a restart drawdown_guard flattened
        # on the balance where the calm run's daily_net_loss flattened on the price)
        steps += [QUOTES] + list(snap.accounts)
        # the first snapshot of an account is its starting point: its positions already hold
        # its fills; later ones are events like any other (duplicates change nothing)
        self._cold = cold
        for o in snap.orders:
            self._snap_orders.setdefault(o.account_id, []).append(o)
        for f in snap.fills:
            self._snap_fills.setdefault(f.account_id, []).append(f)
        self._snap_read = snap.read_ns
        self._snapping = True
        try:
            for ev in steps:
                if ev is QUOTES:
                    for q in self._prices_of(snap, held_before):
                        self._quote_rules({q.contract_id: q}, now, out)
                    continue
                merge(out, self.on_event(ev, now))
        finally:
            self._snapping = False
            self._synced |= self._cold
            self._cold = set()
            self._snap_orders = {}
            self._snap_fills = {}
        if snap.complete and self.unsure:
            # the broker read: the rules that waited judge what the account holds now
            sure_again, self.unsure = set(self.unsure), {}
            self.unsure_since = {}
        for aid in sorted(sure_again):
            # ... and so do they where this incomplete snapshot listed every position in doubt
            # (what the account opened meanwhile was not judged either)
            acct = self.accounts.get(aid)
            if acct is not None:
                self._judge_rules(acct, WAITED, now, out, steps=WAITED)
        if snap.complete:           # risk's book holds the broker's state again
            for aid in list(self.carried):
                acct = self.accounts.get(aid)
                if acct is not None and self.settings.for_account(acct) is not None:
                    for d in self.lockouts.fills_left(acct, now):
                        self._take(d, now, out)
            self.carried.clear()
            self.known_whole |= ids
            if snap.read_ns and self._read_after:
                # a broker read begun after disagreements went stale: what it says is the
                # truth of size and balance now (state.py settle_stale)
                for acct in self.accounts.values():
                    if acct.pending and acct.settle_stale(snap.read_ns):
                        out.dirty.add(acct.account_id)
                self._read_after = max((a.stale_since(now) for a in self.accounts.values()
                                        if a.pending), default=0)
        else:                       # market restarted and has not read the broker yet
            self.known_whole.clear()
        return out

    def _cold_ahead(self, acct: AccountState, contract_id: str, now: int) -> None:
        """A position of an account this snapshot starts, new or moved in risk's book: where
        it and the fills (risk's and the snapshot's) disagree, by the broker's own times, the
        stream ahead is kept as it would be live (services/risk/coldahead.py), before the
        lockout judges the position: the later events of the same fills are not news, and a
        position the fills closed is not closed again. (One the book held as it is, followed
        live, keeps what the live events made of it.)"""
        pos = acct.positions[contract_id]
        fills = {f.trade_id: f for f in self._snap_fills.get(acct.account_id, ())
                 if f.contract_id == contract_id}
        fills.update((f.trade_id, f) for f in acct.trades.values()
                     if f.contract_id == contract_id)
        p = ahead_of(pos.signed, pos.average_price, pos.opened_ns, fills.values(),
                     self.calendar.start_of(self.day), now, self._snap_read)
        if p is not None and not p.agreed(pos.signed):
            acct.ahead[contract_id] = p
            # its growth no fill explains: none when the fills went past it
            acct.position_lead = p.position_lead(pos.signed)

    def _unsure_of(self, snap: MarketSnapshot, now: int) -> set[int]:
        """Market's incomplete snapshot: the positions of risk's book it does not list may
        have closed while market was down (a fill that never reached risk). Until its complete
        snapshot, or a live Position event of each, the rules reading the account's positions
        wait (chaos21b: a restarted market's first quote was judged against a position the
        broker no longer held, and only a close still covering it stopped a second close).
        So do those of a restarted risk (its book empty until a snapshot) on the positions it
        held before (the restart's record, carried) and on those in doubt when it stopped
        (saved: services/risk/unjudgedalert.py), the doubt's start kept. The accounts whose
        doubt this snapshot ends (it lists each position in doubt) are returned: judged once
        its steps are in (apply_snapshot)."""
        listed = {(p.account_id, p.contract_id) for p in snap.positions}
        ended = set()
        for aid in sorted(set(self.accounts) | set(self.carried) | set(self.unsure)):
            acct = self.accounts.get(aid)
            carried = self.carried.get(aid)
            held = set(acct.positions if acct is not None else ()) | self.unsure.get(aid, set())
            if carried is not None and aid not in self._synced:
                # the record, at the restarted risk's first snapshot only: from then on the
                # doubt itself keeps what is unconfirmed (a live Position confirms it)
                held |= {cid for cid, size in carried.positions.items() if size}
            gone = {cid for cid in held if (aid, cid) not in listed}
            if gone and aid not in self.unsure:
                log.info("account %s: %s not in market's incomplete snapshot (market has not "
                         "read the broker since it started): the rules on its positions wait "
                         "for that read", aid, ", ".join(sorted(symbol_of(c) for c in gone)))
            if gone:
                self.unsure[aid] = gone
                self.unsure_since.setdefault(aid, now)
            elif self.unsure.pop(aid, None) is not None:
                self.unsure_since.pop(aid, None)
                ended.add(aid)
            else:
                self.unsure_since.pop(aid, None)
        return ended

    def _confirmed(self, account_id: int, contract_id: str) -> bool:
        """A live Position event of the contract: the broker's word on it, newer than market's
        restart. True when none of the account's positions is in doubt now: the event's own
        step judges its rules on positions (one that changed nothing, all of them: on_event)."""
        gone = self.unsure.get(account_id)
        if gone is None:
            return False
        gone.discard(contract_id)
        if gone:
            return False
        del self.unsure[account_id]
        self.unsure_since.pop(account_id, None)
        return True

    def _knows(self, fill: Fill) -> bool:
        """Risk has taken this trade already (a snapshot's old fill)."""
        acct = self.accounts.get(fill.account_id)
        return acct is not None and acct.knows_trade(fill.trade_id)

    def _held(self, aid: int, cid: str):
        """What risk holds on a contract, for services/risk/snapsteps.py: (signed size
        counting the fills its Position lags, average price, opened ns, position id)."""
        acct = self.accounts.get(aid)
        if acct is None:
            return None
        pos = acct.positions.get(cid)
        exposure = acct.exposure(cid)
        if pos is None or exposure != pos.signed:
            return None if exposure else (0, Decimal(0), 0, 0)
        return pos.signed, pos.average_price, pos.opened_ns, pos.position_id

    def _prices_of(self, snap: MarketSnapshot, held_before: set) -> list[Quote]:
        """The prices a snapshot's positions are judged at: its quotes, and for a position this
        snapshot opened in risk's book (not in held_before: (account, contract) pairs held
        before it) that a price risk already holds values, that price. A quote that reached
        risk just before the snapshot named the position found no position to judge, and no
        quote may come after it (chaos run: risk, restarted, took the price drop, then the
        snapshot's position; the price rules never judged it, and whichever rule read the
        balance or the deferred position acted first, not the one the calm run's quote step
        chose). A position held before was judged by the quote steps already: a snapshot is
        not a new price for it."""
        quotes = list(snap.quotes)
        have = {q.contract_id for q in quotes}
        m = self.market
        for pu in snap.positions:
            cid = pu.contract_id
            acct = self.accounts.get(pu.account_id)
            pos = acct.positions.get(cid) if acct is not None else None
            if cid in have or pos is None or (pu.account_id, cid) in held_before \
                    or m.price_of(pos) is None:
                continue
            have.add(cid)
            quotes.append(Quote(contract_id=cid, ts_ns=m.quoted_ns[cid], last=m.last.get(cid),
                                bid=m.bid.get(cid), ask=m.ask.get(cid)))
        return quotes

    def on_result(self, res: CommandResult, now: int) -> Outcome:
        out = Outcome()
        self.judge_moved(now, out)          # prices taken before it (moves.py)
        acct = self.accounts.get(res.account_id)
        waiting = self.outbox.entries.get(res.command_id) if res.waits_for else None
        if waiting is not None and acct is not None:
            self._waiting(acct, waiting.command, res, now, out)
        if res.waits_for or self.market_waiting:
            self._market_wait_result(res, now)
        done = self.outbox.result(res, now)
        if done is not None:
            out.finished.append(done.id)
            if res.status == DONE and done.action in (CLOSE_POSITION, FLATTEN) \
                    and not closed_nothing(res):
                self.after_closes.done(done.account_id, done.contract_id, done.rule, done.by,
                                       now)
            self.withdrawn_result(done.id)
            self.finished(done.id)
            if done.action == FLATTEN and res.status == DONE:
                self.flattened_at(done.account_id, done.issued_ns, now, done.id)
            if done.action == MODIFY_STOP and res.status == DONE:
                self.stop_moved(done, now)
            if acct is not None and res.status in FINAL_STATUSES \
                    and self._settle_exits(acct, res, now):
                out.exits.add(acct.account_id)        # before the rules judge what is left
            self._retry_result(acct, done, res, now, out)
            if self.flat_promised:
                self._flat_not_yet(acct, done, res, now, out)
            self._after_reduced(acct, done, res, now, out)
            if self.unneeded:
                self._after_withdrawn(acct, done, res, now, out)
        elif acct is not None and res.action == FLATTEN and is_kill_switch(res.rule) \
                and not acct.riskd.knows(res.command_id) \
                and res.command_id not in self.outbox.entries:
            # only the kill switch's flattens (rule 'admin'): a late or repeated result of a
            # flatten of risk's own (already finished, or with nothing to expect) is not the
            # admin's
            self._admin_flatten(acct, res, now, out)
        if done is None and res.status == DONE and res.action == FLATTEN \
                and is_kill_switch(res.rule) and acct is not None \
                and acct.riskd.knows(res.command_id) and not closed_nothing(res):
            # the kill switch's flatten, not in risk's outbox: whose close it was, as a rule's
            # above, before its held fills are given out (_settle_exits): the note of a
            # trader's fill right after it names the admin (whose22b's leftover)
            self.after_closes.done(acct.account_id, None, res.rule, res.by, now)
        if acct is not None and res.status in FINAL_STATUSES \
                and self._settle_exits(acct, res, now):
            out.exits.add(acct.account_id)
        if acct is not None and res.status in FINAL_STATUSES:
            self._close_orders(acct, res, now, out)
        if acct is not None and res.status == DONE and res.first_timed_out_s \
                and acct.riskd.has_late(now):
            self._late_of_an_earlier_close(acct, res, now, out)
        if acct is not None and res.status in FINAL_STATUSES:
            # what its orders filled: now when its fills are in, else when they come
            note = self.close_fills.result(acct, res, now, self.ids)
            if note is not None:
                out.warnings.append(note)
        return out

    def _late_of_an_earlier_close(self, acct: AccountState, res: CommandResult, now: int,
                                  out: Outcome) -> None:
        """A close done whose own call got no answer (res.first_timed_out_s): a fill its exits
        took that an earlier command's late exit fits (exits.py late_before) was that earlier
        close, carried out late, and is said so (latecarried.py), not credited to this one."""
        r = acct.riskd
        for f in list(acct.trades.values()):
            if not f.by_riskd or f.order_id is None or f.ts_ns < res.issued_ns \
                    or r.order_cmd.get(f.order_id) != res.command_id:
                continue
            late = r.late_before(f, res.command_id, res.issued_ns, now, overtaken=False)
            if late is None:
                continue
            out.exits.add(acct.account_id)
            before = acct.exposure(f.contract_id) + (f.size if f.side == SIDE_SELL else -f.size)
            self._said_late(acct, late, f, before, now, out, cancel=False)

    def _close_orders(self, acct: AccountState, res: CommandResult, now: int,
                      out: Outcome) -> None:
        """The command's final result names the broker orders its closes created
        (res.close_orders): their fills are riskd's whenever they come, a fill of them counted
        as the trader's is riskd's after all (a cooldown it started stays), and a fill held
        for this command (exits.py hold) is the trader's when the orders known do not include
        its own and no other close of riskd's there is still in flight (its trade rules judge
        it now, from its own time). Orders not known (the search failed, an older enforcement):
        a held fill stays riskd's (docs/rules.md "Whose trade it is")."""
        r = acct.riskd
        if r.claimed or r.held:
            out.exits.add(acct.account_id)     # what they settle is saved (exits.py dump_pending)
        new = r.take_orders(res.command_id, res.close_orders, flatten=res.action == FLATTEN)
        if res.orders_known:
            r.known_cmds.add(res.command_id)
            if r.named(res.command_id):
                out.exits.add(acct.account_id)     # the flatten's window no longer decides
            if r.guessed and r.guesses_against_facts():
                out.exits.add(acct.account_id)     # a working order taken for riskd's: not
            if res.status == DONE and not res.unsettled \
                    and r.found_nothing(res.command_id, res.close_orders, now):
                out.exits.add(acct.account_id)
        if new or r.cmd_changed:            # which command each order is of: saved too
            out.exits.add(acct.account_id)
            for tid, f in list(acct.trades.items()):
                if f.order_id in new and not f.by_riskd:
                    self._attributed(acct, tid, True, now, out)
                    self._cooldown_taken_back(acct, f, now, out)
        for tid, f in list(acct.trades.items()):
            # the close's order on a position the trader reversed, its fill counted as the
            # trader's already (another command's result, naming no order, gave it so)
            if not f.by_riskd and r.reversed_orders.get(f.order_id) == res.command_id \
                    and r.reversed_close(f):
                out.exits.add(acct.account_id)
                self._attributed(acct, tid, True, now, out)
                self._cooldown_taken_back(acct, f, now, out)
        for tid, (cid, side, cmds) in list(r.claimed.items()):
            # a fill claimed by expectation: the trader's when every command whose exits it
            # used has named its orders, none of them the fill's, and no other close of
            # riskd's there is in flight. That other close's result decides it too, when it
            # is the last one there (whose23: a lockout's close took the trader's sell of 1,
            # its reduce beside it still in flight; the reduce's result, not the close's,
            # came last and left the sell riskd's for good: a trade_frequency_limit cooldown
            # missed)
            f = acct.trades.get(tid)
            last = res.command_id not in cmds and r.closes_on_contract(res.command_id, cid, side)
            if f is None or f.order_id in r.facts or r.reversed_close(f):
                del r.claimed[tid]
            elif (res.command_id in cmds or last) and not res.orders_known:
                del r.claimed[tid]              # not known: it stays riskd's
            elif not (res.command_id in cmds or last) or not cmds <= r.known_cmds \
                    or r.in_flight(cid, side, now, but=res.command_id):
                continue
            else:
                del r.claimed[tid]
                out.exits.add(acct.account_id)
                if self._ruled_out(acct, tid, res, now, out):
                    continue
                r.drop_order(f.order_id)
                self._attributed(acct, tid, False, now, out)
                self._said_during(acct, tid, cmds, res, now, out)
        if not r.held:
            return
        for tid, (cid, side) in list(r.held.items()):
            f = acct.trades.get(tid)
            if f is None or (f.order_id is not None and f.order_id in r.facts):
                del r.held[tid]
                if f is not None and tid not in r.reversing:
                    r.use_named(f, now)     # riskd's: what its command expected, filled
                r.reversing.pop(tid, None)
            elif not r.closes_on_contract(res.command_id, cid, side) \
                    or r.in_flight(cid, side, now, but=res.command_id):
                continue
            else:
                del r.held[tid]
                r.reversing.pop(tid, None)
                if res.orders_known and not self._ruled_out(acct, tid, res, now, out):
                    self._attributed(acct, tid, False, now, out)
                    self._said_during(acct, tid, {res.command_id}, res, now, out)

    def _said_during(self, acct: AccountState, trade_id: int, cmds, res: CommandResult,
                     now: int, out: Outcome) -> None:
        """The trader's fill, taken for riskd's close in flight (claimed or held), just given
        to the trader by riskd's closes' results: said in history, LAST ACTIONS and to the
        phone (afterclose.during_note), naming the close it came beside: the command whose
        exits took it (res's, or the close there that answered before it). Only when a close
        of riskd's there named an order of its own (it closed something beside the fill): one
        that found nothing says itself what closed the position (enforcement's closedby.py:
        "was already flat: closed by the trader's own market sell of 2 ...")."""
        f = acct.trades.get(trade_id)
        if f is None or f.by_riskd \
                or not any(cid == f.contract_id for _c, cid in acct.riskd.named_on):
            return
        if riskds_close_before(acct, f, self.after_closes) is not None:
            # it opened a position right after riskd's close there, which _attributed's
            # opened_note has just said ("opened a new short 1: riskd had already closed
            # MNQ"): one fill, one story (the sim, by hand: both were said)
            return
        exits = [e for e in acct.riskd.expected if e.command_id in cmds]
        what = "cut" if exits and all(e.cut for e in exits) else "close"
        by = acted_cell(res.rule, res.by)
        if res.command_id not in cmds:
            by = self.after_closes.who(acct.account_id, f.contract_id, now) or by
        zone = getattr(self, "zone", None) or dt.timezone.utc
        out.warnings.append(during_note(acct, f, what, by, zone, self.ids, now))

    def _swept_parts(self, acct: AccountState, fill: Fill, sweep, now: int,
                     out: Outcome) -> None:
        """A flatten's window just took the fill that closed the rest of a contract: the
        earlier parts of that close, made in the same window on the same side (the broker
        carried the close out as several orders), counted as the trader's when they came
        (each closed only part of it), are riskd's too, their orders with them, and a
        cooldown they started ends (as a result naming their order would make them: the
        engine's _close_orders). Not an order known as the trader's (a stop, a limit, one
        placed before the flatten). The price (docs/rules.md "Whose trade it is"): the
        trader's own market sell of part of such a contract in that window, the flatten's
        close taking the rest, counts as riskd's too."""
        r = acct.riskd
        for tid, f in sorted(acct.trades.items(), key=lambda kv: kv[1].ts_ns):
            if f.by_riskd or tid == fill.trade_id or f.contract_id != fill.contract_id \
                    or f.side != fill.side or f.pnl is None or not r.in_window(sweep, f.ts_ns) \
                    or f.ts_ns > fill.ts_ns or self._traders_order(acct, f):
                continue
            r.take_swept(f, sweep)
            out.exits.add(acct.account_id)
            self._attributed(acct, tid, True, now, out)
            self._cooldown_taken_back(acct, f, now, out)

    def _cooldown_taken_back(self, acct: AccountState, fill: Fill, now: int,
                             out: Outcome) -> None:
        """A fill counted as the trader's is riskd's after all: a trade_frequency_limit
        cooldown it started that no trade of the trader's justifies now ends, saying why
        (services/risk/takeback.py)."""
        cfg = self.settings.for_account(acct)
        params = getattr(cfg, takeback.RULE, None) if cfg is not None else None
        if params is None:
            return
        ended = takeback.cooldowns_to_end(
            acct, [lk for lk in self.lockouts.all() if lk.account_id == acct.account_id],
            params, fill.ts_ns, now)
        if ended:
            self.lockouts_ended(self.lockouts.take_back(
                {lk.id for lk in ended}, now, takeback.BY, takeback.why(fill)), now, out)

    def _attributed(self, acct: AccountState, trade_id: int, by_riskd: bool, now: int,
                    out: Outcome) -> None:
        f = acct.attribute(trade_id, by_riskd)
        if f is None:
            return
        out.fills.append(f)
        out.dirty.add(acct.account_id)
        if not by_riskd:
            self._opened_after_close(acct, f, now, out)
        if not by_riskd and self.settings.for_account(acct) is not None:
            for d in self.lockouts.opened_by(acct, f, now):
                self._take(d, now, out)
            self._run(acct, "trade", f, now, "new", f.ts_ns, out,
                      only="trade_frequency_limit", found_theirs=now)

    def _settle_exits(self, acct: AccountState, res: CommandResult, now: int) -> bool:
        """The command's exits know its final result (once); its closes whose outcome is
        unknown (res.unsettled) are expected a while longer (services/risk/exits.py late)."""
        if not acct.riskd.settle(res.command_id, now, closed=res.status == DONE,
                                 price_of=self.market.price):
            return False
        if res.unsettled:
            def held_of(cid: str) -> int:
                pos = acct.positions.get(cid)
                return pos.size if pos is not None else 0
            acct.riskd.unsettled(res.command_id, res.unsettled, now, held_of,
                                 lambda cid: (_latest_opening(acct, cid),
                                              acct.position_id_of(cid)))
        return True

    def _admin_flatten(self, acct: AccountState, res: CommandResult, now: int,
                       out: Outcome) -> None:
        """A flatten risk did not command (the admin's kill switch, sent to enforcement
        directly): its fills are riskd's too, and history says the admin acted."""
        self._maybe_roll(now, out)
        d = Decision(id=self.ids(), ts_ns=now, rule=ADMIN, account_id=acct.account_id,
                     action=FLATTEN, mode=ENFORCE,
                     reason=res.reason or res.detail or "kill switch",
                     event_ns=now, by=res.by or who(ADMIN), command_id=res.command_id)
        out.decisions.append(attrs.evolve(d, what=what(d, acct, False)))
        self._expect(acct, FLATTEN, None, None, res.command_id, now)
        acct.riskd.note(res.command_id, now)      # one decision per flatten, whatever follows
        out.exits.add(acct.account_id)
        out.dirty.add(acct.account_id)

    # -- rules ---------------------------------------------------------------------------------
    def _ctx(self, acct: AccountState, change: str = "", event_ns: int = 0) -> Ctx:
        profile_of = getattr(self.settings, "profile_of", None)
        listed = getattr(self.settings, "listed", None)
        return Ctx(acct, self.market, self.calendar, change, event_ns,
                   holiday_files=self.holiday_files,
                   profile=profile_of(acct) if profile_of is not None else "default",
                   listed=listed(acct) if listed is not None else True,
                   timer_of=lambda rule: self._timer_of(acct.account_id, rule))

    def _timer_of(self, account_id: int, rule: str) -> Optional[int]:
        """The end of `rule`'s account-wide timer lockout in force on the account (one it
        holds, or held before another rule took it over and lengthened it), or of its
        would-be one in alert mode; None: none (ended by its time or an admin's unlock)."""
        ends = [lk.until_ns for lk in self.lockouts.all(account_id)
                if lk.symbol is None and lk.kind == TIMER and lk.until_ns is not None
                and rule in (lk.rule, lk.took_over_rule)]
        ends += [w.until_ns for k, w in self.alert_book.locks.items()
                 if k[0] == account_id and k[1] == rule and k[2] is None
                 and k[3] == TIMER and w.until_ns is not None]
        return max(ends, default=None)

    def _listening(self, kind: str) -> list:
        """(name, rule) of the rules that listen to `kind`, in rule order (built once per
        rule table: a quote step of 500 accounts asked 15 rules each whether they listen)."""
        table = self._listeners
        if table is None or table[0] is not self.rules:
            table = self._listeners = (self.rules, {})
        found = table[1].get(kind)
        if found is None:
            found = table[1][kind] = [(n, r) for n, r in self.rules.items() if kind in r.listens]
        return found

    def _run(self, acct, kind, event, now, change, event_ns, out, only: str = "",
             tightened: frozenset | None = None, found_theirs: int = 0) -> None:
        """The rules that listen to `kind` judge the account's event; a warning made before
        the step locked the account as a whole is taken back (the rules reading open PnL judge
        first: fresh-user trial 19a, "🟡 daily_net_loss at 84% of its limit" 6 ms after the
        same fill locked the account to the roll by daily_realized_loss) and left due: it
        comes when the lockout ends, if still due (warn_freed; docs/rules.md warn_at). Not one
        whose rule can still act under that lockout (_said_while_locked): a position the
        lockout leaves open keeps its warning."""
        mark = len(out.warnings)
        self._depth += 1
        try:
            self._judge(acct, kind, event, now, change, event_ns, out, only, tightened,
                        found_theirs)
        finally:
            self._depth -= 1
        if self._depth:
            return              # the step's own run judges the warnings (the one it nests in)
        aid = acct.account_id
        made = out.warnings[mark:]
        made_by = {w.id: self._warn_keys.pop(w.id, None) for w in made}
        if made and out.commands:
            made = out.warnings[mark:] = self._after_cuts(acct, made, made_by, now)
        if made and self._locked(aid):
            ctx = self._ctx(acct)
            kept, back = [], []
            for w in made:
                said = "" if w.account_id != aid or made_by[w.id] is None \
                    else self._said_while_locked(ctx, *made_by[w.id][1:], now)
                if said is None:
                    back.append(made_by[w.id][0])
                else:       # one given while locked says so (lockedwarn.py)
                    kept.append(attrs.evolve(w, reason=with_words(w.reason, said)))
            out.warnings[mark:] = kept
            self.warned.difference_update(back)
        elif made:
            self._before_a_locking_fill(acct, mark, made_by, out, now)

    def _before_a_locking_fill(self, acct, mark: int, made_by: dict, out: Outcome,
                               now: int) -> None:
        """The warnings of a step whose closes' fills, still to come, will flatten the
        account and lock it until the roll (services/risk/closelock.py: daily_unrealized_loss
        closing a position whose loss takes realized past daily_realized_loss's line; or the
        close's Position showing before its Trade) are judged as under that lockout: held
        back and left due, as the fill's own step would hold them back (docs/rules.md warn_at:
        none from the step that locks the account; trial23b finding 4, "daily_net_loss at
        97%" 30 ms before the close's fill locked the account to the roll). Only one whose
        breach would lock it past the roll stays (Rule.locks_until: trade_frequency_limit's
        week). The fill's step judges a held one again, with the broker's figure."""
        cfg = self.settings.for_account(acct)
        if cfg is None:
            return
        ctx = self._ctx(acct)
        if closelock.locking_rule(self.rules, cfg, acct, self.market, now) is None:
            return
        roll = roll_end(ctx, now)
        kept, back = [], []
        for w in out.warnings[mark:]:
            by = made_by.get(w.id)
            if by is None or w.account_id != acct.account_id:
                kept.append(w)
                continue
            key, rule, params, m = by
            until = rule.locks_until(ctx, now, params, m)
            if until is not None and until > roll:
                kept.append(w)
            else:
                back.append(key)
        out.warnings[mark:] = kept
        self.warned.difference_update(back)

    def _after_cuts(self, acct, made: list, made_by: dict, now: int) -> list:
        """The size rules' warnings of a step that also cut (a reduce or close decided after
        the warning, by a rule judged later: max_contracts comes before
        max_contracts_per_instrument), judged again as the trader will hold the account once
        those cuts are done (Rule.warn_readings): one no longer due is taken back and left
        due, not spent for the day; one still due says the reading after the cut. Fresh-user
        trial 21b: buying MES 4 against {MES = 2} gave the reduce to 2 and "max_contracts at
        80% of its limit: 4 of 5" in the same moment, the trader holding 2."""
        kept = []
        for w in made:
            by = made_by.get(w.id)
            if by is None or w.account_id != acct.account_id \
                    or not getattr(by[1], "held_size", False):
                kept.append(w)
                continue
            key, rule, params, _m = by
            ctx = self._ctx(acct)
            now_m = next((m for m in self._readings(ctx, rule, params, now, warn=True)
                          if self._warn_key(acct.account_id, rule.name, m) == key), None)
            if now_m is None or not now_m.due(params.warn_at):
                self.warned.discard(key)
                continue
            w = attrs.evolve(w, value=now_m.value, limit=now_m.limit, reason=(
                f"{rule.name} at {now_m.progress:.0%} of its limit: {now_m.detail}"))
            made_by[w.id] = (key, rule, params, now_m)
            kept.append(w)
        return kept

    def _judge(self, acct, kind, event, now, change, event_ns, out, only: str = "",
               tightened: frozenset | None = None, found_theirs: int = 0) -> None:
        cfg = self.settings.for_account(acct)
        if cfg is None:
            return
        if kind in PRICE_FIRST and not only and (acct.positions or acct.ahead or kind == TRADE):
            # the prices first, then the event's own rules: a trade or a balance is read with
            # the open PnL the rules that read it judge (rule order: daily_unrealized_loss, ...,
            # daily_net_loss, drawdown_guard), as a quote step would have judged it. Without
            # it, an open PnL no quote step had judged yet (a price that came with a restart
            # or a resync) was acted on first by whichever rule the next event woke: chaos
            # runs saw drawdown_guard flatten on a balance, or daily_realized_loss on the
            # close's trade, where the calm run's quote step had daily_unrealized_loss close
            # and daily_net_loss flatten. A rule judged twice in one step acts once.
            # A trade step does so also when its fill left the account flat, as it is when
            # the fill's Position came first (Trade first, the position still shows until its
            # Position comes): one fill crossing daily_net_loss's and daily_realized_loss's
            # lines locks with the same rule in every order, daily_net_loss, as when the Trade
            # comes first (event-order model, 2026-12-06: daily_realized_loss was named when
            # the flatten's close of the last position came Position first;
            # tests/unit/risk/test_both_loss_lines_one_fill.py).
            self._run(acct, QUOTE, event, now, "price", event_ns, out, only=OPEN_PNL)
        ctx = self._ctx(acct, change, event_ns)
        ctx.tightened = tightened
        if found_theirs:
            ctx.found_theirs = found_theirs
            ctx.zone = getattr(self, "zone", None) or dt.timezone.utc
        unsure = self.unsure and acct.account_id in self.unsure
        for name, rule in self._listening(kind):
            if only and name != only and not (only == OPEN_PNL and rule.reads_open_pnl):
                continue
            if unsure and rule.listens & BOOK_KINDS:
                # its positions may be gone (market restarted and has not read the broker):
                # judged once market's complete snapshot is in (apply_snapshot). The rules on
                # trades alone judge: a trade is the broker's fact, and their flatten closes
                # what the broker holds, whatever risk's book says
                continue
            params = getattr(cfg, name)
            if not params.enabled:
                continue
            reached = getattr(rule, "reached", None)
            try:
                if reached is not None and self.repeats_own_flatten(ctx, rule, params) \
                        and reached(ctx, params):
                    continue    # its flatten would be dropped as a repeat, changing nothing
                decisions = rule.evaluate(ctx, event, now, params)
            except Exception:
                log.exception("rule %s failed on %s for account %s", name,
                              type(event).__name__, acct.account_id)
                continue
            for note in ctx.notes:
                self._warn(acct, name, now, out, note, params)
            ctx.notes.clear()
            if not decisions and rule.held_size and params.mode == ALERT:
                self.alert_book.within(acct.account_id, name)   # its next breach is new
            for d in decisions:
                self._take(d, now, out)
            if decisions:           # a warning comes before its breach, never after it
                self._breached(ctx, rule, params, now)
                if rule.keyed and rule.warns:
                    # the other limits' warnings are not held back by this one's breach
                    # (grace18: two positions with no stop, the first one's close held at
                    # the broker 35 s, the second closed at its grace with no warning; warn20:
                    # the 4th trade of a minute, its cooldown, also 4 of 5 trades per day,
                    # and the 5th, made during that cooldown, flattened with no warning)
                    self._maybe_warn(ctx, rule, params, now, out)
            elif rule.warns:
                if kind == "quote":             # quotes come by the thousand: look 10 times a s
                    seen = (acct.account_id, name)
                    looked = self._warn_looked.get(seen, 0)
                    if now - looked < WARN_LOOK_NS:
                        # owed, not dropped: the tick takes it when the 0.1 s is up. Before,
                        # the quote that crossed warn_at 0.1 s after the last look (its fill's
                        # steps, read late on a loaded machine) warned only at the account's
                        # next quote or event: with the feed quiet, riskd's close held at the
                        # broker timing out 10 s later (test_warning_during_held_close)
                        self._warn_owed.setdefault(seen, looked + WARN_LOOK_NS)
                        continue
                    self._warn_looked[seen] = now
                    self._warn_owed.pop(seen, None)
                self._maybe_warn(ctx, rule, params, now, out)

    def _owed_looks(self, now: int, out: Outcome) -> None:
        """The warn_at looks a quote skipped (looked at less than WARN_LOOK_NS before), once
        their 0.1 s is up, at the prices now: as the next quote would have looked."""
        for seen, due in list(self._warn_owed.items()):
            if now < due:
                continue
            del self._warn_owed[seen]
            aid, name = seen
            acct, rule = self.accounts.get(aid), self.rules.get(name)
            cfg = self.settings.for_account(acct) if acct is not None else None
            params = getattr(cfg, name, None) if cfg is not None else None
            if rule is None or params is None or not params.enabled or not rule.warns:
                continue
            self._warn_looked[seen] = now
            self._maybe_warn(self._ctx(acct), rule, params, now, out)

    def _warn_key(self, account_id: int, rule: str, m) -> tuple:
        """Once per rule (per limit of a rule with several), account and trading day."""
        return (account_id, f"{rule}:{m.key}" if m.key else rule, self.day)

    def _readings(self, ctx, rule, params, now, warn: bool = False) -> list:
        """The rule's readings (warn: those its warn_at warning judges, Rule.warn_readings)."""
        try:
            return (rule.warn_readings if warn else rule.readings)(ctx, now, params)
        except Exception:
            log.exception("rule %s could not measure account %s", rule.name,
                          ctx.account.account_id)
            return []

    def _breached(self, ctx, rule, params, now) -> None:
        """A breach: no warning of it after it (of a rule with several limits, of those
        reached)."""
        aid = ctx.account.account_id
        self.warned.add((aid, rule.name, self.day))
        if rule.warns:
            self.warned.update(self._warn_key(aid, rule.name, m)
                               for m in self._readings(ctx, rule, params, now)
                               if m.key and m.value >= m.limit)

    def warn_freed(self, account_id: int, now: int, out: Outcome) -> None:
        """An account no lockout holds as a whole any more (an unlock, a cooldown's end, the
        roll): the warnings it was not given while locked (_maybe_warn), now, if still due
        (docs/rules.md warn_at: "it comes after an unlock if still due"). A count rule's next
        event is the trade that breaches it: fresh-user trial 16a, 9 of 10 trades per hour,
        the 8th and 9th made under a per-minute cooldown; the cooldown ended by the clock and
        the 10th trade started the 30-minute cooldown with no warning that day. Only readings
        still below their limit: one at or past it is the unlock's "still past" warning
        (services/risk/pastlimits.py)."""
        acct = self.accounts.get(account_id)
        if acct is None or self._locked(account_id):
            return
        if self.day is None or self.calendar.trading_day(now) != self.day:
            return          # the roll's ends: the new day's counts start at 0, warned afresh
        cfg = self.settings.for_account(acct)
        if cfg is None:
            return
        ctx = self._ctx(acct)
        for name, rule in self.rules.items():
            params = getattr(cfg, name, None)
            if rule.warns and params is not None and params.enabled:
                self._maybe_warn(ctx, rule, params, now, out, below_limit=True)

    def _locked(self, account_id: int) -> bool:
        """Does a lockout hold the account as a whole (not one symbol)?"""
        return any(lk.symbol is None for lk in self.lockouts.covering(account_id))

    def _said_while_locked(self, ctx, rule, params, m, now) -> Optional[str]:
        """None when this reading's warning is held back by the lockout of the whole account
        in force, else what it adds to its reading (services/risk/lockedwarn.py). Locked out:
        no "at 67 % of a limit" to a trader who cannot trade (trial 2026-12-05), only of a
        breach that could still close or reduce a position the lockout leaves open
        (Rule.acts_while_locked: fresh-user trial 20a, a cooldown kept MNQ long 2 open and
        daily_unrealized_loss closed it at its line with no warning at 74 % or 94 %), or one
        a trade made while locked can itself bring, locking the account past the lockouts in
        force (Rule.locks_until: warnwin20, the day's 5th trade, made during a cooldown,
        flattened and locked the account to the roll with no warning; warn21, the same of
        daily_realized_loss on a flat account). One held back is not marked warned: it comes
        after the lockout ends if still due (warn_freed)."""
        try:
            return while_locked(rule, ctx, params, m, now,
                                self.lockouts.covering(ctx.account.account_id))
        except Exception:
            log.exception("rule %s could not judge account %s under its lockout", rule.name,
                          ctx.account.account_id)
            return None

    def _maybe_warn(self, ctx, rule, params, now, out, below_limit: bool = False) -> None:
        aid = ctx.account.account_id
        if not rule.keyed and (aid, rule.name, self.day) in self.warned:
            return                      # the common case, without measuring
        locked = self._locked(aid)
        # riskd's own close on its way holds back no warning: each rule's warning judges the
        # account as the trader will hold it (Rule.warn_readings): the size rules without
        # the contracts riskd is closing (event-order model, 2026-12-06: the close's Trade
        # first warned "max_contracts at 80 %" of the contracts riskd was closing; its "done"
        # first did not), trade_frequency_limit with a fill not known to be riskd's yet
        # counted as the trader's. Trial18c: every warning of the account waited for riskd's
        # close held at the broker (8-9 s; a per-hour warning due at a cooldown's end never
        # came, a lost close's exit expected 120 s holding it back)
        for m in self._readings(ctx, rule, params, now, warn=True):
            key = self._warn_key(aid, rule.name, m)
            if key in self.warned or not m.due(params.warn_at) \
                    or (below_limit and m.progress >= 1):   # by its share: a loss's
                # reading and limit are negative (-502.91 >= -600 read as past it: no
                # warning of a loss limit ever came after a lockout ended, trial19a)
                continue
            if rule.per_position and m.acting:
                continue    # riskd is closing that position already: nothing to warn of.
                # Only that one: an exit of riskd's elsewhere (fresh-user trial 18b: a close
                # whose answer was lost, expected 120 s more, a position since gone) held
                # back no_stop_loss_grace's warning and the next position was closed unwarned
            if locked and self._said_while_locked(ctx, rule, params, m, now) is None:
                continue        # its words, when given, are added at the step's end (_run)
            self.warned.add(key)
            w = RuleWarning(
                id=self.ids(), ts_ns=now, rule=rule.name, account_id=aid,
                value=m.value, limit=m.limit, warn_at=params.warn_at,
                reason=f"{rule.name} at {m.progress:.0%} of its {line_word(rule.name)}: "
                       f"{m.detail}")
            out.warnings.append(w)
            if self._depth:     # _run takes it back if the step locks and it is quiet then
                self._warn_keys[w.id] = (key, rule, params, m)

    def _warn(self, acct, rule_name, now, out, reason, params) -> None:
        key = (acct.account_id, f"{rule_name}:note", self.day)
        if key in self.warned:
            return
        self.warned.add(key)
        out.warnings.append(RuleWarning(id=self.ids(), ts_ns=now, rule=rule_name,
                                        account_id=acct.account_id, value=None, limit=None,
                                        warn_at=params.warn_at, reason=reason))


def _signed(pu: PositionUpdate) -> int:
    """The signed size a Position event shows."""
    return pu.size if pu.type == POSITION_LONG else -pu.size


def _latest_opening(acct: AccountState, contract_id: str) -> int:
    """When the latest position on the contract opened, by the broker's clock (0: not known):
    the book's (AccountState.opened_at), or the trader's latest opening fill there, also of a
    position closed since (its flat Position came before a command's result)."""
    return max([acct.opened_at(contract_id)]
               + [f.ts_ns for f in acct.trades.values()
                  if f.contract_id == contract_id and f.pnl is None and not f.by_riskd])
