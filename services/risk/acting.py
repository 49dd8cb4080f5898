"""Acting on decisions: the record, the lockout merge, the command, riskd's expected exits.

A mixin of the Engine (services/risk/engine.py), which owns the state it reads: accounts,
lockouts, the outbox, what is in flight, what each lockout has already acted on.
- Alert mode: recorded once per breach, with no lockout and the sentence of what enforce mode
  would have done (services/risk/alertmode.py); sent as an alert command (enforcement only
  describes it) when enforce mode would have acted.
- Actions are never dropped: a decision asking for more than the lockouts in force do (a
  flatten under a cooldown that did not flatten, a self-lockout) is carried out, the longer
  lockout wins; only the same action for the same lockout is not taken twice, and an action
  already in flight for the same target is not sent again until its result arrives (a close
  or reduce issued before the position it would act on was opened was for an earlier one, and
  does not count: reloaded after a restart, it may have closed that one already; a reduce in
  flight stands only for a reduce that goes no further, a stricter one is sent: _reaches,
  and the position rules judge again when a reduce is done: _after_reduced); a flatten
  in flight covers every close, reduction and cancel of its account for events before it was
  issued, and a later price's close or reduce of a position held since before then (reloaded
  from the outbox after a restart, so a new risk does not send a close beside a resumed
  flatten), and a
  finished one covers a second flatten for an event it was under way for, unless something
  opened or was placed since.
- A close whose result was done while its fill has not come yet still covers its position
  (_closed_already; a reduce done, what it cuts: _reducing_already): a rule looking at it in
  between (riskd's own close order's event, a tick, a price) does not close it again, also
  when a flatten decided in the same step took its expected contracts over; what grew or
  opened since is closed.
- A command that closes or reduces records riskd's expected exits (services/risk/exits.py);
  so does a lockout's close or reduce not sent because the same one is in flight (that one
  closes what grew too).
- A decision whose command is not sent says why in its what too (words.not_sent). A lockout's
  cut down to nothing while riskd's close of all of the contract is in flight is that close's
  action (_same_in_flight); a cut left to a reduce with "ends flat" (a close beside it) is
  followed by a notice when the reduce finishes first, leaving contracts (_flat_not_yet).
- People: an admin's unlock, a trader's self-lockout (with nothing open, as risk knows the
  account whole, it only locks: no flatten is sent or claimed; one no later than the same
  lockout in force is kept as changing nothing).
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

import attrs

from services.risk import oldsetting
from services.risk.alertmode import WouldBe
from services.risk.lockouts import (ADDED, ADMIN, EXTENDED, SAME, TRADER, end_of, lock_key,
                                    owner)
from services.risk.outcome import Outcome
from services.risk.pastlimits import (ended_past, holding, still_listed, still_past,
                                      with_past)
from services.risk.rules.base import POSITION, ClockTick
from services.risk.state import AccountState, symbol_of
from services.risk.words import (ADMIN_LOCKOUT, ASKED_LOCKOUTS, BY_ADMIN, LOCKOUT_RULE,
                                 SELF_LOCKOUT, command_in, no_rule_lockout, no_symbol_lockout,
                                 not_sent, what, who)
from shared import showtime
from shared.clock import SKEW_NS
from shared.latewords import LATE_CLOSE
from shared.openedafter import opened_after
from shared.config.rules import RULE_NAMES
from shared.messages.notify import NotifyEvent
from shared.plural import plural
from shared.when import duration, lock_length_refusal
from shared.messages.market import SIDE_BUY, SIDE_SELL
from shared.messages.enforce import DONE, Command
from shared.orderwords import order_words
from shared.messages.risk import (ACTION_NONE, ALERT, CANCEL_ORDERS, CLOSE_POSITION, ENFORCE,
                                  FLATTEN, LEFT_TO_ONE_IN_FLIGHT, LOCKED_ALREADY,
                                  LOCKED_BY_THIS_RULE, MODIFY_STOP,
                                  OWN_EXTENDED, OWN_SAME_END,
                                  REDUCE_POSITION, TIMER,
                                  UNTIL_RESET,
                                  Decision, LockoutState, LockSpec, same_end)

# a self-lockout no later than the lockout in force: kept in history as changing nothing
ALREADY_LOCKED = "already locked as long or longer: nothing changed"
# what a flatten in flight already does for its account (closes, reductions, cancels)
COVERED_BY_FLATTEN = (CLOSE_POSITION, REDUCE_POSITION, CANCEL_ORDERS)
# a stop riskd moved (done) is taken as moved this long while its Order event is on the way
STOP_MOVE_NS = 15 * SKEW_NS

# the rules each of whose breaches is a new fact, said even under another rule's lockout that
# already recorded one of theirs: trade_frequency_limit's every trade counted (docs/rules.md
# section 6, "Each trade counted during a cooldown has its line in history"; trial22c: the 5th
# trade of a minute, counted when riskd's held close named its order, under cooldown_after_loss's
# lockout that had taken the cooldown's key over, left no line); cooldown_after_loss's every
# losing fill past a tier (trial23a finding 4)
EACH_BREACH_SAID = frozenset({"trade_frequency_limit", "cooldown_after_loss"})
# rules whose breach is one fill's, judged only when the fill is new (never again on a reload:
# rules/cooldown_after_loss.py): its time (Decision.event_ns) tells two breaches of the same
# words apart (_said)
FILL_BREACHES = frozenset({"cooldown_after_loss"})


# what `riskctl unlock --rule` may name: every rule, and the trader's and the admin's lockouts
LOCKOUT_HOLDERS = (*RULE_NAMES, SELF_LOCKOUT, ADMIN_LOCKOUT)


# how long after it was issued a reduce in flight is taken to make a closing fill larger than
# risk asked (cut_reaches): enforcement's cut is done within seconds, a slow one within this
CUT_REACHES_NS = 30 * 1_000_000_000


class Acting:
    # -- decisions -----------------------------------------------------------------------------
    def _enforced(self, d: Decision) -> Optional[WouldBe]:
        """The lockout of an alert-mode decision's scope and kind that its rule took in enforce
        mode (before an edit switched it to alert mode) and that is in force: the breach it
        acted on is not a new one (services/risk/alertmode.py)."""
        if d.lock is None:
            return None
        held = self.lockouts.get(lock_key(d.lock, d.account_id, _lock_by(d)))
        if held is None or d.rule not in (held.rule, held.took_over_rule):
            return None
        return WouldBe(held.until_ns)

    def _acting_on(self, d: Decision) -> bool:
        """An alert-mode decision without a lockout whose very action its rule sent in enforce
        mode (before an edit switched it to alert mode) and which is still in flight (a reduce
        or close enforcement has not finished): the breach acted on, not a new one."""
        held = self.inflight.get(_target(d))
        entry = self.outbox.entries.get(held) if held is not None else None
        return entry is not None and entry.command.rule == d.rule

    def repeats_own_flatten(self, ctx, rule, params) -> bool:
        """Would _take drop, recording nothing, the breach the rule decides now: a flatten
        locking the account to the roll (rules/realized.py, asked only once rule.reached says
        it decides one), in enforce mode, while the rule's own lockout to the roll holds the
        account and its breach under it was recorded and said to take no new action already
        (_noted, _quiet: the first repeat adds them), the day's breach noted (warned: what
        _breached adds)? Then the same action repeated is not sent twice, no line is added,
        and the only other change, the words' _said entry, is read only under a timer lockout
        (_take's OWN_SAME_END), never under this one: the engine skips the rule's evaluate and
        _take. Round 22: every trade after daily_realized_loss's limit (the bench's ~404th
        breach on) built that flatten, its words, a decision and a lockout only to drop them,
        ~70 Python calls a hop, growing."""
        name = rule.name
        if params.mode == ALERT or name in ASKED_LOCKOUTS:
            return False
        aid = ctx.account.account_id
        # the key of until_reset's lockout (rules/base.py): its end is not part of it
        key = lock_key(LockSpec(kind=UNTIL_RESET), aid, "rule")
        held = self.lockouts.get(key)
        if held is None or held.rule != name:
            return False
        acted = self.acted.get(key)
        return (acted is not None and _quiet(name) in acted and _noted(name) in acted
                and (aid, name, self.day) in self.warned)

    def _take(self, d: Decision, now: int, out: Outcome) -> None:
        """Record a decision, merge its lockout, send its command unless it would repeat."""
        acct = self.accounts.get(d.account_id)
        if d.mode == ALERT:
            # no lockout is taken in alert mode: one record per breach says what enforce mode
            # would have done (services/risk/alertmode.py)
            rule = self.rules.get(d.rule)
            if d.lock is None and self._acting_on(d) and self.alert_book.acted_on(
                    d, acct, bool(getattr(rule, "held_size", False))):
                # acted on in enforce mode, still under way: not an alert-mode breach (round
                # 17: a reduce in flight at the switch was recorded "would have reduced")
                return
            kept, send = self.alert_book.record(
                d, acct, now, getattr(self, "zone", None) or dt.timezone.utc,
                held_size=bool(getattr(rule, "held_size", False)),
                enforced=self._enforced(d))
            if kept is None:
                return
            d = attrs.evolve(kept, id=self.ids(), by=d.by or who(d.rule))
            out.decisions.append(d)
            if send:
                self._command(d, now, out)
            return
        # the broker's name with the id (RiskWorker.apply names what is still unnamed): one
        # evolve of the decision on a breach's path, not two (fast21, docs/performance.md)
        d = attrs.evolve(d, id=self.ids(), by=d.by or who(d.rule), what=what(d, acct, False),
                         account_name=d.account_name or (acct.name if acct is not None else ""))
        if d.lock is not None and d.lock.until_ns is not None:
            # the end its lockout gets: a whole second (LockoutBook.add), recorded as it is
            # (evolved only when it is not one already: every decision passes here)
            whole = showtime.up_to_second(d.lock.until_ns)
            if whole != d.lock.until_ns:
                d = attrs.evolve(d, lock=attrs.evolve(d.lock, until_ns=whole))
        target = _target(d)
        locked_now = first = False
        if d.lock is not None:
            by = _lock_by(d)
            key = lock_key(d.lock, d.account_id, by)
            held = self.lockouts.get(key)
            status, change = self.lockouts.add(d.account_id, d.lock, d.rule, d.reason, now, by)
            if change is not None:
                out.lockouts.append(change)
                out.dirty.add(d.account_id)
                locked_now = True
                if change.lockout.rule == d.rule and change.lockout.by == "rule" and acct:
                    cfg = self.settings.for_account(acct)     # the setting it is taken under
                    oldsetting.remember(self, change.lockout, getattr(cfg, d.rule, None))
            if status == ADDED:     # a new lockout: what an ended one of its key (an admin's
                self.acted.pop(key, None)   # unlock) acted on or recorded is not its own
            acted = self.acted.setdefault(key, set())
            first = _noted(d.rule) not in acted     # this rule's first breach under this lock
            # the same action for this lockout (known across a restart too: the rule holding
            # it flattening again is the same breach); a trader's self-lockout (and an admin's
            # lockout) always acts
            repeat = d.action == ACTION_NONE or (d.rule not in ASKED_LOCKOUTS and (
                target in acted or (held is not None and held.rule == d.rule
                                    and d.action == FLATTEN)))
            if status != ADDED and repeat:      # the same action for this lockout: not twice
                if status == EXTENDED and d.rule in ASKED_LOCKOUTS:  # the trader's own: said
                    out.decisions.append(d)                        # as it is, an extension
                elif status == EXTENDED and change.lockout.rule == d.rule:
                    # the rule's own lockout, extended: never "already locked by" itself
                    locked = self.lockouts.describe(change.lockout, by=False)
                    out.decisions.append(self._unsent(d, f"{OWN_EXTENDED}: {locked}"))
                elif status == EXTENDED:
                    locked = self.lockouts.describe(change.lockout)
                    out.decisions.append(self._unsent(d, f"already locked: {locked}, extended"))
                elif d.rule in ASKED_LOCKOUTS:  # the request is kept, as changing nothing
                    kept = self._unchanged(d)
                    out.decisions.append(attrs.evolve(kept, what=what(kept, acct, False),
                                                      suppressed=ALREADY_LOCKED))
                elif (status == SAME and held is not None and held.rule == d.rule
                      and d.lock.kind == TIMER and d.lock.until_ns == held.until_ns
                      and _said(d) not in acted):
                    # a new breach of the rule under its own timer, ending in the same second
                    # (a trade in the same second as the one before it): a trade counted is
                    # a line of its own, with no new action (trial16g finding 6: the count
                    # went 4 -> 6 with no line for the 5th); a breach judged again with the
                    # same words (a reload) is not
                    locked = self.lockouts.describe(held, by=False)
                    out.decisions.append(self._unsent(d, f"{OWN_SAME_END}: {locked}"))
                elif held is not None and held.rule != d.rule and (first or (
                        d.rule in EACH_BREACH_SAID and _said(d) not in acted)):
                    # another rule's breach under this lockout: recorded once, with no new
                    # action (RULES.md: each breach records; trial: daily_realized_loss at
                    # 122 % under daily_net_loss's lockout left no line, alert or history)
                    # named by the lockout that holds its scope longest, not the row its
                    # own lock fell in (trial15a: "locked (timer) by cooldown_after_loss"
                    # while daily_realized_loss held the account to the roll)
                    longest = self.lockouts.covering(held.account_id, held.symbol)[0]
                    out.decisions.append(self._unsent(
                        d, f"{LOCKED_ALREADY}: {self.lockouts.describe(longest)}"))
                if d.rule not in ASKED_LOCKOUTS:    # the screens' "no new action" (breach_note)
                    acted.add(_quiet(d.rule))
                acted.add(_noted(d.rule))
                acted.add(_said(d))
                return
            flattened_by = self._flattened_under(d, key) if status == ADDED else None
            if flattened_by is not None:
                # a rule's flatten with a lockout of its own (a cooldown) under a lockout of the
                # whole account that lasts as long and whose flatten riskd carried out: it asks
                # nothing more (anything opened since is closed by lockout enforcement), and is
                # not sent whether that flatten is still in flight (_in_flight says so) or
                # done (chaos run, drawdown, round 19: after a restart mid-flatten the losing
                # fill came once the flatten had finished, the trader had bought since, and a
                # second flatten ran beside lockout enforcement's close of that buy; without
                # the restart it read "in flight", not sent)
                out.decisions.append(self._unsent(
                    d, f"{LOCKED_ALREADY}: {self.lockouts.describe(flattened_by)}"))
                acted.update((_quiet(d.rule), _noted(d.rule), _said(d)))
                return
            if status == SAME and d.rule not in ASKED_LOCKOUTS:
                d = self._outlasted(d)
            if status == SAME and d.rule in ASKED_LOCKOUTS:
                # asked again, no later than the lockout in force: the lock changes nothing (the
                # record never reads "locked until" the earlier end asked for); its flatten is
                # still sent, as every self-lockout's (self_lock); what it asked and the
                # lockout that holds the account are kept (history: "unchanged: already ...")
                d = self._unchanged(d)
                d = attrs.evolve(d, what=what(d, acct, False))
            acted.add(_noted(d.rule))
            acted.add(_said(d))
            acted.add(target)
        if d.action == ACTION_NONE:
            out.decisions.append(d)
            return
        busy = self._in_flight(d, target)
        if busy:                                # the same action is already on its way
            left_to = self._still_closing(d, target, busy, now, out)
            if locked_now or first or d.rule in ASKED_LOCKOUTS:  # a new breach: keep its record
                out.decisions.append(self._unsent(d, busy))
            elif left_to:               # the trader is told what was bought while locked
                out.decisions.append(self._unsent(d, left_to))
            elif self._behind_another(d, target, busy):    # notify: logged only, beside
                out.decisions.append(attrs.evolve(           # lockout enforcement's close
                    self._unsent(d, busy), beside=self._beside_lockouts_close(d)))
            return
        if d.action == REDUCE_POSITION and d.rule != LOCKOUT_RULE:
            # only what riskd's exits there do not cover yet (a lockout's reduce cuts new
            # growth, which no earlier exit expects)
            coming, by = self._reducing_already(d, now)
            if coming:
                # named by its rule, not its command id (the reason reaches the phone and
                # history: "1 of them already being cut by riskd's reduce 744b9f...1")
                entry = self.outbox.entries.get(by)
                whose = f" for {entry.command.rule}" if entry is not None else ""
                d = attrs.evolve(d, size=d.size - coming,
                                 reason=f"{d.reason}; {coming} of them already being cut by "
                                        f"riskd's reduce{whose}")
                d = attrs.evolve(d, what=what(d, acct, False))
        beside = self._beside_lockouts_close(d)
        if beside:
            d = attrs.evolve(d, beside=beside)
        out.decisions.append(d)
        self._command(d, now, out)

    def _flattened_under(self, d: Decision, key: tuple) -> Optional[LockoutState]:
        """The lockout of the whole account, other than the one d's lockout just added (key),
        that ends no earlier and whose rule's flatten riskd carried out (a flatten of the
        account done since it began; one still in flight is said as such by _in_flight): None
        when there is none, or when d asks for no flatten, or is a person's own lockout (a
        self-lockout always flattens)."""
        if d.action != FLATTEN or d.rule in ASKED_LOCKOUTS:
            return None
        mine = self.lockouts.get(key)
        flatten = (d.account_id, FLATTEN, None, None)
        done = self.flattened.get(d.account_id)
        for lk in self.lockouts.covering(d.account_id):
            if lk.symbol is not None or mine is None or lk.id == mine.id \
                    or end_of(lk) < end_of(mine) or flatten not in self.acted.get(lock_key(lk), ()):
                continue
            if done is not None and done.issued_ns >= lk.since_ns:
                return lk
        return None

    def _behind_another(self, d: Decision, target: tuple, busy: str) -> bool:
        """A rule with no lockout of its own (a per-position open-PnL limit, max_contracts)
        whose very action another rule's command in flight already takes (lockout enforcement's
        close of the contract, pending while enforcement is stopped): its breach is recorded
        once per such command, saying so, never dropped unsaid (trial17b section 6: a
        daily_unrealized_loss at 140 % under a self-lockout left no line in history, the log
        or LAST ACTIONS). Not when the command in flight is its own (the same breach judged
        again), nor when its action is only covered by another one (a flatten in flight)."""
        held = self.inflight.get(target)
        entry = self.outbox.entries.get(held) if held is not None and held in busy else None
        if d.lock is not None or entry is None or entry.command.rule == d.rule:
            return False
        key = (d.rule, target, busy)
        if key in self.noted_behind:
            return False
        self.noted_behind.add(key)
        return True

    def _unchanged(self, d: Decision) -> Decision:
        """A trader's (or an admin's) own lockout that changed no lockout: no lock of its own;
        the one it asked for (asked), and the account-wide lockout that holds the account as
        long or longer (under, under_rule), kept for history's note and its alert (trial16g
        finding 5: history kept neither what a no-op self-lockout asked for nor that it was
        unchanged)."""
        held = [lk for lk in self.lockouts.covering(d.account_id) if lk.symbol is None]
        top = max(held, key=lambda lk: (end_of(lk), lk.since_ns), default=None)
        under = None if top is None else LockSpec(kind=top.kind, until_ns=top.until_ns,
                                                  clears_on=top.clears_on)
        return attrs.evolve(d, lock=None, asked=d.lock, under=under,
                            under_rule=top.rule if top is not None else "")

    def _outlasted(self, d: Decision) -> Decision:
        """A rule's breach whose action still goes (no lockout in force acted so) while its
        lock changed no lockout: the lockout that holds its scope longest kept beside its lock
        (under, under_rule), so its alert and history say its own lock adds nothing and until
        when the account is locked (trial23c F5: cooldown_after_loss's flatten under
        trade_frequency_limit's longer cooldown read "locked until 12:00:33" while the account
        was locked until 12:15:01; shared/lockwords.outlasted)."""
        top = self.lockouts.covering(d.account_id, d.lock.symbol)[0]
        return attrs.evolve(d, under=LockSpec(kind=top.kind, until_ns=top.until_ns,
                                              symbol=top.symbol, clears_on=top.clears_on),
                            under_rule=top.rule)

    def _unsent(self, d: Decision, why: str) -> Decision:
        """The record of a decision whose command is not sent: why, in suppressed and in what
        (naming the rule whose command is on its way, when the outbox still has it)."""
        d = attrs.evolve(d, suppressed=why)
        entry = self.outbox.entries.get(command_in(why) or "")
        return attrs.evolve(d, what=not_sent(d, entry.command.rule if entry else ""))

    def remember_acted(self, d: Decision) -> None:
        """A decision from history, read back by the store after a restart: what its lockout,
        still in force, has acted on. Without it a new risk took a second rule's flatten under
        the same lockout for a new breach (chaos run: drawdown_guard flattening after the
        daily_net_loss flatten, only when risk had been restarted in between)."""
        if d.mode != ENFORCE:
            return
        self._remember_noted(d)
        promised = command_in(d.suppressed) if "ends flat" in d.suppressed else None
        if promised and promised in self.outbox.entries:   # _flat_not_yet, across a restart
            self.flat_promised[promised] = (d.account_id, d.contract_id, d.ts_ns)
        if d.suppressed and d.lock is None:     # recorded behind another's command in flight
            self.noted_behind.add((d.rule, _target(d), d.suppressed))
        if d.suppressed or d.action == ACTION_NONE:
            return
        if d.action == FLATTEN:        # when it finished is not on record: its issue then
            self.flattened_at(d.account_id, d.ts_ns, d.ts_ns, d.id)
        if d.lock is None:
            return
        key = lock_key(d.lock, d.account_id, _lock_by(d))
        held = self.lockouts.get(key)
        if held is not None and d.ts_ns >= held.since_ns:
            self.acted.setdefault(key, set()).add(_target(d))

    def _remember_noted(self, d: Decision) -> None:
        """A breach recorded under a lockout still in force (read back after a restart):
        not recorded again while it holds."""
        if d.mode != ENFORCE or d.lock is None:
            return
        key = lock_key(d.lock, d.account_id, _lock_by(d))
        held = self.lockouts.get(key)
        if held is not None and d.ts_ns >= held.since_ns:
            self.acted.setdefault(key, set()).add(_noted(d.rule))
            self.acted[key].add(_said(d))
            if d.suppressed.startswith((LOCKED_ALREADY, "already locked", OWN_EXTENDED)) \
                    or same_end(d.suppressed):
                self.acted[key].add(_quiet(d.rule))

    def breach_note(self, account_id: int, rule: str) -> str:
        """What a limit past 100 % says under the account's lockouts, from what risk did
        about it: LOCKED_BY_THIS_RULE (the lockout is this rule's own), LOCKED_ALREADY (its
        breach was recorded under a lockout in force with no new action), else '' (no
        account-wide lockout, or the rule acts on its own under one: max_contracts takes no
        lockout, so its reduce is decided whatever lockout holds; trial 2026-12-05: its row
        said "no new action" beside its pending reduce)."""
        held = [lk for lk in self.lockouts.covering(account_id) if lk.symbol is None]
        if any(lk.rule == rule and lk.by == "rule" for lk in held):
            return LOCKED_BY_THIS_RULE
        if any(_quiet(rule) in self.acted.get(lock_key(lk), ()) for lk in held):
            return LOCKED_ALREADY
        return ""

    def _in_flight(self, d: Decision, target: tuple) -> str:
        """Why the decision's command is not sent again ('' when it is): the same action is
        on its way, or a flatten of the account is, which closes every position and cancels
        every order it finds (a close or cancel beside it would act on what is already being
        closed: after a restart mid-flatten, a close of a position already flat). Only what
        happened before the flatten was issued is covered (the event's own time): an order
        placed later may come after the flatten's last read, and is cancelled on its own."""
        held = self._same_in_flight(d, target)
        if held:
            return f"the same action is in flight ({held})"
        if d.action == REDUCE_POSITION and d.size and d.rule != LOCKOUT_RULE:
            coming, command_id = self._reducing_already(d, d.ts_ns)
            if coming >= d.size:
                return (f"riskd's exit of these contracts is under way, its fills to come "
                        f"({command_id})")
        if d.action in (CLOSE_POSITION, REDUCE_POSITION, MODIFY_STOP):
            # a stop of a position riskd has closed is not moved either: the event-order
            # model's price between the close's "done" and its fills moved it
            done = self._closed_already(d)
            if done and d.action == MODIFY_STOP:
                return f"riskd's close of its position is done, the fill on the way ({done})"
            if done:
                verb = "close" if d.action == CLOSE_POSITION else "reduce"
                return f"riskd's {verb} of it is done, its fill on the way ({done})"
        if d.action in COVERED_BY_FLATTEN:
            flatten = self._flatten_in_flight(d.account_id)
            if flatten is not None and (d.event_ns <= flatten.issued_ns
                                        or self._held_before(d, flatten.issued_ns)):
                return f"a flatten of the account is in flight ({flatten.id})"
        if d.action == MODIFY_STOP:
            closing = self._closing_its_contract(d)
            if closing:
                return f"riskd's close of its position is in flight ({closing})"
            moved = self._stop_moved_already(d)
            if moved:
                return f"riskd's move of this stop is done, its Order event on the way ({moved})"
        if d.action == FLATTEN:
            done = self.flattened.get(d.account_id)
            acct = self.accounts.get(d.account_id)
            if done is not None and d.event_ns <= done.finished_ns and acct is not None \
                    and not _exposed_since(acct, done.issued_ns):
                return f"the account was flattened after this event ({done.command_id})"
        return ""

    def _same_in_flight(self, d: Decision, target: tuple) -> str:
        """The command in flight that does this decision's action ('' when none): the same
        target's, unless it was for an earlier position or, a reduce, cuts less far than this
        one asks (_reaches: the strictest cut is carried out); for lockout enforcement's cut
        down to nothing (a reduce whose target is 0: a close of all of the contract), riskd's
        close of all of the contract in flight is that action too. Sent beside it, both
        closed what one closeContract took and both read "Done" for that one fill (trial18a
        section 6: a close held at the broker, a buy cut "down to 0" behind it, and one sell
        of 2 reported done by each)."""
        held = self.inflight.get(target)
        if held is not None and not self._for_an_earlier_position(d, held) \
                and self._reaches(held, d):
            return held
        if d.rule == LOCKOUT_RULE and d.action == REDUCE_POSITION and d.target == 0:
            close = self.inflight.get((d.account_id, CLOSE_POSITION, d.contract_id, None))
            if close is not None and not self._for_an_earlier_position(d, close):
                return close
        return ""

    def _reaches(self, command_id: str, d: Decision) -> bool:
        """Does the command in flight on d's target carry out at least what d asks? A reduce
        reaches a reduce of the same contract only when it cuts down as far (its target no
        higher): max_contracts's reduce to 2 does not do max_contracts_per_instrument's reduce
        to 1 of the same fill (fresh-user trial 22b: the cut to 1 was not sent as "already
        under way", and MNQ stayed at 2 against a limit of 1). A reduce with no target (sent
        by count, before targets) is taken as reaching, as before."""
        entry = self.outbox.entries.get(command_id)
        if entry is None or d.action != REDUCE_POSITION \
                or entry.command.action != REDUCE_POSITION:
            return True
        return reaches(entry.command.target, d.target)

    def _closing_its_contract(self, d: Decision) -> str:
        """The close of the stop's contract in flight, or the flatten of its account, issued
        after the order was placed ('' when none): the close cancels the contract's orders too
        (closing a contract closes its orders), a flatten every order, so moving the stop
        meanwhile does nothing (the event-order model: the close's first fill judged the
        position left, and trade_management moved its stop; a loss rule's flatten, and the
        Position event of another contract's close judged the short it was closing and moved
        its stop, only when that event came before the short's own)."""
        acct = self.accounts.get(d.account_id)
        order = acct.orders.get(d.order_id) if acct is not None and d.order_id else None
        if order is None:
            return ""
        command_id = self.inflight.get((d.account_id, CLOSE_POSITION, d.contract_id, None))
        entry = self.outbox.entries.get(command_id) if command_id else None
        for command in (entry.command if entry is not None else None,
                        self._flatten_in_flight(d.account_id)):
            if command is not None and order.created_ns <= command.issued_ns + SKEW_NS:
                return command.id
        return ""

    def stop_moved(self, cmd: Command, now: int) -> None:
        """riskd's move of a stop answered done (the Order event showing it may come later)."""
        self.stops_moved[(cmd.account_id, cmd.order_id)] = (cmd.stop_price, now, cmd.id)
        for key in [k for k, v in self.stops_moved.items() if now - v[1] > STOP_MOVE_NS]:
            del self.stops_moved[key]

    def _stop_moved_already(self, d: Decision) -> str:
        """The command that moved this order's stop as far or farther in the protective
        direction, done while the order as risk knows it does not show it yet ('' when
        none). The event-order model's tick between enforcement's result and the Order event
        moved it a second time to the same price; and, on a price a tick lower, moved a trail
        stop riskd had raised to 21002.50 back down to breakeven at 21000 (2026-12-06): the
        stop is judged at the price riskd moved it to, and only a tighter one goes."""
        moved = self.stops_moved.get((d.account_id, d.order_id))
        acct = self.accounts.get(d.account_id)
        order = acct.orders.get(d.order_id) if acct is not None and d.order_id else None
        if moved is None or order is None or d.ts_ns - moved[1] > STOP_MOVE_NS \
                or d.stop_price is None or order.stop_price == moved[0]:
            return ""
        tighter = d.stop_price > moved[0] if order.side == SIDE_SELL else d.stop_price < moved[0]
        return "" if tighter else moved[2]

    def _held_before(self, d: Decision, issued_ns: int) -> bool:
        """A close or reduce of a position held as it is since before issued_ns (each of its
        lots added earlier, in risk's clock, and no fill on its contract since): a flatten
        issued then is closing it, whatever later price or tick the decision is on (chaos run
        2026-12-06: a quote during the flatten closed the position a second time beside it)."""
        acct = self.accounts.get(d.account_id)
        pos = acct.positions.get(d.contract_id) if acct is not None and d.contract_id else None
        if d.action not in (CLOSE_POSITION, REDUCE_POSITION) or pos is None or not pos.lots \
                or d.contract_id in acct.ahead or max(lot[0] for lot in pos.lots) > issued_ns:
            return False
        # a fill since (the broker's time, less the skew) may have closed it and opened
        # another of the same size with no Position event between: the book shows no change
        # (a sell and a buy of a locked trader; test_longest_lockout_first)
        return not any(f.contract_id == d.contract_id and f.ts_ns >= issued_ns - SKEW_NS
                       for f in acct.trades.values())

    def _closed_already(self, d: Decision) -> str:
        """The command id of riskd's close of all of this position (which a reduce of it
        would repeat too) that has finished (done) while
        its fill and Position events have not come yet ('' when none): enforcement's result
        may come before them, and a rule that looked at the position in between (on riskd's
        own close order's event, a tick) closed it a second time. Only a close issued after
        the position opened and last grew (the broker's time, or risk's when it saw it),
        expecting all of it: what grew since, or a position opened since, is closed."""
        acct = self.accounts.get(d.account_id)
        pos = acct.positions.get(d.contract_id) if acct is not None and d.contract_id else None
        if pos is None:
            return ""
        # the first lot is the position's opening: the broker's time (opened_ns), not when
        # this risk saw it; a risk restarted after the close was issued took the position from
        # market's snapshot and stamped its lot then, and closed it a second time (chaos run:
        # "1 close(s) of a position already flat"); later lots are growth, dated as seen
        since = max([pos.opened_ns] + [lot[0] for lot in pos.lots[1:]])
        pending = acct.ahead.get(d.contract_id)
        if pending is not None and pending.opened:
            return ""           # a fill opened contracts its Position has not shown yet
        return acct.riskd.closed_by(d.contract_id, acct.exposure(d.contract_id), since,
                                    d.ts_ns, acct.position_id_of(d.contract_id))

    def _reducing_already(self, d: Decision, now: int) -> tuple[int, str]:
        """(contracts of the decision's position that riskd's exits there still expect and its
        open size still counts, the command): a reduce whose result came before its fills
        (enforcement's answer may come first) has not taken them off the book yet, and a rule
        judging the position in between (a second tightening, riskd's own reduce order's
        event) asked to cut them again, then cut the next ones too: limit 4 -> 3 reduced
        4 to 3, limit 3 -> 2 then sent a reduce of 2, not 1, and the account ended at 1.
        A Position event already showing the cut is not counted twice (the fills lag it).
        A lockout's reduce is not asked: it cuts new growth, which no earlier exit expects."""
        acct = self.accounts.get(d.account_id)
        pos = acct.positions.get(d.contract_id) if acct is not None and d.contract_id else None
        if pos is None:
            return 0, ""
        seen = acct.furthest(d.contract_id)
        expected, command_id = acct.riskd.reducing(d.contract_id, seen,
                                                   pos.opened_ns - SKEW_NS, now)
        lag = max(0, abs(seen) - acct.live_size(pos))   # cut on the broker, its fills to come
        return max(0, expected - lag), command_id

    def _after_reduced(self, acct: Optional[AccountState], cmd: Command, res,
                       now: int, out: Outcome) -> None:
        """A rule's reduce answered done: the position rules judge the account once more. A
        decision made while it ran and covered by it was not sent, and a rule past its limit
        on what it left must act: nothing else judged it again until the trader's next
        trade. Its fills, when not in yet, are not cut twice (_reducing_already)."""
        if acct is None or res.status != DONE:
            return
        if cmd.action in (CLOSE_POSITION, REDUCE_POSITION, FLATTEN) \
                and acct.riskd.done_expecting(cmd.id) \
                and not any(key[0] == acct.account_id for key in self.inflight):
            # the broker closed what its fills will take away: the open sizes leave it out
            # now (AccountState.live_size), so the position rules judge what is left as its
            # fills' Position event would (the event-order model: a stop that covered the
            # rest was moved to breakeven at the fills' price, or never when "done" came
            # first and the price had moved on by the fills). Only once no other command of
            # the account is in flight: between two results the book is in a state no order
            # of the fills shows (a second reduce judged while the first's was still out)
            self._run(acct, POSITION, ClockTick(now), now, "recheck", now, out)
            return
        if cmd.action != REDUCE_POSITION or cmd.mode != ENFORCE \
                or (cmd.rule != LOCKOUT_RULE and cmd.rule not in self.rules):
            return
        if acct.riskd.expecting(cmd.contract_id, now):
            # riskd's fills there still to come (this reduce's, a close's beside it): they
            # judge the account when they arrive; now it would judge a position already cut
            # (the event-order model: max_contracts reduced a position being closed)
            return
        # every position rule, whoever's reduce it was: a rule's decision covered by it while
        # it ran (the same cut, no further: _reaches) is judged on what it left (a lockout's
        # cut ends at what the account held before it grew: max_contracts's cut to 5 behind
        # the lockout's to 7 left 7 held against 5 until the next trade, trial13a's burst
        # replayed against a slow close; max_contracts's reduce judged only itself again,
        # and max_contracts_per_instrument stayed past its limit, fresh-user trial 22b)
        self._run(acct, POSITION, ClockTick(now), now, "recheck", now, out)

    def _still_closing(self, d: Decision, target: tuple, busy: str, now: int,
                       out: Outcome) -> str:
        """A close or reduce not sent because the same one is in flight: that command closes
        what grew too (close_position retries until the contract is flat, reduce_position cuts
        down to the target it carries), so the contracts this decision would have closed are
        expected of it (trial 2026-12-05: the lockout's close in flight
        closed the next buy in its next round, and that fill was counted as the trader's
        trade). The lockout's: it acts once per growth (the first event of a fill), so the
        contracts it would have cut are added. A rule's reduce behind a reduce carrying its
        target: a rule repeats its decision on every event, so the exits are topped up to that
        target instead (a repeat on the same position adds nothing; trial 2026-12-06: the
        rule's reduce read 5 and cut 1 where the lockout's cut stood behind it, 4 held against
        2, and the contracts it cut beyond its count were the trader's trades).

        Returns, for the lockout's, why it is not sent (LEFT_TO_ONE_IN_FLIGHT, naming that
        command): its record tells the trader that what they bought while locked goes with
        the cut in flight (trial13a: 4 contracts bought while locked were closed inside
        max_contracts's reduce of 11 to 5, and no "lockout enforcement" line said so); ''
        otherwise."""
        held = self._same_in_flight(d, target)
        acct = self.accounts.get(d.account_id)
        if d.action not in (CLOSE_POSITION, REDUCE_POSITION) or not held \
                or held not in busy or acct is None:
            return ""
        entry = self.outbox.entries.get(held)
        down_to = entry.command.target if entry is not None else None
        # a lockout's cut down to nothing left to riskd's close of all of the contract
        # (_same_in_flight): that close takes what it would have
        closes = entry is not None and entry.command.action == CLOSE_POSITION
        if d.rule == LOCKOUT_RULE:      # once per growth: what it adds is what the cut takes
            # left to a close: it closes all it finds (a whole expectation)
            acct.riskd.expect(d.contract_id, acct.furthest(d.contract_id),
                              d.size if d.action == REDUCE_POSITION and not closes else None,
                              held, now,
                              down_to=(down_to if d.action == REDUCE_POSITION and not closes
                                       else None))
            out.exits.add(acct.account_id)
            sym = symbol_of(d.contract_id)
            cuts = (f"which closes {sym}" if closes or d.action == CLOSE_POSITION
                    else f"which cuts {sym} down to {down_to}"
                    if d.action == REDUCE_POSITION and down_to is not None
                    else f"which cuts {sym}")
            closing = self._closing_all_of(d, held)
            if closing and d.action == REDUCE_POSITION and down_to and not closes:
                self.flat_promised[held] = (d.account_id, d.contract_id, now)
                # a rule's cut to its limit, beside riskd's close of all of the contract (a
                # locked account's: trial15c finding 6, "which cuts MNQ down to 2" on a
                # self-locked account read as 2 contracts staying open; it ended flat)
                cuts = (f"and its {closing} beside it: {sym} ends flat, not at {down_to} as "
                        f"the cut alone would leave it")
                return f"{LEFT_TO_ONE_IN_FLIGHT} {cuts} ({held})"
            return f"{LEFT_TO_ONE_IN_FLIGHT}, {cuts} ({held})"
        elif d.action == REDUCE_POSITION and down_to is not None:
            # a rule's repeat: the reduce in flight cuts down to its target whatever it reads,
            # so what the position grew since (not the lockout's: counted above) is its too;
            # asked again on the same position it adds nothing. A close of the contract in
            # flight beside it takes all of it (it retries until flat)
            if (d.account_id, CLOSE_POSITION, d.contract_id, None) in self.inflight \
                    or self._flatten_in_flight(d.account_id) is not None:
                down_to = 0
            if acct.riskd.top_up(d.contract_id, acct.furthest(d.contract_id), down_to, held,
                                 now):
                out.exits.add(acct.account_id)
        return ""

    def _flat_not_yet(self, acct: Optional[AccountState], cmd: Command, res, now: int,
                      out: Outcome) -> None:
        """A cut that lockout enforcement's cuts were left to with "<symbol> ends flat" (riskd's
        close of all of the contract in flight beside it: _still_closing) is done, and that
        close is not: the contract is not flat yet, and the trader hears so (trial18a section
        6: the close was held at the broker, the cut left 1 contract, and the locked account
        held 1, then 2, for 20 s while the alerts had said "MNQ ends flat"). Its own result
        (Done, or FAILED) follows."""
        promised = self.flat_promised.pop(cmd.id, None)
        if promised is None or acct is None or res.status != DONE:
            return
        _aid, cid, said_ns = promised
        beside = self.inflight.get((acct.account_id, CLOSE_POSITION, cid, None))
        if beside is None:
            flatten = self._flatten_in_flight(acct.account_id)
            beside = flatten.id if flatten is not None else None
        entry = self.outbox.entries.get(beside) if beside else None
        left = abs(acct.exposure(cid))
        if cmd.target is not None:
            left = min(left, cmd.target)
        if entry is None or left <= 0:
            return
        tz = getattr(self, "zone", None) or dt.timezone.utc
        name = self.account_name(acct.account_id, acct.name)
        sym = symbol_of(cid)
        close = (f"close of all of {sym}" if entry.command.action == CLOSE_POSITION
                 else "flatten of the account")
        waited = duration(max(0, now - entry.command.issued_ns) / 1e9)
        out.notices.append(NotifyEvent(
            kind="not_flat_yet", severity="warning",
            title=f"⏳ {sym} not flat yet on {name}",
            lines=[f"riskd's cut of {sym} is done and left {plural(left, 'contract')} open; "
                   f"riskd's {close} beside it ({who(entry.command.rule)}, decided "
                   f"{showtime.start(entry.command.issued_ns, tz, now)}) has no result from "
                   f"the broker after {waited}: \"{sym} ends flat\" (said "
                   f"{showtime.start(said_ns, tz, now)}) is not so yet",
                   f"riskd goes on closing it; its result follows"],
            account=name, account_id=acct.account_id, ts_ns=now))

    def _closing_all_of(self, d: Decision, besides: str = "") -> str:
        """riskd's close in flight that takes all of the decision's contract, other than
        `besides`, in words ('close of all of MNQ', 'flatten of the account'; '' when none):
        a close_position retries until the contract is flat, a flatten closes every position
        it reads."""
        held = self.inflight.get((d.account_id, CLOSE_POSITION, d.contract_id, None))
        if held is not None and held != besides:
            return f"close of all of {symbol_of(d.contract_id)}"
        flatten = self._flatten_in_flight(d.account_id)
        if flatten is not None and flatten.id != besides:
            return "flatten of the account"
        return ""

    def _beside_lockouts_close(self, d: Decision) -> str:
        """The id of lockout enforcement's close of all of the decision's contract in flight
        when the decision is a rule's close or reduce of it ('' otherwise): sent all the same
        (if that close fails, this one still acts), but it adds nothing a trader needs told
        while the lockout closes the whole position (trial15c finding 10: a locked account past
        max_contracts got "reduce MNQ by 1" and its "nothing to do" beside each "🔒 Lockout
        enforced ... close MNQ"). Decision.beside carries it; notify logs such a breach only."""
        if d.rule == LOCKOUT_RULE or d.rule in ASKED_LOCKOUTS or d.mode != ENFORCE \
                or d.action not in (CLOSE_POSITION, REDUCE_POSITION):
            return ""
        held = self.inflight.get((d.account_id, CLOSE_POSITION, d.contract_id, None))
        entry = self.outbox.entries.get(held) if held is not None else None
        if entry is None or entry.command.rule != LOCKOUT_RULE:
            return ""
        return held

    def _for_an_earlier_position(self, d: Decision, command_id: str) -> bool:
        """Was the close or reduce in flight on the decision's contract issued before the
        exposure the decision acts on was opened (the position's broker opening time; with no
        position in the book, the event's own time, a fill's)? Then it was for an earlier
        position there, one risk's book never saw close: it closed while risk was down (chaos
        run 2026-12-05: riskd restarted with the close of the position a loss was realized on
        still waiting for its result, and the lockout's close of a buy made after the restart
        was taken for that close: no decision, the buy stayed open). It cannot close this
        exposure: enforcement answers a repeat of it with the result it already has."""
        if d.action not in (CLOSE_POSITION, REDUCE_POSITION):
            return False
        entry = self.outbox.entries.get(command_id)
        acct = self.accounts.get(d.account_id)
        if entry is None or acct is None:
            return False
        # the opening of what is open as risk knows it (a fill that opened it from flat, its
        # Position not in yet, counts), by the test enforcement's close uses to leave a newer
        # position open (shared/openedafter.py): one it leaves, risk closes
        opened = acct.opened_at(d.contract_id) or d.event_ns
        return opened_after(opened, entry.command)

    def flattened_at(self, account_id: int, issued_ns: int, finished_ns: int,
                     command_id: str) -> None:
        """A flatten of the account finished (the latest one is kept)."""
        held = self.flattened.get(account_id)
        if held is None or issued_ns >= held.issued_ns:
            self.flattened[account_id] = Flattened(issued_ns, finished_ns, command_id)

    def _flatten_covers(self, acct: AccountState, fill, now: int, out: Outcome) -> None:
        """A trader's fill from before a flatten in flight was issued, seen only now (after a
        restart, or late), made a position the flatten is closing: its closing fills are
        riskd's, not trades of the trader (chaos run, selflock: the self-lockout's close
        counted as a third trade in a minute). So is a trader's fill of an earlier position,
        seen after it went flat or was replaced, that riskd's close of all of it closed."""
        cid = fill.contract_id
        opened = acct.opened_at(cid)
        if fill.pnl is None and (acct.signed(cid) == 0 or fill.ts_ns < opened - SKEW_NS) \
                and acct.riskd.grow_closed(cid, fill.side, fill.size, now, fill.ts_ns):
            # made before the position the book holds (or the book is flat): it grew the
            # earlier position, which riskd's close of all of it closed (exits.py grow_closed)
            out.exits.add(acct.account_id)
            return
        flatten = self._flatten_in_flight(acct.account_id)
        # a fill made after the flatten was issued is covered only when the book is flat
        # there: what it opened is closed already, by the flatten on its way
        if flatten is None or (fill.ts_ns > flatten.issued_ns and acct.signed(cid) != 0):
            return
        acct.riskd.rebase(fill.contract_id, acct.exposure(fill.contract_id), flatten.id, now,
                          grown=fill.size if fill.pnl is None else 0,
                          side=SIDE_SELL if fill.side == SIDE_BUY else SIDE_BUY)
        out.exits.add(acct.account_id)

    def _flatten_in_flight(self, account_id: int) -> Optional[Command]:
        """The flatten of the account on its way (None when there is none)."""
        for key, command_id in self.inflight.items():
            entry = self.outbox.entries.get(command_id)
            if key[0] == account_id and key[1] == FLATTEN and entry is not None:
                return entry.command
        return None

    def broker_name(self, account_id: int) -> str:
        """The broker's name of the account risk knows ('' when it does not)."""
        acct = self.accounts.get(account_id)
        return acct.name if acct is not None else ""

    def _order_text(self, d: Decision) -> str:
        """The order a command acts on, in words, for its result ('' when risk has not seen
        it): enforcement's answer says what was cancelled (shared/orderwords.py)."""
        acct = self.accounts.get(d.account_id)
        order = acct.orders.get(d.order_id) if acct is not None and d.order_id else None
        return order_words(order) if order is not None else ""

    @staticmethod
    def _known_open(acct, now: int) -> tuple[str, ...]:
        """A flatten's contracts enforcement closes before its first read (Command.contracts;
        services/enforcement/actions/flatten.py): those open by the broker's Position and the
        fills it lags (exposure: a trader's closing fill whose Position is still to come leaves
        its contract out), none that riskd's own closes still expect fills on (its close may
        have closed it already). Any other contract open is closed after enforcement's read;
        a contract named here and found flat is a call the broker refuses (no position)."""
        if acct is None:
            return ()
        return tuple(sorted(c for c in {*acct.positions, *acct.ahead}
                            if acct.exposure(c) and not acct.riskd.expecting(c, now)))

    def _command(self, d: Decision, now: int, out: Outcome) -> None:
        acct = self.accounts.get(d.account_id)
        # what a close finds held beyond this was bought after the decision: its result
        # says so (Command.held; services/enforcement/actions/close_position.py counted)
        # (a reduce's too: what it closes beyond its size and beyond that growth is another
        # reduce's share it took over, not a buy: reduce_position.reduced, trial23b finding 5)
        held = acct.furthest(d.contract_id) if acct is not None and d.contract_id \
            and d.action in (CLOSE_POSITION, REDUCE_POSITION) else 0
        contracts = self._known_open(acct, now) if d.action == FLATTEN else ()
        cmd = Command(id=f"{d.id}.1", decision_id=d.id, account_id=d.account_id,
                      action=d.action, mode=d.mode, contract_id=d.contract_id,
                      order_id=d.order_id, size=d.size, stop_price=d.stop_price, rule=d.rule,
                      reason=d.reason, issued_ns=now, event_ns=d.event_ns,
                      order_text=self._order_text(d), target=d.target,
                      account_name=d.account_name or self.broker_name(d.account_id),
                      held=held,
                      contracts=contracts,
                      holds=tuple(acct.furthest(c) for c in contracts),
                      # a newer position than this is the trader's, not the close's (nor
                      # the reduce's, or its next try's) to take
                      opened_ns=acct.opened_at(d.contract_id) if acct is not None
                      and d.action in (CLOSE_POSITION, REDUCE_POSITION) and d.contract_id
                      else 0,
                      # riskd's late close's cancel: the orders placed by its fill only
                      placed_by_ns=d.event_ns if d.rule == LATE_CLOSE else 0)
        self.track(cmd)
        self.outbox.add(cmd, now)
        out.commands.append(cmd)
        if acct is not None and cmd.mode == ENFORCE \
                and cmd.action in (CLOSE_POSITION, REDUCE_POSITION, FLATTEN):
            self._expect(acct, cmd.action, cmd.contract_id, cmd.size, cmd.id, now)
            out.exits.add(acct.account_id)

    def cut_reaches(self, acct: AccountState, fill, now: int) -> None:
        """A closing fill risk did not ask for as large: a reduce in flight on its contract
        cuts down to its target whatever enforcement reads, so when the fill leaves no less
        than that target of what the fills show held, the reduce is expected to close that
        much (top_up, as a rule's repeat does when it sees the growth): the fill is riskd's.
        trial14a burst A: max_contracts asked 1 (3 -> 2), enforcement read the burst's next
        buy and sold 3 before risk saw that buy's Position; the sell, taken for the trader's,
        was the 3rd trade of the minute and started the cooldown, and the burst's last buy,
        made before that cooldown, read as bought while locked and was cut.
        The reduce cuts on the side it was issued for (its exits'): a replayed fill that made
        the fills' view flip (a snapshot's position, then the fills it holds) is not its cut
        (the trader's buy after riskd's reduce sold all was taken for riskd's)."""
        cid = fill.contract_id
        held = acct.furthest(cid)
        if not held or (fill.side == 0) == (held > 0):
            return                      # not a closing fill (0: a buy)
        for key, command_id in list(self.inflight.items()):
            if key[0] != acct.account_id or key[1] != REDUCE_POSITION or key[2] != cid:
                continue
            entry = self.outbox.entries.get(command_id)
            target = entry.command.target if entry is not None else None
            if target is not None and abs(held) - fill.size >= target \
                    and now - entry.command.issued_ns <= CUT_REACHES_NS \
                    and acct.riskd.closes_on(command_id, fill.side):
                acct.riskd.top_up(cid, held, target, command_id, now)

    @staticmethod
    def _expect(acct: AccountState, action: str, contract_id, size, command_id: str,
                now: int) -> None:
        """riskd is about to close: the fills that follow on these contracts are riskd's."""
        if action == FLATTEN:
            contracts = sorted(set(acct.positions) | set(acct.ahead))
            acct.riskd.sweep_mark(command_id, now)     # its window: exits.py claim_swept
        else:
            contracts = [contract_id]
        for cid in contracts:
            # what exits issued before this position opened expect is not part of it
            pid = acct.closing_id_of(cid)
            acct.riskd.earlier_position(cid, acct.opened_at(cid), pid, now)
            acct.riskd.expect(cid, acct.furthest(cid), size if action == REDUCE_POSITION
                              else None, command_id, now, position_id=pid)

    def track(self, cmd: Command) -> None:
        """Mark a command's target as in flight (also used when the store reloads the outbox)."""
        if cmd.mode == ENFORCE:
            key = (cmd.account_id, cmd.action, cmd.contract_id, cmd.order_id)
            self._key_of_command[cmd.id] = key
            held = self.inflight.get(key)
            self.inflight[key] = cmd.id if held is None or held == cmd.id \
                else self._strictest(key, cmd)

    def _strictest(self, key: tuple, new: Optional[Command] = None) -> Optional[str]:
        """Of the commands in flight on one target, the one that reaches furthest (two reduces
        of one contract: the lower target; else the latest), which stands for the target in
        `inflight`: the looser one finishing first leaves it there, and a reload of the outbox
        (commands of one step share their time) keeps it whatever order it reads them in.
        new: the command being tracked, not in the outbox yet."""
        best = None
        for command_id, k in self._key_of_command.items():
            entry = self.outbox.entries.get(command_id)
            cmd = new if new is not None and command_id == new.id \
                else entry.command if entry is not None else None
            if k != key or cmd is None:
                continue
            if best is None or cmd.action != REDUCE_POSITION \
                    or not reaches(best.target, cmd.target):
                best = cmd
        return best.id if best is not None else None

    def _release(self, pred) -> None:
        for key in [k for k in self.inflight if pred(k)]:
            self._key_of_command.pop(self.inflight.pop(key), None)

    def finished(self, command_id: str) -> None:
        """A command's final result: its target is no longer in flight, unless another
        command on it still is (a stricter reduce sent beside a looser one: _reaches), which
        then stands for it."""
        key = self._key_of_command.pop(command_id, None)
        if key is None or self.inflight.get(key) != command_id:
            return
        del self.inflight[key]
        held = self._strictest(key)
        if held is not None:
            self.inflight[key] = held

    # -- people --------------------------------------------------------------------------------
    def unlock(self, account_id: int, symbol: Optional[str], by: str, reason: str,
               now: int, rule: Optional[str] = None) -> tuple[Outcome, str]:
        """Admin unlock (of every lockout of the account, or only a symbol's, or only the ones
        a rule holds); returns (outcome, refusal reason or '')."""
        out = Outcome()
        if not self.allow_unlock:
            return out, ("manual unlock is switched off ([admin] allow_unlock = false): "
                         "lockouts end only on their timer, schedule or broker condition")
        if rule and rule not in LOCKOUT_HOLDERS:
            # a typo ended nothing and answered as if the rule merely held no lockout (trial15c)
            return out, (f"unknown rule {rule!r}: a lockout is held by one of "
                         f"{', '.join(LOCKOUT_HOLDERS)}")
        # what was sent for the lockouts ended and has not run is taken back, as at every
        # end of a lockout (withdraw.py)
        held = self.lockouts.all(account_id)
        self.lockouts_ended(self.lockouts.unlock(account_id, symbol, now, by, reason, rule),
                            now, out)
        if not out.lockouts and rule and held:
            return out, no_rule_lockout(self.account_name(account_id), account_id, rule,
                                        symbol, held,
                                        getattr(self, "zone", None) or dt.timezone.utc, now)
        if not out.lockouts and symbol:     # the account's own lockout may lock it: say so
            return out, no_symbol_lockout(self.account_name(account_id), account_id, symbol,
                                          self.lockouts.all(account_id),
                                          getattr(self, "zone", None) or dt.timezone.utc, now)
        if not out.lockouts:
            return out, f"account {self.account_name(account_id)} is not locked"
        # a limit the account is still past locks it again at its next trade, said once
        # (services/risk/pastlimits.py): on the ended lockout of that limit's rule, else on
        # the last lockout that ended (trial 2026-12-06: "still past daily_realized_loss"
        # hung on the cooldown_after_loss line of the unlock alert). While another lockout
        # still holds the account, every daily limit whose lockout would outlast it
        # (trial15a: `unlock --rule daily_realized_loss` under a cooldown said nothing;
        # trial19a: `unlock --rule daily_net_loss` said nothing of daily_realized_loss)
        # a symbol freed while symbol_blocks still lists it is locked again by its next trade
        out.lockouts[:] = with_past(out.lockouts, ended_past(
            still_past(self, account_id, now), holding(self.lockouts, account_id))
            + still_listed(self, account_id, out.lockouts))
        out.dirty.add(account_id)
        return out, ""

    def self_lock(self, account_id: int, now: int, until_ns: Optional[int] = None,
                  session: bool = False, reason: str = "",
                  admin: str = "") -> tuple[Outcome, str]:
        """A trader locks their own account (only adds protection): flatten + lockout. With
        admin (who: 'admin:root'), an admin locks it (`riskctl lockout --admin`): the same,
        as an admin lockout (its own row, owner admin), never recorded as the trader's."""
        out = Outcome()
        if session:
            spec = LockSpec(kind=UNTIL_RESET, until_ns=self.calendar.next_roll(now))
        elif until_ns is not None and until_ns > now:
            too_long = lock_length_refusal(until_ns, now, admin=bool(admin))
            if too_long:
                return out, too_long
            spec = LockSpec(kind=TIMER, until_ns=until_ns)
        else:
            return out, "expected --until a time in the future, or --session"
        self._maybe_roll(now, out)
        spec = self._as_own_lock(account_id, spec, ADMIN if admin else TRADER)
        acct = self.account(account_id)
        # the flatten is always sent: enforcement reads the broker, and says "already flat"
        # when it finds nothing. Risk's book, even known whole, can miss what market has not
        # delivered yet (chaos run 2026-12-06: market killed by a fill just before the
        # trader's lockout; the lockout taken as "nothing to flatten", NQ 2 opened before it
        # then came in market's next snapshot as held before the lock, and stayed all session)
        action = FLATTEN
        rule = ADMIN_LOCKOUT if admin else SELF_LOCKOUT
        d = Decision(id="", ts_ns=now, rule=rule, account_id=account_id, action=action,
                     mode=ENFORCE, lock=spec, event_ns=now, by=admin,
                     reason=reason or (f"{BY_ADMIN} ({admin})" if admin else
                                       "locked by the trader"))
        self._take(d, now, out)
        out.dirty.add(account_id)
        return out, ""

    def _as_own_lock(self, account_id: int, spec: LockSpec, by: str) -> LockSpec:
        """The lock a trader's (or an admin's) request asks for, as the row of the same owner
        that already holds the account at least as long: one lockout per owner, whatever
        its kind (trial16c: `lockout --session`, then `--until 30m`, listed two self-lockout
        rows, the session's and a timer's inside it). Asked in that row's kind, the book
        finds it the same (nothing changes, the request is kept as changing nothing); a
        request that ends later keeps its own kind and extends that row (the book keeps one
        row per owner: services/risk/lockouts.py OWN_ROW; trial16g: `--until 48h` after
        `--session` was a second self-lockout row), which takes that kind and end."""
        held = [lk for lk in self.lockouts.all(account_id)
                if lk.symbol is None and not lk.clears_on and owner(lk.by) == by
                and lk.kind in (TIMER, UNTIL_RESET) and lk.until_ns is not None
                and spec.until_ns is not None and lk.until_ns >= spec.until_ns]
        if not held or any(lk.kind == spec.kind for lk in held):
            return spec
        return attrs.evolve(spec, kind=held[0].kind)


@attrs.frozen
class Flattened:
    """An account's latest flatten: a second flatten for an event it was under way for (or
    issued after) has nothing to do, unless something opened or was placed since it was
    issued (chaos run: cooldown_after_loss flattening again once a restart made its losing
    fill arrive after the daily_net_loss flatten had finished; the calm run found that
    flatten still in flight)."""
    issued_ns: int
    finished_ns: int
    command_id: str


def _exposed_since(acct: AccountState, since_ns: int) -> bool:
    """Does risk's book show a position that grew, or an order the trader placed, after
    since_ns? (riskd's own close placed since is not the trader's exposure)"""
    return any(lot[0] > since_ns for p in acct.positions.values() for lot in p.lots) \
        or any(max(o.created_ns, o.updated_ns or 0) > since_ns for o in acct.traders_orders())


def _noted(rule: str) -> tuple:
    """What a lockout's acted-on set holds for a rule whose breach under it is recorded."""
    return ("breach", rule)


def _said(d: Decision) -> tuple:
    """... and for each reading of a rule recorded under it (its words: '5 trades this minute
    reached the limit of 3'): the same words judged again are not a new line. A breach of a
    rule judged once per fill (FILL_BREACHES) is that fill's own: two losing fills of the same
    loss in one second are two lines (trial23a finding 4: a flatten's two -151.40 closes
    made one)."""
    return ("said", d.rule, d.reason, d.event_ns if d.rule in FILL_BREACHES else 0)


def _quiet(rule: str) -> tuple:
    """... and for a rule whose breach under it was recorded with no new action."""
    return ("no new action", rule)


def _lock_by(d: Decision) -> str:
    """Who takes a decision's lockout: the trader (a self-lockout, a row of its own), the admin
    (an admin's lockout, a row of its own too) or a rule."""
    return {SELF_LOCKOUT: TRADER, ADMIN_LOCKOUT: ADMIN}.get(d.rule, "rule")


def _target(d: Decision) -> tuple:
    return (d.account_id, d.action, d.contract_id, d.order_id)


def reaches(held_target: Optional[int], asked_target: Optional[int]) -> bool:
    """Does a reduce in flight down to held_target do a reduce asked down to asked_target?
    Only when it cuts as far (a lower or equal target); a target not known (a reduce by count)
    is taken as doing it."""
    return held_target is None or asked_target is None or held_target <= asked_target
