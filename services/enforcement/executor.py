"""Runs commands against the broker on a small thread pool; the worker loop never waits on it.

Each pool thread owns its ProjectXRest (a requests.Session is not shared) and draws from one
shared rate budget (closes before cancels: services/enforcement/budget.py). Jobs are taken by
priority (closes/flatten first), and the loop submits at most one job per account and lane
at a time (lanes.py: one contract's closes, or a flatten of all of them; orders), so two
commands never fight over one position. A job:
  1. marks the command running in the journal (committed) before any broker call;
  2. alert mode: describes what it would do (reads only) -> a 'skipped' result;
  3. runs the action, at most `rounds` times with backoff on transient failures (the client
     itself retries timeouts/5xx/429 per call); a backoff is waited out through `pause`
     (services/enforcement/lanes.py): when another command waits in the lane, the job hands
     the lane over instead (a HANDOVER outcome: its rounds, calls and errors so far are kept,
     it is queued again and resumes with a re-read of the broker, not before its backoff
     ends); a wait for riskd's own rate budget is not a round, but the run after it is
     resumed as a later round is (it re-reads before a close: the run before the wait may
     have closed already);
     An action may end at such a handover instead (its `handed_to`): a close whose call
     was answered, retried only because the contract is open again, ends done when the close
     queued behind it closes that contract anyway (a locked trader buying again and again
     otherwise kept the first close retrying until it failed: "ENFORCEMENT FAILED" for
     closes that all worked);
  4. MarketClosed -> 'pending' (the loop retries later); AccountRejected -> failed, loud;
     anything that keeps failing -> failed with the reason;
  5. writes the final result to the journal, then hands an Outcome to the loop's queue.
A settle (the ~50 ms an action gives the broker to book its fills before it verifies them,
actions/base.py) does not hold a pool thread: the action yields it, the job's turn ends with
a SETTLE outcome whose `again` holds the command stopped where it was (a suspended generator,
`Running`), and the loop submits that job again when the settle is over (a one-shot timer,
Worker.after); the next free thread continues it at the verification, with its own client,
so no call made before the settle is made again. The command keeps its lane meanwhile (the
settle waits for ITS fills: another command of the account must not act on them half
booked), and its journal row stays 'running' (a kill -9 meanwhile resumes it by re-reading
the broker, as any command left running). Wide moves found it: with 4 threads each held
~55 ms by a close, 20 accounts breached at once were closed in waves of 4 (the 20th after
~265 ms; docs/performance.md "A market-wide move").
"""
from __future__ import annotations

import datetime as dt
import inspect
import itertools
import logging
import queue
import threading
import time
from typing import Callable, Generator, Optional

import attrs

from services.enforcement.actions import ACTIONS
from services.enforcement.actions.base import (CALL_ERRORS, ActionContext, CannotEnforce,
                                               GiveUp, HandOver, MarketClosed, Retry,
                                               SENDING, Withdrawn, as_said)
from services.enforcement import (closedby, closefits, closeorders, cutfits, preface, withdraw,
                                  withdrawnclose)
from services.enforcement import withdrawnlost
from services.enforcement.simstart import SimStart
from services.enforcement.budget import BudgetView, Closing
from services.enforcement.journal import PENDING as PENDING_STATE, RUNNING, Entry, Journal
from shared import latewords
from shared.crashpoint import crash_point
from shared.latewords import RESTARTED
from services.enforcement import outcomes
from services.enforcement.planning import retry_delay
from shared.clock import Clock
from shared.messages.enforce import (CLOSING_ACTIONS, DONE, FAILED, SKIPPED, WITHDRAWN,
                                     Command, CommandResult, WithdrawCommand)
from shared.projectx.errors import ParseError, RateBudgetExhausted
from shared.projectx.models import OrderSide, OrderStatus
from shared.projectx.ratebudget import RateBudget
from shared.projectx.words import plain as broker_words
from shared.symbols import tickers_in

log = logging.getLogger(__name__)

FINAL, PENDING, HANDOVER, SETTLE = "final", "pending", "handover", "settle"
# CLOSING_ACTIONS resumed after a restart: a close the ended process sent may still be carried
# out (ActionContext.lost_before_restart)


@attrs.frozen
class Settings:
    threads: int = 4
    rounds: int = 4              # attempts of one action before it is a failed result
    backoff: float = 0.25        # between rounds: 0.25, 0.5, 1, 2 ... s
    backoff_max: float = 4.0
    settle: float = 0.05         # pause before verifying (the broker books the fills); no
                                 # thread waits it out: the command continues after it
    budget_wait_max: float = 120.0   # s: waits for riskd's own rate budget, not rounds
    zone: Optional[dt.tzinfo] = None  # the display zone: times a result names (showtime)


@attrs.frozen
class Carry:
    """What a command that handed its lane over during a backoff takes to its next turn."""
    rounds: int = 0               # rounds run so far: the limit counts every one
    due: float = 0.0              # monotonic s its backoff ends: no round before then
    waited: float = 0.0           # s waited for the rate budget so far
    errors: tuple = ()
    done: tuple = ()
    first_answer_ns: int = 0
    close_calls: tuple = ()       # the close calls made so far (closeorders.CloseCall)
    timed_out_s: Optional[float] = None   # a close timed out after this many s (its words)
    handed: bool = False          # it handed its lane over (never a command left by a restart)


class Running:
    """A command between its turns on the pool: its steps (the executor's generator, stopped
    at a settle), its action's context, and the broker calls made over every turn (each turn
    may run on another thread, with that thread's client)."""

    def __init__(self) -> None:
        self.steps: Optional[Generator[float, None, "Outcome"]] = None
        self.ctx: Optional[ActionContext] = None
        self.client = None
        self._calls_before = 0          # calls made in the turns before this one
        self._start = 0                 # the client's count when this turn began

    def bind(self, client, view: Optional[BudgetView]) -> None:
        """The turn starts on this thread: its client (and rate budget view) from here on."""
        self.client = client
        self._start = getattr(client, "calls", 0)
        if self.ctx is not None:
            self.ctx.client, self.ctx.budget = client, view

    def unbind(self) -> None:
        """The turn ends at a settle: keep the count, let the thread's client go."""
        self._calls_before = self.calls
        self.client, self._start = None, 0

    @property
    def calls(self) -> int:
        return self._calls_before + getattr(self.client, "calls", 0) - self._start


@attrs.frozen
class Job:
    entry: Entry                  # the journal row when it was submitted
    account_label: str = ""
    # re-read the broker before the first trading call: the command was left by a previous
    # process, or it waited behind another command of its account's lane (which may have
    # closed what this one is about); only a fresh command that ran at once skips the read
    recheck: bool = False
    carry: Carry = Carry()        # a job that handed its lane over: where it stopped
    running: Optional[Running] = attrs.field(default=None, eq=False)   # after a settle
    # set once the loop has published the command's 'accepted' result: its first trading
    # call waits for it (ActionContext._call), its journal row and reads do not (the loop
    # submits first and publishes while the thread starts: app.py _schedule); None: no wait
    announced: Optional[threading.Event] = attrs.field(default=None, eq=False)
    # the command's first log line, made when the loop accepted it: written by the thread
    # running it after its first trading call, before anything else it logs, or at the end of
    # its turn (services/enforcement/preface.py)
    preface: Optional[preface.Held] = attrs.field(default=None, eq=False)

    @property
    def command(self):
        return self.entry.command


@attrs.frozen
class Outcome:
    """What a job came to, for the loop: a final result (stored), pending with a reason, a
    handover (not a result: `again` is queued behind the command waiting in its lane), or a
    settle (not a result: `again` is submitted once `wait` s are over; it keeps its lane)."""
    kind: str                      # final | pending | handover | settle
    result: Optional[CommandResult]   # None for a settle
    command: Command
    cannot_enforce: str = ""       # set when the broker rejected the account
    again: Optional[Job] = None    # handover, settle: the job to run again
    wait: float = 0.0              # settle: s before `again` is submitted


class Executor:
    def __init__(self, make_client: Callable[[BudgetView], object], journal: Journal,
                 clock: Clock, settings: Settings = Settings(),
                 budget: Optional[RateBudget] = None,
                 sleep: Callable[[float], None] = time.sleep,
                 pause: Optional[Callable[[Command, float], bool]] = None,
                 queued: Callable[[Command], list] = lambda _cmd: []):
        self.make_client = make_client
        self.journal = journal
        self.clock = clock
        self.settings = settings
        self.budget = budget or RateBudget(clock=clock)
        self.sleep = sleep
        # waits out a retry backoff; True: another command waits in the lane, hand it over
        # (services/enforcement/lanes.py); without lanes, a plain sleep
        self.pause = pause or _sleeping(sleep)
        # the commands queued in a command's lane (Lanes.queued): at a handover, one of them
        # may do what this one retries (an action's `handed_to`)
        self.queued = queued
        self.outcomes: queue.Queue[Outcome] = queue.Queue()
        self.notify: Callable[[], None] = lambda: None   # called after each outcome is queued
        self._jobs: queue.PriorityQueue = queue.PriorityQueue()
        self._seq = itertools.count()
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self.v2_state = {"missing": False}     # shared: the gateway has no Order/v2/query
        self.closing = Closing()
        self.starting = SimStart(False)        # the app's: SimStart(broker.kind == "sim")
        # command id -> when its trading call now out was sent (ActionContext._call): what a
        # command queued behind it waits for (services/enforcement/behind.py)
        self.at_broker: dict[str, int] = {}
        # command id -> risk's withdraw of it, come while it ran (the loop sets it: app.py
        # withdraw; a restart from the journal's withdraw_asked): it stops before its next
        # trading call (actions/base.py Withdrawn) and ends withdrawn (_withdrawn)
        self.withdrawn: dict[str, WithdrawCommand] = {}

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        for i in range(self.settings.threads):
            t = threading.Thread(target=self._thread, name=f"enforcement-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        for _ in self._threads:
            self._jobs.put((99, next(self._seq), None))
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))

    def submit(self, job: Job) -> None:
        action = ACTIONS.get(job.command.action)
        priority = action.PRIORITY if action is not None else 0
        self._jobs.put((priority, next(self._seq), job))

    # -- the pool threads ----------------------------------------------------------------------
    def _thread(self) -> None:
        view = BudgetView(self.budget, self.closing)
        client = self.make_client(view)
        try:
            client.ensure_token()          # warm up: the first command does not pay the login
        except Exception as exc:           # the broker may be down: log in on the first call
            # (the embedded sim still starting is said once, not warned: simstart.py)
            self.starting.report(log, exc, "enforcement could not log in to the broker yet: %s")
        while not self._stop.is_set():
            _prio, _seq, job = self._jobs.get()
            if job is None:
                break
            try:
                outcome = self.turn(job, client, view)
            except Exception as exc:       # a bug must not lose the command: report it failed
                log.exception("enforcement: command %s crashed", job.command.id)
                outcome = self._final(job, FAILED, f"internal error: {type(exc).__name__}: {exc}",
                                      None, 0, rounds=1)
            self.outcomes.put(outcome)
            self.notify()
        close = getattr(client, "close", None)
        if close is not None:
            close()

    def run(self, job: Job, client, view: Optional[BudgetView] = None) -> Outcome:
        """Execute one command to its end, waiting out its settles here (tests, tools)."""
        while True:
            outcome = self.turn(job, client, view)
            if outcome.kind != SETTLE:
                return outcome
            self.sleep(outcome.wait)
            job = outcome.again

    def turn(self, job: Job, client, view: Optional[BudgetView] = None) -> Outcome:
        """Run one command until it ends or waits for a settle (a pool thread's turn). After a
        settle, `again` continues it where it stopped, on whichever thread runs it."""
        running = job.running or Running()
        running.bind(client, view)
        if running.steps is None:
            running.steps = self._steps(job, running, view)
        preface.take(job.preface)
        try:
            wait = next(running.steps)
        except StopIteration as end:
            return end.value
        finally:
            preface.write()        # a turn that made no trading call: its line now
        running.unbind()
        return Outcome(SETTLE, None, job.command, again=attrs.evolve(job, running=running),
                       wait=wait)

    def _steps(self, job: Job, running: Running, view: Optional[BudgetView]
               ) -> Generator[float, None, Outcome]:
        """The command's rounds; yields the seconds of each settle, returns the outcome."""
        cmd = job.command
        action = ACTIONS.get(cmd.action)
        resumed = job.recheck or job.entry.state in (RUNNING, PENDING_STATE)
        # left running by a process that ended (not a hand-over of this one): its calls may
        # have worked before it ended
        restarted = job.recheck and job.entry.state == RUNNING and job.carry.rounds == 0 \
            and not job.carry.handed
        # a flatten's run journals the contracts it sends closes on (SENDING), from none: a
        # restart reads a row without it as one from before the journal kept it (any contract)
        first = {SENDING: []} if (not restarted and not cmd.contract_id
                                  and cmd.action in CLOSING_ACTIONS) else None
        self.journal.start(cmd.id, self.clock.now_ns(), first)
        crash_point("enforcement.running_recorded")      # tests only: shared/crashpoint.py
        if action is None:
            return self._final(job, FAILED, f"unknown action {cmd.action!r} (expected one of "
                                            f"{', '.join(ACTIONS)})", None, running.calls,
                               rounds=0)
        progress = job.entry.progress
        if first is not None and not progress:
            progress = dict(first)          # as journaled by start()
        carry = job.carry
        if restarted:       # the rounds the process that ended ran: kept (_ran)
            progress, carry = self._rounds_ran(cmd, progress, carry)
        ctx = ActionContext(running.client, cmd, self.clock, view, progress=progress,
                            save_progress=lambda p: self.journal.save_progress(cmd.id, p),
                            account_label=job.account_label, v2_state=self.v2_state,
                            settle=self.settings.settle, resumed=resumed,
                            restarted=restarted, zone=self.settings.zone,
                            calls_out=self.at_broker,
                            closers=lambda since: self.journal.closers(cmd.account_id, since),
                            lost_closes=lambda since: self.journal.lost_closes(
                                cmd.account_id, since, cmd.id),
                            announced=job.announced,
                            withdrawn=lambda: self.withdrawn.get(cmd.id))
        ctx.queued_behind = lambda: self.queued(cmd)
        running.ctx = ctx
        if cmd.mode == "alert":
            return self._alert(job, action, ctx, running)
        if restarted and job.entry.started_ns and cmd.action in CLOSING_ACTIONS:
            # the ended process may have sent a close whose answer it never got: a close of
            # this run that works lists it as unsettled (its late fill is riskd's)
            ctx.lost_before_restart(cmd.contract_id or "",
                                    (cmd.size or 0) if cmd.action == "reduce_position" else 0,
                                    job.entry.started_ns)
        s = self.settings
        ctx.errors, ctx.done = list(carry.errors), list(carry.done)
        ctx.first_answer_ns = carry.first_answer_ns
        ctx.close_calls = list(carry.close_calls)
        ctx.timed_out_s = carry.timed_out_s
        round_no, waited = carry.rounds, carry.waited
        ctx.waited_budget = waited > 0
        backoff = max(0.0, carry.due - self.clock.monotonic())   # the rest of its backoff
        ran = False          # the action ran already for this command (a round, a budget wait)
        while round_no < s.rounds:
            if backoff:
                due = self.clock.monotonic() + backoff
                if self.pause(cmd, backoff):
                    handed = getattr(action, "handed_to", None)
                    detail = handed(ctx, self.queued(cmd)) if handed is not None else None
                    if detail:      # the command queued behind does what this one retried
                        return self._final(job, DONE, detail, ctx, running.calls,
                                           round_no - carry.rounds)
                    return self._hand_over(job, ctx, running.calls, round_no, waited, due)
                backoff = 0.0
            round_no += 1
            # an earlier run's call may have worked: a failed round, or a run that stopped for
            # the rate budget (which does not count as a round: round_no alone misses it, and
            # a close whose verification met the budget was sent again, blind, to a flat
            # position: chaos run 2026-12-06 01:10:53)
            ctx.resumed = ctx.resumed or ran or round_no > 1
            ran = True
            ctx.budget_wait = 0.0
            sent_before = ctx.trading_calls        # this round's trading calls: those after
            try:
                detail = yield from _stepwise(action.run(ctx))
                return self._final(job, DONE, detail, ctx, running.calls, round_no - carry.rounds)
            except Withdrawn as exc:
                # the round it stopped in is no round when it made no trading call
                return self._withdrawn(job, ctx, exc.withdraw, running.calls,
                                       round_no - carry.rounds
                                       - int(ctx.trading_calls == sent_before))
            except HandOver:
                # a close or a flatten queued behind while this one waits: it runs first;
                # this round is run again after it (not counted), re-reading the broker
                return self._hand_over(job, ctx, running.calls, round_no - 1, waited,
                                       self.clock.monotonic())
            except MarketClosed as exc:
                detail = (f"{cmd.action} on account {ctx.account} waits for the market to open "
                          f"({exc}); done so far: {'; '.join(ctx.done) or 'nothing'}")
                ctx.save_progress(ran=None)         # its counts hold its rounds from here on
                self.journal.pending(cmd.id, broker_words(detail), round_no - carry.rounds, running.calls)
                entry = self.journal.get(cmd.id)
                return Outcome(PENDING, entry.result(), cmd)
            except CannotEnforce as exc:
                return self._final(job, FAILED, str(exc), ctx, running.calls,
                                   round_no - carry.rounds, cannot_enforce=str(exc))
            except GiveUp as exc:
                return self._final(job, FAILED, f"{cmd.action} failed: {exc}", ctx,
                                   running.calls, round_no - carry.rounds)
            except (Retry, ParseError, *CALL_ERRORS) as exc:
                if isinstance(exc, CALL_ERRORS) and outcomes.classify(exc) == outcomes.FATAL:
                    return self._final(job, FAILED, f"{cmd.action} failed: {exc}", ctx,
                                       running.calls, round_no - carry.rounds)
                if isinstance(exc, RateBudgetExhausted):
                    ctx.budget_wait = max(ctx.budget_wait, exc.wait)
                if ctx.budget_wait and waited < s.budget_wait_max:
                    # riskd's own rate budget (the broker's limit, kept locally) is used up for
                    # now: wait for it; that is not a failed round (the calm chaos run gave up
                    # on a lockout's cancel after 4 rounds of 0.25-2 s and paged the trader)
                    pause = min(ctx.budget_wait + 0.05, s.budget_wait_max - waited)
                    log.info("command %s (%s, account %s) waits %.1f s for the rate budget",
                             cmd.id, cmd.action, ctx.account, pause,
                             extra={"kind": "enforcement", "account": cmd.account_id,
                                    "command_id": cmd.id})
                    waited += pause
                    ctx.waited_budget = True
                    round_no -= 1
                    self.sleep(pause)
                    continue
                ctx.errors.append(f"round {round_no}: {exc}")
                log.warning("command %s (%s, account %s): round %d of %d failed: %s", cmd.id,
                            cmd.action, ctx.account, round_no, s.rounds, exc,
                            extra={"kind": "enforcement", "account": cmd.account_id,
                                   "command_id": cmd.id})
                # journaled before its backoff: a process that ends meanwhile leaves the round
                # to the one that resumes the command (_rounds_ran)
                ctx.save_progress(ran=_ran(ctx, round_no, carry.rounds, running.calls))
                if round_no < s.rounds:
                    backoff = retry_delay(round_no, s.backoff, s.backoff_max)
        return self._final(job, FAILED, f"{cmd.action} on account {ctx.account} gave up after "
                                        f"{s.rounds} rounds: {ctx.errors[-1]}",
                           ctx, running.calls, s.rounds - carry.rounds)

    def _rounds_ran(self, cmd: Command, progress: dict, carry: Carry) -> tuple[dict, Carry]:
        """A command left running by a process that ended, resumed: the rounds that process
        ran and journaled as they failed (progress `ran`) are this command's, as a hand-over's
        are (Carry). Its result counts them, keeps their errors and what they did (a close that
        timed out: "closed, though the close got no answer within 10s (timed out)"), and its
        first answer is theirs: "no answer within 10s, done 14s" on every screen (trial19a section
        2: enforcement killed -9 just after a held close's first call timed out read "done,
        timed out 14s", "1 round", and history left the timed-out round out). The rounds it
        had not added to the journal's counts are added now, once. At least one round is left
        to the resumed command: it re-reads the broker before it ends."""
        ran = progress.get("ran")
        if not ran:
            return progress, carry
        rounds = int(ran.get("rounds", 0))
        self.journal.add_counts(cmd.id, max(0, rounds - int(ran.get("counted", 0))),
                                int(ran.get("calls", 0)))
        progress = {**progress, "ran": {**ran, "counted": rounds, "calls": 0}}
        self.journal.save_progress(cmd.id, progress)
        timed_out = ran.get("timed_out_s")
        return progress, Carry(rounds=min(rounds, self.settings.rounds - 1),
                               errors=tuple(ran.get("errors") or ()),
                               done=tuple(ran.get("done") or ()),
                               first_answer_ns=int(ran.get("first_answer_ns") or 0),
                               timed_out_s=None if timed_out is None else float(timed_out))

    def _hand_over(self, job: Job, ctx: ActionContext, calls: int, rounds: int,
                   waited: float, due: float) -> Outcome:
        """Another command waits in this one's lane: stop here, journal the rounds and calls
        made, and give the loop the job to queue again (fresh journal row: its progress)."""
        cmd = job.command
        self.journal.add_counts(cmd.id, rounds - job.carry.rounds, calls)
        ctx.save_progress(ran=_ran(ctx, rounds, rounds, 0))     # counted: not again (_rounds_ran)
        entry = self.journal.get(cmd.id)
        carry = Carry(rounds, due, waited, tuple(ctx.errors), tuple(ctx.done), ctx.first_answer_ns,
                      tuple(ctx.close_calls), ctx.timed_out_s, handed=True)
        log.info("command %s (%s, account %s) hands its lane over to the command waiting in it "
                 "(round %d of %d failed); it re-reads the broker after it", cmd.id, cmd.action,
                 ctx.account, rounds, self.settings.rounds,
                 extra={"kind": "enforcement", "account": cmd.account_id, "command_id": cmd.id})
        return Outcome(HANDOVER, entry.result(), cmd,
                       again=Job(entry, job.account_label, recheck=True, carry=carry))

    def _withdrawn(self, job: Job, ctx: ActionContext, w: WithdrawCommand, calls: int,
                   rounds: int) -> Outcome:
        """Risk took the command back while it ran, and it stopped before its next trading
        call. Nothing done before: 'withdrawn', in the words of one taken back before it ran
        (withdraw.detail: its lockout ended, nothing of it is carried out). Something done
        before the withdraw came (a flatten's close, then the withdraw before its cancels):
        'done' with what it did and that it stopped there, so risk books those closes as
        riskd's as for any done command."""
        cmd = job.command
        made = [d for d in as_said(ctx.done) if not d.endswith("(already done)")]
        # resumed after a restart: the ended process may have sent a close (a close's first
        # call; a flatten's journaled contracts, SENDING) before the withdraw came
        earlier = ctx.restarted and bool(cmd.contract_id or ctx.progress.get(SENDING))
        log.warning("command %s (%s, account %s) stopped: withdrawn by %s while it ran (%s)%s",
                    cmd.id, cmd.action, ctx.account, w.by or "risk", w.reason,
                    f"; done before: {'; '.join(made)}" if made else "",
                    extra={"kind": "withdraw", "account": cmd.account_id,
                           "command_id": cmd.id})
        # rounds: this run's, the one it stopped in left out when it made no trading call
        # there ("1 round" was said of a resumed command that sent nothing); the ended
        # process's round that may have sent a close is one, uncounted until now (killed in
        # it: only a failed round is journaled, _rounds_ran)
        rounds += 1 if earlier else 0
        ctx.stopped_unsettled()         # its closes that got no answer may come late
        if not made and not earlier:
            return self._final(job, WITHDRAWN, withdraw.detail(w), ctx, calls, rounds)
        out = withdrawnlost.out_rows(ctx)
        if out:
            # a close of its got no answer: still out at the broker unless an order of it
            # shows (carried out: riskd's work, never "nothing to do"); when that is all it
            # did and none shows, withdrawn in words that say so (withdrawnlost.py)
            searched, found, _known = self._close_orders(job, ctx)
            calls += searched
            if withdrawnlost.shown(out, found):
                ctx.found_flat_after_restart()
            elif withdrawnlost.only_lost(made) and withdrawnlost.out_rows(ctx):
                return self._final(job, WITHDRAWN, withdrawnlost.detail(
                    w, withdrawnlost.out_rows(ctx), ctx.zone, self.clock.now_ns()), ctx,
                    calls, rounds)
        before = "; ".join(made) if made else \
            "what it sent before enforcement restarted may have been carried out"
        # a close already out was carried out: the orders it left without a position are
        # cancelled (its clean-up, not a new action: withdrawnclose.py), and said
        start = getattr(ctx.client, "calls", 0)
        cleaned = withdrawnclose.clean_up(ctx)
        calls += getattr(ctx.client, "calls", 0) - start
        then = f"{cleaned}; nothing else was sent" if cleaned else ": nothing more carried out"
        return self._final(job, DONE, f"{cmd.action} on account {ctx.account}: {before}; then "
                                      f"stopped, withdrawn while it ran ({w.reason}){then}",
                           ctx, calls, rounds, said_closed=bool(cleaned))

    def _alert(self, job: Job, action, ctx: ActionContext, running: Running) -> Outcome:
        try:
            text = action.describe(ctx)
        except (GiveUp, ParseError, *CALL_ERRORS) as exc:
            text = f"{job.command.action} on account {ctx.account} (state unreadable: {exc})"
        return self._final(job, SKIPPED, f"alert mode: would have {_past(text)}", ctx,
                           running.calls, rounds=1)

    def _final(self, job: Job, status: str, detail: str, ctx: Optional[ActionContext],
               calls: int, rounds: int, cannot_enforce: str = "",
               said_closed: bool = False) -> Outcome:
        """said_closed: the detail says what the closes took already (withdrawnclose.py)."""
        cmd = job.command
        if ctx is not None and status in (DONE, FAILED):
            made, found, known = self._close_orders(job, ctx)
            calls += made
            counted = getattr(ACTIONS.get(cmd.action), "counted", None)
            if status == DONE and counted is not None and not said_closed:
                detail += counted(ctx, found, known)
        if ctx is not None and status == DONE and ctx.restarted:
            detail += _resumed_words(ctx)
        now = self.clock.now_ns()
        # the words a person reads name a contract by its ticker, as every screen does
        # (fresh-user trial 2026-12-06: "reduced CON.F.US.MNQ.Z26 on ..." beside "MNQ"), and
        # a broker failure by what the call was for, not its API path (trial 13b: "flatten
        # failed: /api/Position/searchOpen failed with error code 1: ..."); the log keeps it
        result = CommandResult(
            command_id=cmd.id, account_id=cmd.account_id, status=status,
            detail=broker_words(tickers_in(detail)),
            attempts=rounds, started_ns=job.entry.started_ns or now, finished_ns=now,
            event_ns=cmd.event_ns, action=cmd.action, rule=cmd.rule,
            first_answer_ns=ctx.first_answer_ns if ctx else 0,
            broker_calls=calls,
            errors=list(ctx.errors) if ctx else [], reason=cmd.reason, by=cmd.by,
            issued_ns=cmd.issued_ns)
        entry = self.journal.finish(result)
        return Outcome(FINAL, entry.result(), cmd, broker_words(cannot_enforce))


    def _close_orders(self, job: Job, ctx: ActionContext) -> tuple[int, list, bool]:
        """Find the broker orders the command's closes created and journal them (progress
        close_orders, orders_known: the result carries them; closeorders.py). A command left
        running by a process that ended may have closed before it: from its first start on.
        (the broker calls made (0 or 1), the orders found, whether that list is complete)."""
        calls = list(ctx.close_calls)
        if ctx.restarted and job.entry.started_ns:
            # a reduce's ended process sent one cut of its journaled size (cutfits.py: one
            # order of that size, not the trader's sell of it too); else a close of any size
            size = cutfits.killed_cut(ctx.progress) \
                if ctx.command.action == "reduce_position" else 0
            calls.append(closeorders.CloseCall(ctx.command.contract_id or "", size,
                                               job.entry.started_ns, worked=False))
        if not calls:
            return 0, [], True
        if ctx.searched is not None and ctx.searched[0] <= min(c.sent_ns for c in calls):
            # searched after its last close call already (a withdrawn close's clean-up): the
            # same orders, so its words and its result never tell two stories
            made, orders = 0, ctx.searched[1]
        else:
            made, orders = 1, closeorders.read(ctx.client, ctx.account_id, calls, ctx.budget)
        found, known, after = [], False, _read_after(ctx)
        if orders is not None and ctx.opened_by is not None:
            # the trader's new position's orders: neither a close of this command's nor the
            # reversing order closedby.reversal looks for (that one is on the closing side)
            since, side = ctx.opened_by
            kept = [o for o in orders if not ((o.created_ns or 0) > since and o.side == side)]
            # closefits' walk leaves them out too: it ends where the read found the contract,
            # less what they opened
            after = _less(after, [o for o in orders if o not in kept])
            orders = kept
        if orders is not None:
            found, known = closeorders.pick(orders, calls, self.clock.now_ns())
            if ctx.command.action == "close_position":
                closedby.reversal(ctx, orders, found)   # the trader's reversing order: not ours
            # a whole close is one order of all that was open: an order of the window that
            # does not fit it is the trader's (closefits.py)
            ctx.not_ours.update(closefits.theirs(found, orders, calls, after))
            # a close never grows the position it closes: the trader's buy beside it
            ctx.not_ours.update(closefits.growing(
                found, orders, calls,
                {cmd_cid: ctx.command.held} if (cmd_cid := ctx.command.contract_id) else None))
        found = [o for o in found if o.order_id not in ctx.not_ours]  # another's (closedby.py)
        if orders is not None and ctx.restarted and job.entry.started_ns:
            _killed_close_carried(ctx, orders, found, job.entry.started_ns, self.clock.now_ns())
        ctx.save_progress(close_orders=[[o.order_id, o.contract_id, o.side, o.size,
                                         o.answered] for o in found], orders_known=known)
        return made, found, known


def _killed_close_carried(ctx: ActionContext, orders: list, found: list, started_ns: int,
                          now_ns: int) -> None:
    """The close the ended process may have sent (lost_before_restart) was carried out, and
    will not be carried out late (not unsettled), when it left its order: one made before
    this process resumed, or one made after that, before this search, that the result lists
    as riskd's (found) and no call of this run made (after this run's close, on the position
    the trader opened since). Listed both as riskd's fill and as a close that "may still be
    carried out", a whole close of the trader's in the next 2 minutes would be taken as it
    (trial25c F11). Either way on the side this run's own close there has (closeorders
    .carried_out)."""
    own = closeorders.pick(orders, ctx.close_calls, now_ns)[0]
    ours = {o.order_id for o in found}
    listed = [o for o in orders if o.id in ours]
    ctx.killed_closes_carried(lambda cid: closeorders.carried_out(
        orders, cid, started_ns, ctx.begun_ns, own) or closeorders.carried_out(
        listed, cid, ctx.begun_ns, now_ns, own))


def _read_after(ctx: ActionContext) -> Optional[dict]:
    """The positions the command's last read found, when that read began after every close
    call of its was answered (a lost call's: sent); None otherwise (closefits.theirs)."""
    ends = [c.answered_ns or c.sent_ns for c in ctx.close_calls]
    return ctx.known_open if ends and ctx.read_ns >= max(ends) else None


def _less(after: Optional[dict], orders: list) -> Optional[dict]:
    """after, less what the orders (the trader's new position's, filled) opened."""
    if after is None:
        return None
    out = dict(after)
    for o in orders:
        if o.status == OrderStatus.FILLED:
            out[o.contract_id] = out.get(o.contract_id, 0) - (
                -o.size if o.side == OrderSide.ASK else o.size)
    return out


def _ran(ctx: ActionContext, rounds: int, counted: int, calls: int) -> dict:
    """The command's rounds so far as the journal keeps them (progress `ran`): how many,
    how many of them its counts hold already (a hand-over's), the broker calls not in them
    yet, the errors, what was done, its first answer and whether that was a timeout."""
    return {"rounds": rounds, "counted": counted, "calls": calls,
            "errors": list(ctx.errors), "done": list(ctx.done),
            "first_answer_ns": ctx.first_answer_ns, "timed_out_s": ctx.timed_out_s}


def _resumed_words(ctx: ActionContext) -> str:
    """'; resumed after enforcement restarted: the close sent at 02:25:18, ...' when the close
    the ended process sent is still unsettled at the end (this run closed again; the broker
    may carry that call out later: CommandResult.unsettled, risk's late exit); '' otherwise
    (found done: its own words say it)."""
    sent = [c for c in ctx.progress.get("unsettled") or [] if len(c) > 3 and c[3] == RESTARTED]
    if not sent:
        return ""
    cut = int(sent[0][1] or 0) if ctx.command.action == "reduce_position" else 0
    return "; " + latewords.resumed(int(sent[0][2] or 0), ctx.zone, ctx.clock.now_ns(), cut)


def _stepwise(result) -> Generator[float, None, str]:
    """An action's run as steps: a generator (it settles) as it is, else its text at once."""
    if inspect.isgenerator(result):
        return (yield from result)
    return result


def _sleeping(sleep: Callable[[float], None]) -> Callable[[Command, float], bool]:
    """A pause that waits out every backoff (an executor without lanes)."""
    def pause(_cmd: Command, seconds: float) -> bool:
        sleep(seconds)
        return False
    return pause


def _past(text: str) -> str:
    """'flatten account 7 (...)' -> 'flattened account 7 (...)' for the alert-mode sentence."""
    verb, _, rest = text.partition(" ")
    past = {"flatten": "flattened", "close": "closed", "reduce": "reduced",
            "cancel": "cancelled", "move": "moved"}.get(verb, verb)
    return f"{past} {rest}"
