"""Failed actions tried again while their reason holds (RULES.md: actions are never dropped).

A mixin of the Engine (services/risk/engine.py). Enforcement gives up on a command after its
rounds (services/enforcement/executor.py) and reports it failed. Before this, risk dropped it:
a lockout's close of a position opened while locked acts only on the position's events, so
once the broker answered again nobody closed it (trial 2026-12-06: Demo 2 held MNQ long 1 on
a locked account, riskd never tried again, and the screens listed it as an ordinary position).

- A final `failed` of an enforce-mode close, reduce, flatten or cancel of risk's own
  (shared/retrying.py RETRIED) whose reason still holds starts (or goes on with) a Failing
  entry per target (account, action, contract, order). The reason holds while the target is
  there (the position open, for a reduce as large as when it failed; the order working; for a
  flatten anything open) and, for a lockout's action (a lockout enforcement, the flatten of
  the rule whose lockout covers it: _locked_for), while a lockout still covers it. The action
  of a rule that set no lockout is judged by that rule, whatever lockout covers the account
  (trial20b section 3: a close of daily_unrealized_loss on an account a trade_frequency_limit
  cooldown held was "no longer needed: the lockout ended" at -274.50 against -200.00).
- The next try is a new command of the same decision, `<decision id>.<n+1>` (enforcement runs
  a command id at most once and answers a repeat of it with its stored result; Command.attempt
  stays the outbox's re-send count of one id). It waits in the outbox (saved on disk, in
  flight for the rules: a rule deciding the same action again does not send a second one)
  until shared/retrying.py's backoff after the failure: 5 s, 15 s, 30 s, then every 60 s.
- Stop: every tick and price step while an entry exists (nothing to do otherwise: no cost
  when idle) the reason is read again; gone (the position closed outside riskd, the order
  gone, the lock ended or an admin unlocked; for a rule that set no lockout, that rule no
  longer deciding the action for its target now: it is judged again, _not_breached) drops
  the waiting try and the entry, and the phone hears it once ("✅ Resolved ...", "✅ No
  longer needed ..."): its last word was "act now". A try on its way is left to its result
  (riskd's own close may be what made the position flat). A try that is done ends the entry
  too.
- Restart: the waiting try is in the outbox, so a restarted risk sends it at once (as every
  command it reloads). Its entry is rebuilt from it (reload_try: a command '<decision>.<n>'
  with n > 1 is a try after n - 1 failures; the first failure's time is taken as that try's
  issue, the last failure's), so the screens keep the line and the next failure is not a
  new FAILED alert; its times too (AccountState.tries_at: failed at its issue, sent at its
  time if that came before the restart, else at the restart). Until market's first snapshot sets the account up, its book is not the
  broker's: the reason is not read then (a position not seen yet is not "flat now"; the
  engine's known_whole says which accounts a complete snapshot has read).
- Telling: the status (views.account_status: FailingAction) has each entry, which riskctl
  status and watch show as "ENFORCEMENT FAILED ..."; notify gets NotifyEvents: the first
  failure (what, enforcement's calls, the cause, when riskd tries again), "still failing" at
  most every STILL_FAILING_S, and "✅ Done ... on the 3rd attempt" (riskd's attempts are its
  commands of the action; enforcement's broker calls inside one are calls). Notify leaves
  those results to risk (shared/retrying.told_by_risk), so one failed action is one alert,
  not one per attempt; and one per position or order: an action whose target is all in a
  failing action's the phone was told of (a flatten of an account holding only MNQ long 1
  while its close of MNQ fails) is folded into it and says nothing of its own (_folded_into,
  trial 2026-12-06: two FAILED alerts for one position). An action that ended without riskd is in the status too
  (AccountStatus.ended: LAST ACTIONS' "failed, then closed outside riskd").
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Optional

import attrs

from services.risk import marketwait
from services.risk.outcome import Outcome
from services.risk.rules.base import ClockTick
from services.risk.state import AccountState, symbol_of
from shared import latewords, showtime
from shared.messages.enforce import DONE, FAILED, FINAL_STATUSES, Command, CommandResult
from shared.messages.notify import NotifyEvent
from shared.messages.risk import (CANCEL_ORDERS, CLOSE_POSITION, ENFORCE, FLATTEN,
                                  REDUCE_POSITION, FailingAction)
from shared.plural import plural
from shared.rulenumbers import reading_text
from shared.retrying import (RETRIED, RETRY_AFTER_S, STILL_FAILING_S, calls_made, ordinal,
                             retry_after_s, told_by_risk, try_number)
from shared import trywords
from shared.trywords import decision_of
from shared.when import duration

log = logging.getLogger(__name__)

NS = 1_000_000_000
CRITICAL, INFO = "critical", "info"
ENDED_KEPT = 200        # failed actions that ended without riskd, kept for LAST ACTIONS


@attrs.define
class Failing:
    """One target whose action failed and still has a reason."""
    command: Command                 # the latest try (sent, or waiting in the outbox)
    what: str                        # "MNQ long 1", as it was at the first failure
    locked: bool                     # a lockout's action (_locked_for): a lockout must still
    first_failed_ns: int
    failures: int = 0
    next_ns: Optional[int] = None    # the waiting try's time (None: a try is on its way)
    alerted_ns: int = 0
    reloaded: bool = False           # rebuilt after a restart (reload_try)
    # the target of another failing action that the phone was told of already acts on all
    # this one does (a lockout's close of MNQ long 1 failing, then a flatten of it): that
    # one's alerts speak for both (_folded_into), this one says nothing while it fails
    folded_into: Optional[tuple] = None
    host_closed: bool = False        # that one ended with its target closed: so is this one's


class Retrying:
    zone: dt.tzinfo = dt.timezone.utc      # the display zone of the alerts' times (the worker's)

    def _retry_result(self, acct: Optional[AccountState], cmd: Command, res: CommandResult,
                      now: int, out: Outcome) -> None:
        """A final result of one of risk's commands: a failure tried again, a retry done."""
        if acct is not None and res.status in FINAL_STATUSES:
            acct.tries_at.pop(cmd.id, None)     # a try answered: no longer waiting or sent
        if acct is None or cmd.mode != ENFORCE or cmd.action not in RETRIED \
                or res.status not in FINAL_STATUSES:
            return
        target = _target(cmd)
        f = self.failing.get(target)
        if f is not None and f.command.id != cmd.id:
            return              # another command on a target already failing: its try decides
        if res.status != FAILED:
            if f is not None:
                self._drop(target, closed=res.status == DONE)
                out.dirty.add(acct.account_id)
                if self._silent(f):
                    return          # the one it was folded into tells its end ("flat now")
                if res.status == DONE and told_by_risk(DONE, cmd.action, cmd.rule, cmd.by, cmd.id):
                    out.notices.append(self._done_notice(acct, f, cmd, res, now))
            elif res.status == DONE and res.first_answer_ns \
                    and told_by_risk(DONE, cmd.action, cmd.rule, cmd.by, cmd.id):
                # a try that was running when its reason went away (the account disabled: its
                # withdraw came too late, services/risk/withdraw.py) finished and traded: the
                # phone hears it (notify leaves a try's Done to risk). Trial 2026-12-06: its
                # last word was "act now".
                f = Failing(command=cmd, what=_target_words(acct, cmd), locked=False,
                            first_failed_ns=cmd.issued_ns or now)
                out.notices.append(self._done_notice(acct, f, cmd, res, now))
            return
        fresh = f is None
        if f is not None and not f.what:
            f.what = _target_words(acct, cmd)
        if fresh:
            f = Failing(command=cmd, what=_target_words(acct, cmd),
                        locked=self._locked_for(acct, cmd), first_failed_ns=now,
                        folded_into=self._folded_into(acct, cmd, target))
        f.failures += 1
        gone = self._reason_gone(acct, f, now)
        if gone:
            self._drop(target, closed=not gone.needed)
            out.dirty.add(acct.account_id)
            # a later try's failure after the reason went: the action ends, said once (the
            # phone's last word was "act now"); a first failure says it in its FAILED alert
            if fresh and not self._silent(f):
                out.notices.append(self._failed_notice(acct, f, res, now, gone.why))
            elif not fresh:
                if not self._silent(f):
                    out.notices.append(self._ended_notice(acct, f, gone, now))
                self._ended(f, gone)
            return
        self.failing[target] = f
        f.next_ns = now + retry_after_s(f.failures) * NS
        retry = attrs.evolve(cmd, id=f"{cmd.decision_id}.{try_number(cmd.id) + 1}",
                             issued_ns=now, attempt=1)
        f.command = retry
        self.track(retry)
        self.outbox.add(retry, now, at=f.next_ns)
        acct.tries_at.pop(cmd.id, None)
        acct.tries_at[retry.id] = (now, f.next_ns)
        out.commands.append(retry)              # saved with the step (the store's outbox)
        if retry.action in (CLOSE_POSITION, REDUCE_POSITION, FLATTEN):
            self._expect(acct, retry.action, retry.contract_id, retry.size, retry.id, now)
            out.exits.add(acct.account_id)
        out.dirty.add(acct.account_id)
        if self._silent(f):
            f.alerted_ns = now
        elif fresh or now - f.alerted_ns >= STILL_FAILING_S * NS:
            f.alerted_ns = now
            out.notices.append(self._failed_notice(acct, f, res, now, "", still=not fresh))

    def _folded_into(self, acct: AccountState, cmd: Command, target: tuple) -> Optional[tuple]:
        """The failing action the phone was told of whose target holds all this one acts on
        now (None: none, this one has its own FAILED alert). Trial 2026-12-06: a locked
        account's close of MNQ long 1 failed, then a flatten of the account (MNQ long 1 all it
        held) failed: two "🚨 Enforcement FAILED ... act now" for the one position."""
        mine = _things(acct, cmd)
        if not mine:
            return None
        for key, other in self.failing.items():
            if key != target and other.command.account_id == acct.account_id \
                    and other.folded_into is None and mine <= _things(acct, other.command):
                return key
        return None

    def _silent(self, f: Failing) -> bool:
        """Is f folded into another failing action, still failing or ended with its target
        closed? That one's alerts speak for f ("✅ Done", "✅ Resolved ... flat now")."""
        return f.folded_into is not None and (f.folded_into in self.failing or f.host_closed)

    def _drop(self, target: tuple, closed: bool) -> None:
        """A failing action ends (closed: its target is closed, flat, gone). The actions
        folded into it say nothing of that end either; when it ended with its target still
        there (the lockout ended, the account no longer guarded), they are told as any other
        from then on."""
        f = self.failing.pop(target, None)
        self._forget_try(f)
        for other in self.failing.values():
            if other.folded_into == target:
                if closed:
                    other.host_closed = True
                else:
                    other.folded_into = None

    def _forget_try(self, f: Optional[Failing]) -> None:
        """f's try is dropped: no longer waiting (AccountState.tries_at)."""
        acct = self.accounts.get(f.command.account_id) if f is not None else None
        if acct is not None:
            acct.tries_at.pop(f.command.id, None)

    def _waiting(self, acct: AccountState, cmd: Command, res: CommandResult, now: int,
                 out: Outcome) -> None:
        """An action of risk's that waits (the market is closed): the phone hears it once per
        command (services/risk/marketwait.py), not at each of enforcement's retries."""
        told = self._told_waiting
        if cmd.mode != ENFORCE or cmd.id in told:
            return
        told[cmd.id] = now
        while len(told) > marketwait.TOLD_MAX:
            del told[next(iter(told))]
        name = self.account_name(acct.account_id, acct.name)
        out.notices.append(marketwait.waiting_notice(name, acct.account_id,
                                                     _doing(cmd, _target_words(acct, cmd)),
                                                     res, now))

    def reload_try(self, cmd: Command, now: int) -> None:
        """A command reloaded from the store after a restart: a later try of a failed action
        ('<decision>.<n>', n > 1) is still failing."""
        n = try_number(cmd.id)
        if n < 2 or cmd.mode != ENFORCE or cmd.action not in RETRIED:
            return
        acct = self.account(cmd.account_id)
        self.failing[_target(cmd)] = Failing(
            command=cmd, what="", locked=self._locked_for(acct, cmd),
            first_failed_ns=cmd.issued_ns or now, failures=n - 1, alerted_ns=now,
            reloaded=True)
        # its times, as _retry_result kept them (AccountState.tries_at): the try was issued at
        # the last failure and was due retry_after_s later; a restarted risk sends it
        # at once, so it is in flight from its time when that had come before the restart
        # (sent then), else from now (stale19's leftover: the grace row read "in flight" from
        # the failure, as long as the risk that was killed had waited)
        failed = cmd.issued_ns or now
        acct.tries_at[cmd.id] = (failed, min(now, failed + retry_after_s(n - 1) * NS))

    def folds(self) -> str:
        """Which failing actions are folded into which (JSON, '[]' when none), for the store:
        a restarted risk rebuilds each failing action from its waiting try (reload_try), which
        does not say it was folded; without this the folded one spoke for itself again after
        a restart ("still FAILING", its own end): two alerts for one position."""
        if not self.failing:
            return "[]"                 # every commit asks: nothing to build when idle
        rows = sorted([list(target), list(f.folded_into), f.host_closed]
                      for target, f in self.failing.items() if f.folded_into is not None)
        return json.dumps(rows)

    def reload_folds(self, body: str) -> None:
        """The folds saved before a restart, on the failing actions reloaded (after
        reload_try); one whose action is no longer failing is left out."""
        for target, host, host_closed in json.loads(body or "[]"):
            f = self.failing.get(tuple(target))
            if f is not None:
                f.folded_into, f.host_closed = tuple(host), bool(host_closed)

    def _check_failing(self, now: int, out: Outcome) -> None:
        """Each tick while something failed (and each price step): a target whose reason is
        gone is not tried again. A try on its way (sent, no result yet) is left to its result:
        riskd's own close may be what made the position flat (Done), and a failure then says
        that the action ended."""
        for target, f in list(self.failing.items()):
            acct = self.accounts.get(f.command.account_id)
            if f.next_ns is not None and now >= f.next_ns:
                f.next_ns = None                # the outbox sends it now
                if acct is not None:
                    out.dirty.add(acct.account_id)
            if f.reloaded and acct is not None and acct.account_id not in self.known_whole:
                continue        # after a restart, until market's complete snapshot
            if acct is not None and not f.what:
                f.what = _target_words(acct, f.command)
            cid = f.command.id
            waiting = self.outbox.waiting(cid)
            if acct is not None and not waiting and cid in self.outbox.entries:
                continue                        # on its way: its result tells
            gone = self._reason_gone(acct, f, now) if acct is not None else None
            if acct is not None and gone is None:
                continue
            self._drop(target, closed=gone is not None and not gone.needed)
            if acct is not None:
                out.dirty.add(acct.account_id)
                if not self._silent(f):
                    out.notices.append(self._ended_notice(acct, f, gone, now))
                self._ended(f, gone)
            if waiting:                         # not sent yet: it is not sent at all
                del self.outbox.entries[cid]
                out.finished.append(cid)
                self._release(lambda k, cid=cid: self.inflight.get(k) == cid)
                if acct is not None and acct.riskd.settle(cid, now, closed=False):
                    out.exits.add(acct.account_id)

    def _ended(self, f: Failing, gone: "Gone") -> None:
        """A failed action ended without riskd: LAST ACTIONS says how (ended_views)."""
        ended = self.ended_failing
        ended[f.command.decision_id] = (f.command.account_id, gone.short)
        while len(ended) > ENDED_KEPT:
            del ended[next(iter(ended))]

    def carried_out_late(self, acct: AccountState, command_id: str, fill_ns: int,
                         zone: dt.tzinfo) -> None:
        """A close of command_id, which did not end done (it FAILED: given up, or no longer
        needed, withdrawn), was then taken as carried out late (services/risk/latecarried.py
        says the fill, and that riskd cannot tell it from the trader's own close): history's
        FAILED line of its decision is followed by what riskd took ("FAILED ..., then taken as
        carried out late at 03:06:42": ended_views), and a failing action of it whose target
        that fill made flat ends so, not "closed outside riskd" (_reason_gone). Trial20b
        section 1: history kept "FAILED ... gave up" with no word of the held call the broker
        carried out 10 s later."""
        how = trywords.carried_late(latewords.clock(fill_ns, zone))
        decision = decision_of(command_id)
        self.carried_late[decision] = how
        while len(self.carried_late) > ENDED_KEPT:
            del self.carried_late[next(iter(self.carried_late))]
        if not any(decision_of(f.command.id) == decision for f in self.failing.values()):
            self.ended_failing[decision] = (acct.account_id, how)
            while len(self.ended_failing) > ENDED_KEPT:
                del self.ended_failing[next(iter(self.ended_failing))]

    def reload_late(self, notes) -> None:
        """After a restart: the late-close notes saved today (RuleWarning.late_of, written
        with the rest of the history) put back what carried_out_late kept in memory, so
        history and LAST ACTIONS still end the FAILED line 'then taken as carried out late at
        ...' (failedlate20's leftover). Call after the outbox's tries are reloaded
        (a decision still failing keeps its entry: its end is said when it ends)."""
        zone = getattr(self, "zone", None) or dt.timezone.utc
        for w in notes:
            if not getattr(w, "late_of", ""):
                continue
            how = trywords.carried_late(latewords.clock(w.fill_ns or w.ts_ns, zone))
            self.carried_late[w.late_of] = how
            if not any(decision_of(f.command.id) == w.late_of for f in self.failing.values()):
                self.ended_failing[w.late_of] = (w.account_id, how)
        for kept in (self.carried_late, self.ended_failing):
            while len(kept) > ENDED_KEPT:
                del kept[next(iter(kept))]

    def ended_views(self, account_id: int) -> dict[str, str]:
        """The account's failed actions that ended without riskd: decision id -> how."""
        return {d: how for d, (aid, how) in self.ended_failing.items() if aid == account_id}

    def _covering(self, acct: AccountState, cmd: Command) -> list:
        symbol = symbol_of(cmd.contract_id) if cmd.contract_id else None
        return self.lockouts.covering(acct.account_id, symbol)

    def _locked_for(self, acct: AccountState, cmd: Command) -> bool:
        """Is cmd a lockout's action (Failing.locked: needed while a lockout covers its
        target)? A lockout enforcement's, one of a rule whose own lockout covers it (the
        flatten of daily_net_loss), or one whose rule risk does not judge again; not the
        action of a rule that set no lockout, even on a locked account: its reason is its rule
        (trial20b section 3: a daily_unrealized_loss close, failing under a 1-minute
        trade_frequency_limit cooldown, was "no longer needed: the lockout ended" while the
        position was at -274.50 against -200.00)."""
        covering = self._covering(acct, cmd)
        return bool(covering) and (cmd.rule not in self.rules
                                   or any(lk.rule == cmd.rule for lk in covering))

    def _reason_gone(self, acct: AccountState, f: Failing, now: int) -> Optional["Gone"]:
        """Why the failed action is no longer needed (None while it is)."""
        cmd = f.command
        if self.settings.for_account(acct) is None:
            # disabled: riskd does not act on it (a try already sent is withdrawn: withdraw.py)
            return Gone("the account is no longer guarded", "the account is no longer guarded",
                        needed=True, short="not guarded")
        sym = symbol_of(cmd.contract_id or "")
        if cmd.action in (CLOSE_POSITION, REDUCE_POSITION):
            pos = acct.positions.get(cmd.contract_id or "")
            if pos is None or not acct.live_size(pos):
                late = self.carried_late.get(decision_of(cmd.id))
                if late:        # taken as its own earlier call carried out late (carried_out_late)
                    return Gone(f"{sym} is flat now",
                                latewords.closed_by(f.what, late),
                                short=late)
                if self._riskd_closing(acct, f):        # another action of riskd's did
                    return Gone(f"{sym} is flat now", f"{f.what} is flat now",
                                short="flat now")
                return Gone(f"{sym} is flat now", f"{f.what} was closed outside riskd",
                            short="closed outside riskd")
            if cmd.action == REDUCE_POSITION and (pos.size < (cmd.size or 0) if cmd.target is None
                                                  else acct.live_size(pos) <= cmd.target):
                return Gone(f"{sym} was reduced since", f"{f.what} was reduced outside riskd",
                            short="reduced outside riskd")
        elif cmd.action == CANCEL_ORDERS:
            if cmd.order_id is not None and cmd.order_id not in acct.orders:
                return Gone(f"order {cmd.order_id} is no longer working",
                            f"{f.what} is no longer working", short="order gone")
            if cmd.order_id is None and not acct.orders:
                return Gone("no order is working now", "no order is working now",
                            short="orders gone")
        elif cmd.action == FLATTEN:
            if not acct.orders and not any(acct.live_size(p) for p in acct.positions.values()):
                return Gone("nothing is open now", "nothing is open now",
                            short="nothing open")
        if f.locked:
            if not self._covering(acct, cmd):
                return Gone("the lockout ended", "the lockout ended", needed=True,
                            short="the lockout ended")
            return None
        return self._not_breached(acct, cmd, f.what, now)

    def _riskd_closing(self, acct: AccountState, f: Failing) -> bool:
        """Has another action of riskd's been closing the target since it failed (a close,
        reduce or flatten in flight, a flatten finished since)? Then its flat position is not
        said to be closed outside riskd."""
        cmd = f.command
        for key, cid in self.inflight.items():
            if cid != cmd.id and key[0] == acct.account_id \
                    and key[1] in (CLOSE_POSITION, REDUCE_POSITION, FLATTEN) \
                    and key[2] in (cmd.contract_id, None):
                return True
        done = self.flattened.get(acct.account_id)
        return done is not None and done.finished_ns >= f.first_failed_ns

    def _not_breached(self, acct: AccountState, cmd: Command, what: str,
                      now: int) -> Optional["Gone"]:
        """Does the rule of cmd, an action of a rule that set no lockout (a close for
        daily_unrealized_loss of scope position, max_contracts' reduce, no_stop_loss_grace's
        close, ...), still breach for its target now? The action is needed only while that
        rule still decides it: the rule is judged again. None while it still does, or when
        risk cannot judge it (not a rule of risk's, the account not guarded); else why not
        (what: the target in words, "MNQ long 1"). The one judge of a failed action tried
        again (trial 2026-12-06: the price came back, the open PnL was +19.00, and riskd's
        next try closed a winning position for a breach that was over) and of one waiting
        for the market (services/risk/waitjudge.py: it ran at the open on a winning
        position)."""
        rule = self.rules.get(cmd.rule)
        cfg = self.settings.for_account(acct)
        params = getattr(cfg, cmd.rule, None) if rule is not None and cfg is not None else None
        if params is None:
            return None
        if not params.enabled or params.mode != ENFORCE:
            state = "off" if not params.enabled else "in alert mode"
            why = f"{cmd.rule} is {state} now"
            return Gone(why, why, needed=True, short=f"{cmd.rule} {state}")
        ctx = self._ctx(acct, "recheck", now)
        try:
            decisions = rule.evaluate(ctx, ClockTick(now), now, params)
        except Exception:
            log.exception("rule %s could not judge account %s again", cmd.rule, acct.account_id)
            return None
        if any(d.action == cmd.action and d.contract_id == cmd.contract_id
               and d.order_id == cmd.order_id for d in decisions):
            return None
        figures = _reading(rule, ctx, params, now, cmd)
        why = f"{what} is back within {cmd.rule}{' (' + figures + ')' if figures else ''}"
        return Gone(why, why, needed=True, short="no longer needed")

    def failing_views(self, account_id: int) -> list[FailingAction]:
        """The status's FailingAction of each failing target of the account."""
        out = []
        for f in self.failing.values():
            cmd = f.command
            if cmd.account_id != account_id:
                continue
            if not f.what and cmd.account_id in self.accounts:     # reloaded, not read yet
                f = attrs.evolve(f, what=_target_words(self.accounts[cmd.account_id], cmd))
            out.append(FailingAction(
                account_id=account_id, action=cmd.action, still=_still(f), act=_act(cmd),
                first_failed_ns=f.first_failed_ns, failures=f.failures, next_ns=f.next_ns,
                every_s=retry_after_s(f.failures), command_id=cmd.id))
        return out

    # -- alerts --------------------------------------------------------------------------
    def _failed_notice(self, acct: AccountState, f: Failing, res: CommandResult, now: int,
                       gone: str, still: bool = False) -> NotifyEvent:
        name = self.account_name(acct.account_id, acct.name)
        did = (f"{_doing(f.command, f.what)} on {name} gave up after "
               f"{calls_made(res)}"
               f"{_over(res)}: {cause(res)}")
        if gone:
            then = f"riskd does not try again: {gone}"
        else:
            at = showtime.at(f.next_ns or now, self.zone, now, seconds=True)
            wait, most = retry_after_s(f.failures), RETRY_AFTER_S[-1]
            when = (f"every {wait} s (next {at})" if wait >= most else
                    f"at {at} (in {wait} s), then less often, up to every {most} s,")
            then = (f"riskd tries again {when} while {_still(f, 'is')}; "
                    f"act now: {_act(f.command)}")
        if still:
            since = showtime.start(f.first_failed_ns, self.zone, now)
            title = f"🚨 Enforcement still FAILING on {name}: act now"
            lines = [f"{_doing(f.command, f.what)}: {plural(f.failures, 'failed attempt')} "
                     f"since {since}; the last: {cause(res)}", then]
        else:
            title = (f"🚨 Enforcement FAILED on {name}: act now" if not gone
                     else f"⚠️ Enforcement FAILED on {name}")
            lines = [did, then]
        lines.append(f"account {name}, command {res.command_id}")
        return NotifyEvent(kind="enforcement_failed", severity=CRITICAL if not gone else "warning",
                           title=title, lines=lines, account=name,
                           account_id=acct.account_id, ts_ns=now)

    def _done_notice(self, acct: AccountState, f: Failing, cmd: Command, res: CommandResult,
                     now: int) -> NotifyEvent:
        name = self.account_name(acct.account_id, acct.name)
        after = duration(max(0, (res.finished_ns or now) - f.first_failed_ns) / NS)
        return NotifyEvent(
            kind="action_done", severity=INFO,
            title=f"✅ Done on {name}: {_doing(cmd, f.what)} on the {ordinal(try_number(cmd.id))} "
                  f"attempt, {after} after the first failure",
            lines=[res.detail or f"command {cmd.id}"], account=name,
            account_id=acct.account_id, ts_ns=now)


    def _ended_notice(self, acct: AccountState, f: Failing, gone: Optional["Gone"],
                      now: int) -> NotifyEvent:
        """A failing action ended without riskd: the phone's last word was "act now", so it
        hears that it is over ("✅ Resolved on Demo 1: MNQ long 1 was closed outside riskd;
        riskd stops trying"; "✅ No longer needed on Demo 1: MNQ long 1 is back within
        daily_unrealized_loss (...); riskd does not close it")."""
        name = self.account_name(acct.account_id, acct.name)
        cmd = f.command
        if gone is None:
            title = f"✅ Resolved on {name}: riskd stops trying to {_doing(cmd, f.what)}"
        elif gone.needed:
            title = f"✅ No longer needed on {name}: {gone.title}; riskd does not {_verb(cmd)}"
        else:
            title = f"✅ Resolved on {name}: {gone.title}; riskd stops trying"
        since = showtime.start(f.first_failed_ns, self.zone, now)
        lines = [f"{_doing(cmd, f.what)}: {plural(f.failures, 'failed attempt')} since {since}",
                 f"account {name}, command {cmd.id}"]
        return NotifyEvent(kind="action_resolved", severity=INFO, title=title, lines=lines,
                           account=name, account_id=acct.account_id, ts_ns=now)


@attrs.frozen
class Gone:
    """Why a failing action is no longer tried: why (after "riskd does not try again: "),
    title (the alert's), needed (the target is still there: riskd does not act on it),
    short (LAST ACTIONS: "failed, then closed outside riskd")."""
    why: str
    title: str
    needed: bool = False
    short: str = "ended"


def _verb(cmd: Command) -> str:
    """'close it', 'reduce it', 'cancel it', 'flatten the account'."""
    return {CLOSE_POSITION: "close it", REDUCE_POSITION: "reduce it",
            CANCEL_ORDERS: "cancel it"}.get(cmd.action, "flatten the account")


def _reading(rule, ctx, params, now: int, cmd: Command) -> str:
    """The rule's figures for the target now, as the trader reads them ('open PnL 19.00
    vs -200.00'); '' when the rule gives none for it."""
    try:
        readings = rule.readings(ctx, now, params)
    except Exception:
        return ""
    sym = symbol_of(cmd.contract_id) if cmd.contract_id else ""
    mine = [m for m in readings if sym and m.detail.startswith(sym + " ")]
    if mine:
        m, text = mine[0], mine[0].detail[len(sym) + 1:]
    elif len(readings) == 1 and not sym:
        m, text = readings[0], readings[0].detail
    else:
        return ""
    limit = reading_text(rule.name, m.limit)
    return text if limit in text else f"{text} vs {limit}"


def _target(cmd: Command) -> tuple:
    return (cmd.account_id, cmd.action, cmd.contract_id, cmd.order_id)


def _target_words(acct: AccountState, cmd: Command) -> str:
    """What the action is on, as the trader reads it: 'MNQ long 1', 'order 42 (MNQ)'."""
    if cmd.action in (CLOSE_POSITION, REDUCE_POSITION):
        pos = acct.positions.get(cmd.contract_id or "")
        sym = symbol_of(cmd.contract_id or "")
        if pos is None:
            return f"the {sym} position"
        return f"{sym} {'long' if pos.side > 0 else 'short'} {pos.size}"
    if cmd.action == CANCEL_ORDERS:
        if cmd.order_id is None:
            return "the working orders"
        sym = symbol_of(cmd.contract_id) if cmd.contract_id else ""
        return f"order {cmd.order_id}" + (f" ({sym})" if sym else "")
    parts = [f"{symbol_of(p.contract_id)} {'long' if p.side > 0 else 'short'} {p.size}"
             for p in acct.positions.values()]
    if acct.orders:
        parts.append(plural(len(acct.orders), "order"))
    return ", ".join(parts) or "everything open"


def _things(acct: AccountState, cmd: Command) -> frozenset:
    """What an action acts on in the account now: its position (a close, a reduce), its
    orders (a cancel), every open position and working order (a flatten)."""
    if cmd.action in (CLOSE_POSITION, REDUCE_POSITION):
        return frozenset({("position", cmd.contract_id)})
    if cmd.action == CANCEL_ORDERS:
        ids = [cmd.order_id] if cmd.order_id is not None else list(acct.orders)
        return frozenset(("order", i) for i in ids)
    return frozenset([("position", c) for c, p in acct.positions.items() if acct.live_size(p)]
                     + [("order", i) for i in acct.orders])


def _doing(cmd: Command, what: str) -> str:
    """The action in words: 'close MNQ long 1', 'reduce MNQ long 3 by 1'."""
    if cmd.action == CLOSE_POSITION:
        return f"close {what}"
    if cmd.action == REDUCE_POSITION:
        return f"reduce {what} by {cmd.size}"
    if cmd.action == CANCEL_ORDERS:
        return f"cancel {what}"
    return f"flatten ({what})"


def _still(f: Failing, verb: str = "") -> str:
    """'MNQ long 1 still open on a locked account' (or '... (daily_loss)'); verb: 'is'
    between the target and its state, for a sentence."""
    cmd = f.command
    state = "still working" if cmd.action == CANCEL_ORDERS else "still open"
    if cmd.action == REDUCE_POSITION:
        state = f"still {cmd.size} over"
    where = "on a locked account" if f.locked else f"({cmd.rule})"
    return f"{f.what} {verb + ' ' if verb else ''}{state} {where}"


def _act(cmd: Command) -> str:
    """What the trader can do meanwhile."""
    verb = {CLOSE_POSITION: "close it", REDUCE_POSITION: f"close {cmd.size} of it",
            CANCEL_ORDERS: "cancel it", FLATTEN: "close every position and cancel every order"}
    return f"{verb.get(cmd.action, 'do it')} on the firm's platform"


def _over(res: CommandResult) -> str:
    if res.started_ns and res.finished_ns > res.started_ns:
        return f" over {(res.finished_ns - res.started_ns) / NS:.1f} s"
    return ""


_HTTP = re.compile(r"HTTP (\d{3})")


def cause(res: CommandResult) -> str:
    """The failure's cause in a few words: 'HTTP 500 from the broker', else the last error."""
    text = (res.errors[-1] if res.errors else "") or res.detail or "no detail"
    m = _HTTP.findall(text) or _HTTP.findall(res.detail or "")
    if m:
        return f"HTTP {m[-1]} from the broker"
    return text
