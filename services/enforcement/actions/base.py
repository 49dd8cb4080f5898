"""What every action gets (ActionContext) and how it says it cannot finish (exceptions).

An action module has NAME, PRIORITY (0 = closes, 1 = cancels and modifies), run(ctx) -> str
(what was done; raises when the goal is not reached) and describe(ctx) -> str (alert mode:
what it would do, reads allowed, no trading call). An action that waits for the broker to
book its fills before verifying is a generator: `yield from ctx.settle()` yields the seconds
to wait and the executor gives the pool thread back meanwhile (services/enforcement/
executor.py: the command resumes after its settle, at the verification, on any pool thread);
its `return` is the text. Actions re-read the broker's state
instead of trusting what an earlier attempt did, so running one again after a crash or a
lost answer finishes the job without repeating a call that worked.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from typing import Callable, Iterator, Optional

import attrs

from services.enforcement import outcomes, preface
from services.enforcement.budget import BudgetView
from services.enforcement.closeorders import CloseCall
from services.enforcement.planning import (CANCEL, CLOSE, MODIFY, PARTIAL, RESIZE,
                                           WORKING_STATUSES, Step)
from shared.clock import Clock
from shared.crashpoint import crash_point
from shared.latewords import ANSWER_LOST, RESTARTED, TIMED_OUT
from shared.messages.enforce import Command, WithdrawCommand
from shared.projectx.errors import BrokerUnavailable, ProjectXError, RateBudgetExhausted
from shared.projectx.models import Order, Position
from shared.when import gap

log = logging.getLogger(__name__)

CALL_ERRORS = (ProjectXError, BrokerUnavailable, RateBudgetExhausted)


class MarketClosed(Exception):
    """The broker rejected a close (market shut): keep the command pending, retry later."""


class CannotEnforce(Exception):
    """AccountRejected: the broker refuses API trading on this account; not worth retrying."""


class Retry(Exception):
    """Some part failed for a reason that may pass (timeouts, 5xx, 429, not flat yet)."""


class GiveUp(Exception):
    """A failure retrying cannot fix (bad command, unknown contract)."""


class Withdrawn(Exception):
    """Risk took the command back while it ran (its lockout ended, the account is no longer
    guarded: services/enforcement/withdraw.py): raised before its next trading call, so
    nothing more is carried out for it. Make test at 56ade29c: cooldown_after_loss's
    flatten, started just before the admin's unlock reached enforcement, read the positions
    after the trader's next buy and closed that new MNQ +1 (and cancelled its stop)."""

    def __init__(self, withdraw: WithdrawCommand):
        super().__init__(withdraw.reason)
        self.withdraw = withdraw


class HandOver(Exception):
    """The action waits (a reduce for its lost cut: services/enforcement/lostcuts.py) while
    another command of its slot is queued that does not wait: the executor hands the slot
    over (its round is not counted) and the action resumes after it, re-reading the broker."""


LOST = " (its answer was lost)"
AFTER_RESTART = " (flat when enforcement resumed it after a restart)"
# progress key: the contracts a flatten (a command of no one contract) has sent a close on,
# journaled before each first call there (ActionContext._sending, lost_before_restart)
SENDING = "sending"
# a close of a command resumed after a restart that found no position left, while the close
# the ended process had sent (held, its answer never come) was still outstanding: that close
# did it (small19/trial18c: the resumed close read "nothing to do: MNQ was already flat", as if
# someone else had closed it)
BY_EARLIER = " (done by the close riskd sent before enforcement restarted)"
ANSWERED_HTTP = " (the broker answered HTTP "


def lost(step: Step) -> str:
    """How done lists a close whose answer never came (a timeout, a connection dropped after
    sending): it may have worked."""
    return step.describe() + LOST


def answered_http(step: Step, status: int) -> str:
    """How done lists a close the broker answered with a server error (5xx): the broker's
    answer came, so it is not 'lost' (trial 2026-12-06: a close refused with HTTP 500 read
    "its answer was lost"); a 5xx can still hide a close that worked, so it counts as one
    that may have."""
    return f"{step.describe()}{ANSWERED_HTTP}{status})"


def unsure(done: list[str], timed_out_s: Optional[float] = None) -> Optional[str]:
    """Why a close of this command may have worked without saying so: 'the close got no
    answer within 10s (timed out)' (timed_out_s: riskd gave up on a close after its [broker]
    timeout), 'the broker's answer to the close was lost' (a dropped connection) or 'the broker
    answered the close with HTTP 500'; None when every close's answer came and said whether it
    worked. Trial18c section 6: a held close riskd timed out on, answered by the broker later,
    read "the broker's answer to the close was lost"."""
    if any(d.endswith(LOST) for d in done):
        if timed_out_s:
            return f"the close got no answer within {gap(timed_out_s)} (timed out)"
        return "the broker's answer to the close was lost"
    for d in done:
        if ANSWERED_HTTP in d:
            return f"the broker answered the close with HTTP {d.rsplit(' ', 1)[-1].rstrip(')')}"
    return None


def answered(done: list[str], step: Step) -> bool:
    """A call of this step worked, or may have (its answer was lost, or was a 5xx)."""
    plain = step.describe()
    return any(d in (plain, lost(step), plain + AFTER_RESTART, plain + BY_EARLIER)
               or d.startswith(plain + ANSWERED_HTTP) for d in done)


def as_said(done: list[str]) -> list[str]:
    """The done list as a result says it: a call that may have worked (a lost answer, a 5xx)
    is left out once the same step was answered as done later (a flatten's 'close MNQ (the
    broker answered HTTP 500); close MNQ' is 'close MNQ')."""
    plain = set(done)
    return [d for d in done
            if not ((d.endswith(LOST) and d[:-len(LOST)] in plain)
                    or (ANSWERED_HTTP in d and d.split(ANSWERED_HTTP, 1)[0] in plain))]


@attrs.define
class StepReport:
    """What a batch of steps came to: which worked, and the worst failure."""
    steps: int = 0
    market_closed: int = 0
    retry: int = 0
    fatal: int = 0

    def __add__(self, other: "StepReport") -> "StepReport":
        return StepReport(*(a + b for a, b in zip(attrs.astuple(self), attrs.astuple(other))))

    def raise_if_stuck(self, errors: list[str]) -> None:
        last = errors[-1] if errors else "unknown error"
        if self.fatal:
            raise GiveUp(last)
        if self.retry:
            raise Retry(last)
        if self.market_closed:
            raise MarketClosed(last)


def _decided_open(command) -> dict[str, int]:
    """The positions risk knew open when it decided the command: a close's (Command.held) and
    a flatten's (Command.contracts with Command.holds, when risk sent them)."""
    known = dict(zip(command.contracts, command.holds)) \
        if len(command.holds) == len(command.contracts) else {}
    if command.contract_id and command.held:
        known[command.contract_id] = command.held
    return {c: n for c, n in known.items() if n}


class ActionContext:
    """One command's run: the client, the journal's progress, and what was done so far."""

    def __init__(self, client, command: Command, clock: Clock, budget: Optional[BudgetView] = None,
                 progress: Optional[dict] = None,
                 save_progress: Callable[[dict], None] = lambda _p: None,
                 account_label: str = "", v2_state: Optional[dict] = None,
                 settle: float = 0.05, resumed: bool = False, restarted: bool = False,
                 zone: Optional[dt.tzinfo] = None, calls_out: Optional[dict] = None,
                 closers: Optional[Callable[[int], dict]] = None,
                 lost_closes: Optional[Callable[[int], list]] = None,
                 announced: Optional[threading.Event] = None,
                 withdrawn: Optional[Callable[[], Optional[WithdrawCommand]]] = None):
        self.client = client
        self.command = command
        self.clock = clock
        self.budget = budget
        self.progress = dict(progress or {})
        self._save = save_progress
        self.account = account_label or str(command.account_id)
        self.v2 = v2_state if v2_state is not None else {"missing": False}
        self.settle_s = settle
        # the display zone (shared/showtime.py): a time a result names is shown in it
        self.zone = zone or dt.timezone.utc
        self.done: list[str] = []
        self.errors: list[str] = []
        # a close riskd gave up waiting for after the client's timeout ([broker] timeout): the
        # result says "no answer within 10s (timed out)", not that an answer was lost (unsure)
        self.timed_out_s: Optional[float] = None
        self.first_answer_ns = 0
        self.trading_calls = 0
        self.budget_wait = 0.0     # s: riskd's own rate budget asked to wait this long
        # the command has waited for the rate budget already: its cancels stop leaving the
        # closes' reserve (set by the executor; _priority)
        self.waited_budget = False
        # a call of this command may already have worked: recorded running before a crash,
        # or an earlier round whose answer was lost; set by the executor
        self.resumed = resumed
        self.restarted = restarted       # left running by a process that ended
        self.begun_ns = clock.now_ns()   # this process's run of it began (carried_out)
        # every close call that worked or may have (its answer lost), with its window: the
        # executor finds the broker orders they created (services/enforcement/closeorders.py)
        self.close_calls: list[CloseCall] = []
        # contract -> the position riskd knows open there (long +, short -): risk's when it
        # decided (Command.held, Command.holds), then each read of the broker's positions;
        # a close call records it as the position it was sent against (CloseCall.held)
        self.known_open: dict[str, int] = _decided_open(command)
        self.read_ns = 0                 # when the last read of them began (0: none yet)
        # command id -> when its trading call now at the broker was sent (the executor's
        # `at_broker`): a command queued behind this one says "held at the broker since"
        # only while that is so (services/enforcement/behind.py)
        self.calls_out = calls_out if calls_out is not None else {}
        # since_ns -> {order id: Command}: the orders the account's other commands created
        # (the journal's close_orders; services/enforcement/closedby.py)
        self.closers = closers or (lambda _since: {})
        # since_ns -> [LostCall]: the closes of the account's other commands whose outcome is
        # unknown, that the broker may still carry out (the journal's; closedby.py)
        self.lost_closes = lost_closes or (lambda _since: [])
        self.not_ours: set[int] = set()  # orders known to be another's: never its close orders
        # (from ns, the orders read): an order search made after the command's last close
        # call (a withdrawn close's clean-up: withdrawnclose.py), the result's too
        self.searched: Optional[tuple[int, list]] = None
        # (since ns, side): a position the trader opened after riskd decided this close, by
        # orders of that side made since then (newerposition.opened_since): never its orders
        self.opened_by: Optional[tuple[int, int]] = None
        # closedby.words found the position cut by orders none of which can be this command's
        # lost call (another command's, the trader's): that call is still to come
        self.cut_by_others = False
        # closedby.words found it cut by a market order of exactly the lost cut's size that is
        # either that cut, carried out, or the trader's own: riskd cannot tell which (its id)
        self.cut_maybe = 0
        # the commands queued behind this one in its slot (the executor's Lanes.queued)
        self.queued_behind: Callable[[], list] = lambda: []
        # the loop has published the command's 'accepted' (executor.Job.announced): awaited
        # before the first trading call, so risk hears of a command before its fills (the
        # kill switch's flatten, which risk did not decide: services/risk/app.py _on_market)
        self._announced = announced
        # risk's withdraw of this command, come while it runs (executor.Executor.withdrawn):
        # read right before each trading call, which it stops (Withdrawn)
        self._withdrawn = withdrawn or (lambda: None)

    @property
    def account_id(self) -> int:
        return self.command.account_id

    def save_progress(self, **values) -> None:
        """Journal what a restart must know, before the call it protects."""
        self.progress.update(values)
        self._save(self.progress)

    def settle(self) -> Iterator[float]:
        """Give the broker a moment to book fills before verifying: yields the seconds to wait
        (`yield from ctx.settle()`); the executor waits them out without holding a thread."""
        if self.settle_s > 0:
            yield self.settle_s

    # -- reads -----------------------------------------------------------------------------
    def positions(self, contract_id: Optional[str] = None) -> list[Position]:
        began = self.clock.now_ns()
        found = [p for p in self.client.open_positions(self.account_id) if p.size]
        self.known_open = {p.contract_id: p.signed_size for p in found}
        self.read_ns = began
        return [p for p in found if contract_id is None or p.contract_id == contract_id]

    def position(self, contract_id: str) -> Optional[Position]:
        found = self.positions(contract_id)
        return found[0] if found else None

    def working_orders(self) -> list[Order]:
        """Every working order, suspended bracket children included (Order/v2/query 1,6,7,8);
        Order/searchOpen (which hides suspended children) when the gateway has no v2."""
        if not self.v2["missing"]:
            try:
                return self.client.query_orders(self.account_id, statuses=WORKING_STATUSES).orders
            except ProjectXError as exc:
                if exc.code not in (404, 405):
                    raise
                self.v2["missing"] = True
                log.warning("the broker has no %s (HTTP %d): falling back to Order/searchOpen, "
                            "which does not show suspended bracket orders", exc.endpoint, exc.code)
        return self.client.open_orders(self.account_id)

    # -- trading calls -----------------------------------------------------------------------
    def _call(self, step: Step) -> None:
        if self._announced is not None:
            self._announced.wait()
            self._announced = None
        self.calls_out[self.command.id] = self.clock.now_ns()
        try:
            self._send(step)
        finally:
            self.calls_out.pop(self.command.id, None)
            preface.write()        # the command's first log line, once its call has left

    def _send(self, step: Step) -> None:
        c, aid = self.client, self.account_id
        if step.kind == CLOSE:
            with self._priority(high=True):
                c.close_contract(aid, step.contract_id)
            crash_point("enforcement.close_sent")          # tests only: shared/crashpoint.py
        elif step.kind == PARTIAL:
            with self._priority(high=True):
                c.partial_close_contract(aid, step.contract_id, step.size)
            crash_point("enforcement.close_sent")
        elif step.kind == CANCEL:
            with self._priority(high=False):
                c.cancel_order(aid, step.order_id)
        elif step.kind == MODIFY:
            c.modify_order(aid, step.order_id, stop_price=self.command.stop_price)
        elif step.kind == RESIZE:
            with self._priority(high=False):
                c.modify_order(aid, step.order_id, size=step.size)
        else:
            raise GiveUp(f"unknown step {step.kind!r}")

    def _priority(self, high: bool):
        if self.budget is None:
            return contextlib.nullcontext()
        if high:
            return self.budget.closing_now()
        if self.waited_budget:
            # a cancel leaves the reserve (services/enforcement/budget.py) for closes under
            # way once, not for ever: while closes keep coming, every token that refills is
            # taken before the reserve is there again, and a lockout's cancel waited 6.6 s,
            # five times over (calm chaos run 2026-12-07 04:07:45, order 9000060: 34 s)
            return contextlib.nullcontext()
        return self.budget.low_priority()

    def found_flat_after_restart(self, step: Optional[Step] = None) -> None:
        """A command left running by a process that ended finds its goal reached: that
        process's call may have done it (or the trader did). Said so, and never "nothing to
        do" (found_nothing_to_do): the phone hears that the breach's action is done."""
        self._answered()
        if step is not None:
            self.done.append(step.describe() + AFTER_RESTART)

    def _answered(self) -> None:
        if not self.first_answer_ns:
            self.first_answer_ns = self.clock.now_ns()

    def settle_orders(self, plan: Callable[[list[Order]], list[Step]], what: str,
                      passes: int = 3) -> Iterator[float]:
        """Read the working orders, run what `plan` makes of them, re-read: until the plan is
        empty (bounded passes). Every step is idempotent (OrderNotFound is done already), so a
        pass after a crash or a lost answer only does what is still missing."""
        for _ in range(passes):
            steps = plan(self.working_orders())
            if not steps:
                return
            self.execute(steps).raise_if_stuck(self.errors)
            yield from self.settle()
        raise Retry(f"{what} on account {self.account} after {passes} passes")

    # -- closes whose answer was lost -------------------------------------------------------
    def _closes(self, key: str) -> list[list]:
        return [list(c) for c in self.progress.get(key) or []]

    def _lost_close(self, step: Step, how: str) -> None:
        """A close of this step whose answer never came (or was a 5xx): it may still be
        carried out, now or later. Journaled (progress `lost`: contract, size, when riskd
        gave up on it, how: 'timed out', 'answer lost', 'HTTP 500'): a handover or a restart
        keeps it, and risk's words of a late fill of it say when and how (CommandResult
        .unsettled)."""
        lost_ = self._closes("lost") + [[step.contract_id, step.size or 0,
                                         self.clock.now_ns(), how]]
        self.save_progress(lost=lost_)

    def lost_before_restart(self, contract_id: str, size: int, started_ns: int) -> None:
        """A command left running by a process that ended (kill -9, a crash) may have sent a
        close whose answer that process never got: journaled as lost (how 'sent before
        enforcement restarted'; a flatten's: one per contract it journaled a close on
        (SENDING), or contract '' (any contract it closes now) for a row from before that), so
        a close of this run that works lists it as unsettled, and risk keeps a late fill of it
        as riskd's (trial18c section 1: the held close of a killed enforcement, carried out
        2 minutes later, was counted as the trader's trade). Once per command and contract."""
        lost_ = self._closes("lost")
        had = {c[0] for c in lost_ if len(c) > 3 and c[3] == RESTARTED}
        sending = self.progress.get(SENDING)
        if contract_id or sending is None:
            new = [contract_id]
        else:
            # a flatten whose ended process journaled the contracts it sent closes on (SENDING):
            # only those may still be carried out, not every contract this run closes
            # (trial22b finding 3: the killed process's held close was ES's; the resumed
            # flatten's answered close of MNQ was listed as that call, and the trader's own
            # later close of a new MNQ position said "riskd's earlier close of MNQ (sent at
            # 08:22:31 ...) carried out late" and left out of the trade count)
            new = list(sending)
        add = [[cid, size, started_ns, RESTARTED] for cid in new if cid not in had]
        if add:
            self.save_progress(lost=lost_ + add)

    def _sending(self, contract_id: str) -> None:
        """A flatten is about to send a close on this contract: journaled first (progress
        SENDING), so a restart knows which contracts a process that ended may have left a
        lost close on (lost_before_restart). Once per contract and command."""
        sending = list(self.progress.get(SENDING) or [])
        if contract_id not in sending:
            self.save_progress(**{SENDING: sending + [contract_id]})

    def stopped_unsettled(self) -> None:
        """Stopped by risk's withdraw: its closes whose answer never came (lost: this run's,
        and the one an ended process may have sent, lost_before_restart) are not called again,
        and may still be carried out by the broker: unsettled, so that risk keeps a late fill
        of theirs as riskd's (resume25 by hand: the held close of a killed enforcement,
        released after the resumed close was withdrawn, closed the trader's position and was
        counted as the trader's own trade). A flatten's row from before SENDING (contract
        '': any contract) stays lost: nothing to name."""
        lost_ = self._closes("lost")
        named = [c for c in lost_ if c[0]]
        if not named:
            return
        unsettled = self._closes("unsettled")
        self.save_progress(lost=[c for c in lost_ if not c[0]],
                           unsettled=unsettled + [c for c in named if c not in unsettled])

    def killed_closes_carried(self, carried: Callable[[str], bool]) -> None:
        """The closes an ended process may have sent (lost_before_restart) on the contracts
        where carried(contract) says its close left an order (before this process resumed,
        or after it, before the result: the executor's _killed_close_carried): carried out,
        so not unsettled (no late exit for risk: a trader's own close afterwards stays the
        trader's)."""
        rows = self._closes("unsettled")
        kept = [c for c in rows if not (len(c) > 3 and c[3] == RESTARTED and carried(c[0]))]
        if kept != rows:
            self.save_progress(unsettled=kept)

    def _overtaken(self, step: Step, worked: bool) -> bool:
        """A close of step's contract was called again after closes there whose answer was lost
        (the re-read before it still showed their contracts). worked: it worked (or may
        have): those lost closes may still be carried out by the broker after this command
        ends (the sim's slow success: the broker carried out a timed-out partial close after
        the second round's had cut, 5 -> 3), so the result lists them (CommandResult.unsettled)
        and risk keeps their fills as riskd's. Not worked (PositionNotFound): the broker had
        carried them out already; they are forgotten. True when one of them was the close a
        process that ended had sent (lost_before_restart)."""
        lost_ = self._closes("lost")
        mine = [c for c in lost_ if c[0] == step.contract_id]
        # a flatten's close an ended process may have sent (contract ''): any contract this
        # run closes; it stays for the others
        anyone = [[step.contract_id, *c[1:]] for c in lost_ if c[0] == ""]
        if not mine and not anyone:
            return False
        rest = [c for c in lost_ if c[0] != step.contract_id]
        unsettled = self._closes("unsettled")
        if worked:
            unsettled += [c for c in mine + anyone if c not in unsettled]
        self.save_progress(lost=rest, unsettled=unsettled)
        return any(len(c) > 3 and c[3] == RESTARTED for c in mine + anyone)

    def execute(self, steps: list[Step], cleanup: bool = False) -> StepReport:
        """Run every step (one failure does not stop the others); AccountRejected ends at once.
        cleanup: the cancels of the orders a close already carried out left without a position
        (services/enforcement/withdrawnclose.py): they run after a withdraw too."""
        report = StepReport(steps=len(steps))
        for step in steps:
            taken_back = None if cleanup else self._withdrawn()
            if taken_back is not None:      # before the step is journaled or sent
                raise Withdrawn(taken_back)
            self.trading_calls += 1
            closing = step.kind in (CLOSE, PARTIAL)
            if closing and not self.command.contract_id:
                self._sending(step.contract_id)
            sent = self.clock.now_ns() if closing else 0
            held = self.known_open.get(step.contract_id, 0) if closing else 0
            try:
                self._call(step)
            except CALL_ERRORS as exc:
                if isinstance(exc, RateBudgetExhausted):
                    self.budget_wait = max(self.budget_wait, exc.wait)
                meaning = outcomes.classify(exc)
                if meaning == outcomes.DONE_ALREADY:
                    # no first answer: a command whose every call was already done changed
                    # nothing at the broker (found_nothing_to_do, shared/messages/enforce.py)
                    if closing and self._overtaken(step, worked=False) and step.kind == CLOSE:
                        # the ended process's close, still outstanding, closed it: riskd's,
                        # not "already flat" (nor "nothing to do": its close did something)
                        self.found_flat_after_restart()
                        self.done.append(step.describe() + BY_EARLIER)
                        continue
                    self.done.append(f"{step.describe()} (already done)")
                    continue
                self.errors.append(outcomes.describe(exc))
                if isinstance(exc, BrokerUnavailable) and step.kind in (CLOSE, PARTIAL) \
                        and exc.status != 429:
                    # a 5xx, a timeout or a dropped connection after the call was sent: the
                    # broker may have acted. Said in the result as what happened (an answer
                    # that never came is lost; a 5xx is an answer), and never "nothing to do"
                    # (found_nothing_to_do). A 429 is a refusal: the broker did not act.
                    first = not self.first_answer_ns
                    self._answered()
                    how = ANSWER_LOST if exc.status is None else f"HTTP {exc.status}"
                    if exc.status is None and exc.last == "timed out":
                        self.timed_out_s = getattr(self.client, "timeout", None)
                        how = TIMED_OUT
                        if first and self.timed_out_s:    # the latency words say it
                            self.save_progress(first_timed_out_s=self.timed_out_s)
                    said = lost(step) if exc.status is None else answered_http(step, exc.status)
                    if said not in self.done:
                        self.done.append(said)
                    self._overtaken(step, worked=True)
                    self._lost_close(step, how)
                    self.close_calls.append(CloseCall(step.contract_id, step.size or 0, sent,
                                                      worked=False, held=held))
                if meaning == outcomes.ACCOUNT_REJECTED:
                    raise CannotEnforce(
                        f"riskd cannot enforce on account {self.account}: the broker rejects "
                        f"API trading on it (AccountRejected from {exc.endpoint})") from None
                if meaning == outcomes.MARKET_CLOSED:
                    report.market_closed += 1
                elif meaning == outcomes.RETRY:
                    report.retry += 1
                else:
                    report.fatal += 1
                continue
            if closing:
                self._overtaken(step, worked=True)
                self.close_calls.append(CloseCall(step.contract_id, step.size or 0, sent,
                                                  self.clock.now_ns(), held=held))
            self._answered()
            self.done.append(step.describe())
        return report
