"""Alert mode's records: one per breach of a rule in mode = "alert", with what enforce would do.

A rule in alert mode takes no action and no lockout, so nothing stops it breaching again: a
daily limit stays past at every later trade, a position past its open-PnL limit at every
price. AlertBook keeps, per account and rule, the lockout enforce mode would have held (the
would-be lockout: nothing is locked or enforced) and the targets it would have acted on, and
tells each new breach from the same one seen again:
- no would-be lockout in force: the breach is recorded as enforce mode would have acted
  ("would have flattened 1 position; would have locked the account
  (timer) until Sun 17:49:21 CST");
- the same lockout asked for again (a daily limit still past at the next trade, a blocked
  symbol's next event) on a target already acted on: the same breach, not recorded again;
- a new breach while the would-be lockout holds (cooldown_after_loss's next losing fill,
  trade_frequency_limit's next trade) is recorded with what enforce mode would have done
  under its own lockout: extend it, with no new flatten (its start flattened already), or
  nothing new at all when it would end no later (a shorter timer never replaces a longer);
- a breach with no lockout (a position's close or reduce, an order's cancel, a stop's move)
  is recorded once per position (a new position after flat, or a flip, is a new breach), per
  order, per stop price. Of a rule that judges the contracts held (Rule.held_size:
  max_contracts, max_contracts_per_instrument), a position past the limit again after the
  rule found the account within it (within), or further past it than when recorded, is a new
  breach too (fresh-user trial 17g: 1 -> 3 -> 1 -> 3 -> 4 contracts, limit 2, recorded once);
- a breach the rule acted on in enforce mode before it was switched to alert mode (its own
  lockout in force, ending no earlier) is not a new one: that lockout becomes the would-be
  one, nothing is recorded (trial 17g: the override to alert mode re-reported the cooldown in
  force as "would have locked ... until" that cooldown's end, with no new trade); nor is one
  whose action (a reduce, a close) enforce mode sent and is still in flight at the switch
  (acted_on: seen, not recorded; further past than then is a new breach).
Fresh-user trial 17a: the record was kept once a day per rule and target, so every
cooldown_after_loss and daily_unrealized_loss breach after a rule's first of the day was
silent (7 of 7, also long after the would-be cooldown had ended). Would-be timers end at
their time; the rest, and the lockless targets, at the trading-day roll. Kept across a
restart of risk (kill -9 too) as the rest of risk's state: to_json() is written with each
committed step and every second (services/risk/store.py, meta 'alert_book'), load_json() reads
it back, so a daily limit still past after a restart is not recorded (and alerted) again at
its next trade as if it were a new breach.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Optional

import attrs

from services.risk.state import AccountState
from services.risk.words import NOTHING_HELD, lock_kind_text, what
from shared import showtime
from shared.messages.risk import ACTION_NONE, FLATTEN, MODIFY_STOP, Decision


@attrs.define
class WouldBe:
    """The lockout a rule in alert mode would have held, and what it would have acted on."""
    until_ns: Optional[int]         # None: no end time (a manual lockout, a listed symbol)
    targets: set = attrs.Factory(set)

    def holds(self, now: int) -> bool:
        return self.until_ns is None or self.until_ns > now


class AlertBook:
    def __init__(self):
        self.locks: dict[tuple, WouldBe] = {}     # (account, rule, symbol, kind, clears_on)
        # (account, rule, target) -> the value recorded: lockless breaches
        self.seen: dict[tuple, object] = {}
        # counts the calls that may have changed the book: the store serialises it only when
        # this moved since it last wrote it (to_json at every commit would cost every step)
        self.changes = 0

    def to_json(self, day: Optional[dt.date]) -> str:
        """The book as risk's store keeps it, for trading day `day` (its lockless targets
        end at that day's roll)."""
        return json.dumps({
            "day": day.isoformat() if day is not None else None,
            "locks": [[_out(k), w.until_ns, sorted((_out(t) for t in w.targets), key=repr)]
                      for k, w in self.locks.items()],
            "seen": [[_out(k), _out(v)] for k, v in self.seen.items()]})

    def load_json(self, body: str, day: Optional[dt.date], now: int) -> None:
        """The book saved by to_json(); saved on another trading day than `day`: as the roll
        leaves it (only would-be timers still running)."""
        saved = json.loads(body or "{}")
        self.locks = {_in(k): WouldBe(until, {_in(t) for t in targets})
                      for k, until, targets in saved.get("locks", [])}
        self.seen = {_in(k): _in(v) for k, v in saved.get("seen", [])}
        self.changes += 1
        if saved.get("day") != (day.isoformat() if day is not None else None):
            self.roll(now)

    def within(self, account_id: int, rule: str) -> None:
        """A rule judging the contracts held found none past its limit on the account: its
        next breach there is a new one."""
        for key in [k for k in self.seen if k[0] == account_id and k[1] == rule]:
            del self.seen[key]
            self.changes += 1

    def acted_on(self, d: Decision, acct: Optional[AccountState],
                 held_size: bool = False) -> bool:
        """A lockless breach whose action its rule sent in enforce mode and which is still in
        flight now the rule is in alert mode: True when it is that breach (seen, not recorded);
        False when it is a new one to record(): of a rule judging the contracts held
        (held_size), further past than when first seen so."""
        key = (d.account_id, d.rule, _target(d, acct))
        if key not in self.seen:
            self.seen[key] = d.value
            return True
        was = self.seen[key]
        return not (held_size and None not in (d.value, was) and d.value > was)

    def roll(self, now: int) -> None:
        """The trading-day roll: only would-be timers still running stay."""
        self.changes += 1
        self.locks = {k: w for k, w in self.locks.items()
                      if w.until_ns is not None and w.until_ns > now}
        self.seen.clear()

    def record(self, d: Decision, acct: Optional[AccountState], now: int,
               tz: dt.tzinfo, *, held_size: bool = False,
               enforced: Optional[WouldBe] = None) -> tuple[Optional[Decision], bool]:
        """(the record of an alert-mode decision, with no lockout and the words of what
        enforce mode would have done, or None when it is a breach recorded already; whether
        its alert command is sent: only when enforce mode would have acted). held_size: the
        rule judges the contracts held (further past is a new breach); enforced: the lockout
        of the decision's scope and kind this rule took in enforce mode, in force now."""
        self.changes += 1
        target = _target(d, acct)
        if d.lock is None:
            key = (d.account_id, d.rule, target)
            known, was = key in self.seen, self.seen.get(key)
            self.seen[key] = d.value        # further past than now is a new breach (held_size)
            if known and not (held_size and None not in (d.value, was) and d.value > was):
                return None, False
            return _kept(d, what(d, acct, True)), d.action != ACTION_NONE
        lock = d.lock
        until = None if lock.until_ns is None else showtime.up_to_second(lock.until_ns)
        key = (d.account_id, d.rule, lock.symbol, lock.kind, lock.clears_on)
        held = self.locks.get(key)
        if (held is None or not held.holds(now)) and enforced is not None \
                and enforced.holds(now) and (enforced.until_ns is None
                     or (until is not None and until <= enforced.until_ns)):
            # acted on in enforce mode already (its lockout in force): not a new breach
            self.locks[key] = WouldBe(enforced.until_ns, {target})
            return None, False
        if held is None or not held.holds(now):
            self.locks[key] = WouldBe(until, {target})
            return _kept(d, _with_end(what(d, acct, True), until, lock.kind, tz, now)), \
                d.action != ACTION_NONE
        new_target = target not in held.targets and d.action not in (ACTION_NONE, FLATTEN)
        held.targets.add(target)
        own = f"its own lockout of {_scope(d)}{lock_kind_text(lock.kind)}"
        if until is not None and held.until_ns is not None and until > held.until_ns:
            held.until_ns = until
            extended = f"would have extended {own} to {showtime.at(until, tz, now)}"
            if new_target:
                return _kept(d, f"{what(_unlocked(d), acct, True)}; {extended}"), True
            no_new = f", with no new {d.action}" if d.action != ACTION_NONE else ""
            return _kept(d, f"{extended}{no_new}"), False
        if until == held.until_ns and not new_target:
            return None, False          # the same breach seen again: recorded already
        if new_target:
            return _kept(d, f"{what(_unlocked(d), acct, True)}; {own} holds already"), True
        end = "with no end time" if held.until_ns is None else \
            f"until {showtime.at(held.until_ns, tz, now)}"
        return _kept(d, f"would have taken no new action: {own} held already {end}, "
                        f"and a shorter one never replaces it"), False


def _out(x):
    """A key or value of the book in JSON: tuples as lists, a Decimal as {"d": text}."""
    if isinstance(x, Decimal):
        return {"d": str(x)}
    if isinstance(x, (tuple, list)):
        return [_out(v) for v in x]
    return x


def _in(x):
    """_out() read back: lists as tuples (hashable keys), {"d": text} as a Decimal."""
    if isinstance(x, dict):
        return Decimal(x["d"])
    if isinstance(x, list):
        return tuple(_in(v) for v in x)
    return x


def _target(d: Decision, acct: Optional[AccountState]) -> tuple:
    """What a decision acts on, as one breach's identity: an order (a stop by its new price),
    a position as opened (a new one after flat, or a flip, is another), or the account."""
    if d.order_id is not None:
        return (d.action, d.order_id, d.stop_price if d.action == MODIFY_STOP else None)
    if d.contract_id:
        pos = acct.positions.get(d.contract_id) if acct is not None else None
        return (d.action, d.contract_id, pos.opened_ns if pos is not None else None)
    return (d.action,)


def _kept(d: Decision, words: str) -> Decision:
    return attrs.evolve(d, lock=None, what=words)


def _unlocked(d: Decision) -> Decision:
    return attrs.evolve(d, lock=None)


def _scope(d: Decision) -> str:
    return f"{d.lock.symbol} on the account" if d.lock.symbol else "the account"


def _with_end(words: str, until: Optional[int], kind: str, tz: dt.tzinfo, now: int) -> str:
    """'... would have locked the account (timer) until Sun 17:49:21 CST': the end a timer
    would have had, as an enforce record's lockout shows it (trial 17a: alert mode's line
    gave none)."""
    if until is None or lock_kind_text(kind).startswith(" until"):
        return words
    # the end goes with the lockout, before "; nothing held to flatten" (words.NOTHING_HELD)
    head, sep, tail = words.partition(f"; {NOTHING_HELD}")
    return f"{head} until {showtime.at(until, tz, now)}{sep}{tail}"
