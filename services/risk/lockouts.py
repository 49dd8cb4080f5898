"""Lockouts: the account's (or one symbol's) trading state, kept as data, not scattered flags.

LockoutBook holds every active lockout. One rule's lockout per (account, symbol, kind, clears_on):
a second timer for the same scope replaces the first only when it ends later (never the
reverse); an until-reset / until-session / manual lockout that exists already is left as is.
A trader's self-lockout is its own row (owner "trader"), and so is an admin's lockout (owner
"admin": `riskctl lockout --admin`, never taken for the trader's own): one row per owner,
whatever kind its requests use; a later end extends it and its kind becomes the later
request's (a timer past the roll after `--session`), an earlier one changes nothing.
Those rows stand beside the rules' ones as a rule's
until-reset lockout is beside a cooldown: it never takes over a rule's timer, nor a rule its
(trial: a self-lockout during a cooldown read "tilted; started by cooldown_after_loss").
An extension keeps the reason the lockout started with (extended_reason); one by another
rule names both rules, the one now holding it first (taken_over_reason).
Each change names the lockout that holds the same scope longer (over): a shorter lockout
starting inside a longer one, or one ending under it, must not read as the account's end.
Lockouts end by time (expire), at the trading-day roll (until_reset), when the broker
condition they wait for clears (clears_on, e.g. canTrade back to true), or by an admin unlock.
The engine hands every end to Withdrawing.lockouts_ended (services/risk/withdraw.py): what
was sent for the lockout and has not run is taken back; LockoutChange.by says what ended it.

enforce() turns a broker event inside a locked scope into its own decision at once: a new
working order is cancelled (unless it only protects or closes an existing position, or is
riskd's own), and exposure opened or flipped is closed, exposure added to a position that
was there is reduced by what was added. Only exposure no earlier
event showed counts: the Trade and Position events of one fill are one action, so the Position
of the fill that started a lockout (its Trade came first) is not a breach of it, and of a
fill made while locked only the first of its events acts.
"""
from __future__ import annotations

from typing import Callable, Iterable, Optional

import attrs

from services.risk.carried import Carried, existed_before
from services.risk.state import AccountState, symbol_of
from services.risk.words import FOREVER, LOCKOUT_RULE, SYMBOL_BLOCKS
from shared import showtime
from shared.lockwords import (ADMIN_LOCKOUT, EXTENDED_BY, HOLDER_WORDS, cleared_words,
                             lock_end_words, locked_words, longest_first)
from shared.messages.market import ORDER_MARKET, SIDE_BUY, Fill, OrderUpdate, PositionUpdate
from shared.messages.risk import (CANCEL_ORDERS, CLOSE_POSITION, ENFORCE, REDUCE_POSITION,
                                  TIMER, UNTIL_RESET, Decision, LockoutChange, LockoutState,
                                  LockSpec, unlock_scope)

ADDED, EXTENDED, SAME, CLEARED = "added", "extended", "same", "cleared"
# who ended a lockout that ended by itself (LockoutChange.by); an unlock names its admin
BY_CLOCK, BY_ROLL, BY_BROKER, BY_CONFIG = "clock", "roll", "broker", "config"


TRADER = "trader"                    # by (and owner) of a trader's own lockout
ADMIN = "admin"                      # by (and owner) of an admin's lockout


def owner(by: str) -> str:
    """Whose row a lockout is: the trader's own (a self-lockout), an admin's, or the rules'
    ("")."""
    return by if by in (TRADER, ADMIN) else ""


# the kind part of the key of a person's own lockout (the trader's, an admin's): one row per
# owner whatever kind its requests use (trial16g: `lockout --session`, then `--until 48h`, listed
# two self-lockout rows, the second with a reason of its own, instead of one lockout extended)
OWN_ROW = "own"


def _key(lock: LockoutState) -> tuple:
    return lock_key(lock)


def lock_key(lock, account_id: Optional[int] = None, by: str = "") -> tuple:
    """The book's key of a lockout, or of the lockout a LockSpec asks for on account_id (by:
    who asks for it, TRADER for a self-lockout, ADMIN for an admin's). A rule's lockout is one
    per scope and kind; a person's own is one per owner, of any kind (OWN_ROW)."""
    aid = lock.account_id if account_id is None else account_id
    own = owner(getattr(lock, "by", by))
    return (aid, lock.symbol, OWN_ROW if own else lock.kind, lock.clears_on, own)


def key_text(lock: LockoutState) -> str:
    """The store's key of a lockout (the same as a rule's row had before owners existed)."""
    aid, symbol, kind, clears_on, own = _key(lock)
    return f"{aid}|{symbol or ''}|{kind}|{clears_on}" + (f"|{own}" if own else "")


def end_of(lock: LockoutState) -> int:
    """When a lockout ends, for comparing (FOREVER when no time is set)."""
    return lock.until_ns if lock.until_ns is not None else FOREVER


def describe(lock: LockoutState, name: str = "", by: bool = True) -> str:
    """'MNQ on account Demo 1 locked (timer) by R', 'account Demo 1 locked until the roll by
    R' (the kind in words: shared/lockwords.py): name is how alerts name the account
    (shared/accountname.py; its id when not given); by=False: without ' by R'."""
    account = f"account {name or lock.account_id}"
    scope = f"{lock.symbol} on {account}" if lock.symbol else account
    locked = f"{scope} " + locked_words(lock.kind, lock.rule, clears_on=lock.clears_on,
                                        symbol=lock.symbol)
    if lock.rule == ADMIN_LOCKOUT:          # "locked by the admin" says who already
        return locked
    if by and lock.rule in HOLDER_WORDS:
        # "locked (self-lockout) by self_lockout" said it twice (trial14b): the trader's own
        return f"{locked} by {HOLDER_WORDS[lock.rule]}"
    return f"{locked} by {lock.rule}" if by else locked


def extended_reason(original: str, new: str) -> str:
    """The reason of an extended lockout: the one it started with is kept (a trader's "on
    tilt" is never replaced by "self-lockout by ana"), with the latest extension's beside it
    when it says something else (only the latest: extending again does not grow it)."""
    first = original.split(EXTENDED_BY)[0]
    if not new or new in (first, original):
        return original
    return f"{first}{EXTENDED_BY}{new}" if first else new


STARTED_BY = "; started by "


def taken_over_reason(old_rule: str, old_reason: str, rule: str, reason: str) -> str:
    """The reason of a lockout another rule extends: the rule now holding it (the row's rule,
    in force until the row's end) leads with its own words, and the rule it started with is
    named beside its first reason (trial: "cooldown_after_loss ... 3 trades this minute
    reached the limit of 3; extended: closing fill lost 113.90" read as one rule's row)."""
    current, sep, origin = old_reason.partition(STARTED_BY)
    if not sep:
        origin = f"{old_rule}: {current.split(EXTENDED_BY)[0]}" if current else old_rule
    if origin.split(":")[0] == rule:         # back to the rule it started with
        return reason or origin.partition(": ")[2]
    return f"{reason or 'extended'}{STARTED_BY}{origin}"


class LockoutBook:
    def __init__(self, ids: Callable[[], str], name_of: Callable[[int], str] = str):
        self._ids = ids
        self.name_of = name_of        # account id -> its name in alerts (the engine's)
        self._by_key: dict[tuple, LockoutState] = {}

    # -- reading ------------------------------------------------------------------
    def describe(self, lock: LockoutState, by: bool = True) -> str:
        """describe(), the account named as alerts name it."""
        return describe(lock, self.name_of(lock.account_id), by)

    def while_locked(self, lock: LockoutState) -> str:
        """What a lockout enforcement's reason says after "CL position opened": 'while
        account Demo 1 (id 1001) locked until the roll by daily_net_loss', a symbol_blocks
        lockout 'on account Demo 1 (id 1001) while CL is listed in symbol_blocks (an admin's
        unlock does not free it: ...)' (trial 17g: "CL position opened while CL on
        account ... locked while CL is listed ... by symbol_blocks")."""
        if lock.clears_on == SYMBOL_BLOCKS:
            return f"on account {self.name_of(lock.account_id)} {lock_end_words(lock)}"
        return f"while {self.describe(lock)}"

    def all(self, account_id: Optional[int] = None) -> list[LockoutState]:
        """The lockouts in force, by account, each account's longest first (status, lockouts,
        the screens and the phone list them so: shared/lockwords.py longest_first)."""
        return longest_first(sorted((lk for lk in self._by_key.values()
                                     if account_id is None or lk.account_id == account_id),
                                    key=lambda lk: (lk.account_id, lk.since_ns, lk.id)))

    def get(self, key: tuple) -> Optional[LockoutState]:
        return self._by_key.get(key)

    def covering(self, account_id: int, symbol: Optional[str] = None) -> list[LockoutState]:
        """Lockouts that lock this scope: account-wide ones, plus the symbol's own; the one
        that holds longest first (lockout enforcement acts for it and names it: trial
        2026-12-06, "🔒 Lockout enforced on Demo Two: locked until Sat 22:14:29 CST
        (trade_frequency_limit)" while a lockout until Mon 17:00 held the account too)."""
        return longest_first(sorted(
            (lk for lk in self._by_key.values() if lk.account_id == account_id
             and (lk.symbol is None or (symbol is not None and lk.symbol == symbol))),
            key=lambda lk: (lk.since_ns, lk.id)))

    def longest(self, lock: LockoutState, later_than: bool = True) -> Optional[LockoutState]:
        """The lockout in force on lock's scope (another one) that ends last; with later_than,
        only one that ends after lock does (the account is free only when it ends)."""
        others = [lk for lk in self.covering(lock.account_id, lock.symbol) if lk.id != lock.id]
        top = max(others, key=lambda lk: (end_of(lk), lk.since_ns), default=None)
        if top is None or (later_than and end_of(top) <= end_of(lock)):
            return None
        return top

    def next_expiry(self) -> Optional[int]:
        ends = [showtime.up_to_second(lk.until_ns) for lk in self._by_key.values()
                if lk.until_ns is not None]
        return min(ends) if ends else None

    # -- changing -----------------------------------------------------------------
    def load(self, locks: Iterable[LockoutState]) -> list[LockoutState]:
        """Put saved lockouts back; returns the rows merged into another (the store deletes
        them). A state file from before one row per owner may hold two rows of one person's
        own lockout (a timer and one to the roll): they are one lockout, the later end wins,
        from the earlier start, with the reason it started with (extended_reason)."""
        merged = []
        for lk in locks:
            key = _key(lk)
            old = self._by_key.get(key)
            if old is not None:
                first, last = sorted((old, lk), key=lambda x: (x.since_ns, x.id))
                keep, drop = (lk, old) if end_of(lk) > end_of(old) else (old, lk)
                lk = attrs.evolve(keep, since_ns=first.since_ns,
                                  reason=(extended_reason(first.reason, last.reason)
                                          if keep is last else keep.reason))
                merged.append(drop)
            self._by_key[key] = lk
        return merged

    def add(self, account_id: int, spec: LockSpec, rule: str, reason: str, now: int,
            by: str = "rule") -> tuple[str, Optional[LockoutChange]]:
        """Returns (ADDED | EXTENDED | SAME, the change to publish or None). A lockout's end
        is a whole second, rounded up (showtime.up_to_second, as every screen shows an end):
        the clock clears it in the second shown, never before it (fresh-user trial
        2026-12-06: "until Sun 03:30:13 CST" everywhere, "cleared by the clock" at 03:30:12:
        the end was 09:30:12.827 UTC)."""
        if spec.until_ns is not None:
            spec = attrs.evolve(spec, until_ns=showtime.up_to_second(spec.until_ns))
        lock = LockoutState(id=self._ids(), account_id=account_id, kind=spec.kind, rule=rule,
                            since_ns=now, until_ns=spec.until_ns, symbol=spec.symbol,
                            clears_on=spec.clears_on, reason=reason, by=by)
        old = self._by_key.get(_key(lock))
        if old is not None:
            # a rule's timer grows; a person's own lockout grows whatever the kinds (its kind
            # becomes the longer request's: `--session`, then `--until 48h`, is a timer)
            longer = ((spec.kind == TIMER or owner(by)) and old.until_ns is not None
                      and spec.until_ns is not None and spec.until_ns > old.until_ns)
            if not longer:
                return SAME, None
            lock = LockoutState(id=old.id, account_id=account_id, kind=spec.kind, rule=rule,
                                since_ns=old.since_ns, until_ns=spec.until_ns,
                                symbol=spec.symbol, clears_on=spec.clears_on,
                                reason=(extended_reason(old.reason, reason)
                                        if old.rule == rule else
                                        taken_over_reason(old.rule, old.reason, rule, reason)),
                                by=by,
                                took_over_rule=(old.took_over_rule if old.rule == rule
                                                else old.rule),
                                took_over_until_ns=(old.took_over_until_ns if old.rule == rule
                                                    else old.until_ns))
            self._by_key[_key(lock)] = lock
            return EXTENDED, LockoutChange(change=EXTENDED, lockout=lock, ts_ns=now, by=by,
                                           reason=lock.reason, over=self.longest(lock),
                                           was=old)
        self._by_key[_key(lock)] = lock
        return ADDED, LockoutChange(change=ADDED, lockout=lock, ts_ns=now, by=by, reason=reason,
                                    over=self.longest(lock))

    def _clear(self, pred, now: int, by: str, reason: str,
               unlock_of: str = "") -> list[LockoutChange]:
        out = []
        for key, lk in list(self._by_key.items()):
            if pred(lk):
                del self._by_key[key]
                out.append(LockoutChange(change=CLEARED, lockout=lk, ts_ns=now, by=by,
                                         reason=reason, unlock_of=unlock_of))
        # what still holds the scope of each ended lockout: "ended" alone read as free
        return [attrs.evolve(c, over=self.longest(c.lockout, later_than=False)) for c in out]

    def expire(self, now: int) -> list[LockoutChange]:
        """Lockouts whose end has come (timers, until-session, until-reset at their roll): at
        the second their end is shown as, also for one stored before ends were whole seconds."""
        return self._clear(lambda lk: lk.until_ns is not None
                           and showtime.up_to_second(lk.until_ns) <= now, now,
                           BY_CLOCK, "its time is up")

    def roll(self, now: int) -> list[LockoutChange]:
        """The trading-day roll ends every until-reset lockout (timers and manual ones stay)."""
        return self._clear(lambda lk: lk.kind == UNTIL_RESET, now, BY_ROLL,
                           "the trading day rolled")

    def condition_cleared(self, account_id: int, condition: str, now: int) -> list[LockoutChange]:
        return self._clear(lambda lk: lk.account_id == account_id and lk.clears_on == condition,
                           now, BY_BROKER, cleared_words(condition))

    def take_back(self, ids: set, now: int, by: str, reason: str) -> list[LockoutChange]:
        """These lockouts (by id) end: what started them turned out not to be (a cooldown
        started by a fill the broker's facts later named riskd's: services/risk/takeback.py)."""
        return self._clear(lambda lk: lk.id in ids, now, by, reason)

    def symbol_blocks_lifted(self, account_id: int, still_blocked, now: int) -> list:
        """Rule 11's symbol lockouts whose symbol is no longer listed end."""
        return self._clear(lambda lk: lk.account_id == account_id
                           and lk.clears_on == SYMBOL_BLOCKS and not still_blocked(lk.symbol),
                           now, BY_CONFIG, "no longer a blocked symbol")

    def unlock(self, account_id: int, symbol: Optional[str], now: int, by: str,
               reason: str, rule: Optional[str] = None) -> list[LockoutChange]:
        """Admin unlock: every lockout of the account, or only the symbol's, or only the ones a
        rule holds, when given. One rule's lockout that took over another rule's (one row,
        extended: took_over_rule) ends that rule's time too: its change says so (also_rule,
        until when), as the unlock's answer and alert do."""
        out = self._clear(lambda lk: lk.account_id == account_id
                          and (symbol is None or lk.symbol == symbol)
                          and (rule is None or lk.rule == rule), now, by, reason,
                          unlock_scope(rule, symbol))
        if rule is None:
            return out
        return [attrs.evolve(c, also_rule=c.lockout.took_over_rule,
                             also_until_ns=c.lockout.took_over_until_ns)
                if (c.lockout.took_over_rule and c.lockout.took_over_rule != rule
                    and c.lockout.took_over_until_ns is not None
                    and c.lockout.took_over_until_ns > now) else c
                for c in out]

    # -- enforcing ----------------------------------------------------------------------
    def enforce(self, account: AccountState, event, change: str, now: int,
                event_ns: int = 0, carried: Optional[Carried] = None) -> list[Decision]:
        """Decisions that keep a locked scope flat: cancel new orders, close opened positions.
        `carried`: what the account held before a restart, until market's complete snapshot
        (services/risk/carried.py): what it held is not new."""
        if carried is not None and isinstance(event, (PositionUpdate, Fill)):
            return self._enforce_carried(account, event, carried, now, event_ns)
        # a market order is not cancelled: it fills at once and its fill is closed below;
        # a cancel of it would depend on whether its 'open' event came before its fill
        if isinstance(event, OrderUpdate) and change == "new" and event.type != ORDER_MARKET:
            locks = self.covering(account.account_id, symbol_of(event.contract_id))
            if locks and not _protects_position(account, event) \
                    and event.order_id not in account.riskd.orders \
                    and not (carried is not None and carried.had_order(
                        event.order_id, event.created_ns, _since(locks))):
                return [self._decision(account, locks[0], now, CANCEL_ORDERS,
                                       f"order {event.order_id} placed "
                                       f"{self.while_locked(locks[0])}"
                                       f"{_not_protecting(account, event)}", event_ns or now,
                                       contract_id=event.contract_id, order_id=event.order_id)]
        grew = ((isinstance(event, PositionUpdate) and account.position_lead
                 and change in ("opened", "increased", "flipped"))
                or (isinstance(event, Fill) and (account.fills_lead or account.confirmed)
                    and not event.by_riskd))
        if grew:
            locks = self.covering(account.account_id, symbol_of(event.contract_id))
            # a position the book sees opened that the broker opened before the lock started
            # existed when it started (risk's book lagged: market was down); a trade made
            # while locked is closed on its own fill
            if locks and not (isinstance(event, PositionUpdate) and change == "opened"
                              and existed_before(event.ts_ns, _since(locks))):
                # a fill: what no position shows yet, and what a Position showed before the
                # lockout started, no lockout acting on it (ahead.py Pending.free)
                lead = account.position_lead if isinstance(event, PositionUpdate) \
                    else account.fills_lead + account.confirmed
                grown = change if isinstance(event, PositionUpdate) else _by_fill(account,
                                                                                   event)
                lead += account.take_free(event.contract_id, now)
                return [self._cut(account, locks[0], now, event.contract_id, lead,
                                  f"{symbol_of(event.contract_id)} position {grown} "
                                  f"{self.while_locked(locks[0])}", event_ns or now)]
        return []

    def _cut(self, account: AccountState, lock, now: int, contract_id: str, added: int,
             reason: str, event_ns: int) -> Decision:
        """What grew while locked goes: the whole position when all of it is new (opened,
        flipped), else the contracts added (a reduce by them): what was open when the lock
        started stays (docs/rules.md 'Lockouts')."""
        held = abs(account.exposure(contract_id))
        if 0 < added < held:
            pos = account.positions.get(contract_id)
            since = _since(self.covering(account.account_id, symbol_of(contract_id))
                           or [lock])
            before = pos is not None and existed_before(pos.opened_ns, since)
            # down to what it held before it grew (less what riskd's done exits closed at the
            # broker already, their fills still to come): a reduce in flight that this cut
            # stands behind ends there too, whenever enforcement reads the position
            done = (sum(n for n, _ in account.done_parts(pos)) if pos is not None
                    else account.done_closing(contract_id, now))
            return self._decision(account, lock, now, REDUCE_POSITION,
                                  f"{reason}: {_added(added, before)}", event_ns,
                                  contract_id=contract_id, size=added,
                                  target=max(0, held - added - done))
        return self._decision(account, lock, now, CLOSE_POSITION, reason, event_ns,
                              contract_id=contract_id)

    def opened_by(self, account: AccountState, fill: Fill, now: int) -> list[Decision]:
        """A fill risk held as riskd's (a close of riskd's was in flight: services/risk/
        exits.py hold) is the trader's after all: a position it left open on its own side
        (a flip) while the scope is locked is closed now, as it would have been on the fill."""
        cid = fill.contract_id
        pos = account.exposure(cid)
        if pos == 0 or (pos > 0) != (fill.side == SIDE_BUY):
            return []
        locks = self.covering(account.account_id, symbol_of(cid))
        if not locks or existed_before(fill.ts_ns, _since(locks)):
            return []
        return [self._decision(account, locks[0], now, CLOSE_POSITION,
                               f"{symbol_of(cid)} position opened "
                               f"{self.while_locked(locks[0])}", fill.ts_ns, contract_id=cid)]

    def cut_to(self, account: AccountState, contract_id: str, down_to: int, issued_ns: int,
               now: int) -> list[Decision]:
        """Growth riskd expected a reduce in flight to cut (its exits' top-up) and that never
        came: it was bought after the reduce's last read of the position. Still locked and
        still over that size by more than riskd's commands on their way there expect to close,
        the lockout cuts it down there itself."""
        locks = [lk for lk in self.covering(account.account_id, symbol_of(contract_id))
                 if lk.since_ns <= issued_ns]
        pos = account.positions.get(contract_id)
        live = account.live_size(pos) if pos is not None else 0
        # what riskd's commands on their way there (not done yet) still expect to close is
        # being closed: a later buy's own cut (its lockout decision), a close in flight; it is
        # not cut twice
        pending = max(0, account.riskd.expected_on(contract_id, now)
                      - (account.riskd.done_expected(contract_id, account.signed(contract_id),
                                                     now) if live else 0))
        extra = live - pending - down_to
        if not locks or extra <= 0:
            return []
        reason = (f"{symbol_of(contract_id)} position bought {self.while_locked(locks[0])}, "
                  f"after riskd's reduce in flight last read it: {extra} more than the "
                  f"{down_to} it cut down to")
        if down_to <= 0:
            return [self._decision(account, locks[0], now, CLOSE_POSITION, reason, now,
                                   contract_id=contract_id)]
        return [self._decision(account, locks[0], now, REDUCE_POSITION, reason, now,
                               contract_id=contract_id, size=extra, target=down_to)]

    def _enforce_carried(self, account: AccountState, event, carried: Carried, now: int,
                         event_ns: int) -> list[Decision]:
        """Before the complete snapshot after a restart: a position event closes only what
        it adds beyond what the account held; a fill leaves it to its position event (risk's
        book may not hold the position the fill changes yet), or to fills_left() when the
        window ends first."""
        if isinstance(event, Fill):
            return []
        cid = event.contract_id
        locks = self.covering(account.account_id, symbol_of(cid))
        # the position as the broker has it, counting fills its Position has not shown yet
        # (a snapshot's Position behind its Trades: services/risk/coldahead.py)
        after = account.exposure(cid)
        added = carried.added(cid, after, event.ts_ns, _since(locks) if locks else None,
                              event.position_id)
        if not (locks and added):
            return []
        return [self._cut(account, locks[0], now, cid, added,
                          f"{symbol_of(cid)} position {grew(after, added)} "
                          f"{self.while_locked(locks[0])}", event_ns or now)]

    def guarded_again(self, account: AccountState, held: Carried, now: int) -> list[Decision]:
        """An admin enabled an account again while a lockout of it is in force: what it opened
        or grew while disabled is closed, and orders placed meanwhile are cancelled, as after a
        restart (services/risk/disabled.py; `held`: what it held as guarding stopped)."""
        out = []
        for cid in sorted(set(account.positions) | set(account.ahead)):
            locks = self.covering(account.account_id, symbol_of(cid))
            if not locks:
                continue
            pos = account.positions.get(cid)
            after = account.exposure(cid)
            added = held.added(cid, after, pos.opened_ns if pos else 0, _since(locks))
            if added:
                out.append(self._cut(account, locks[0], now, cid, added,
                                     f"{symbol_of(cid)} position {grew(after, added)} while the "
                                     f"account was disabled, {self.describe(locks[0])}", now))
        for order in list(account.orders.values()):
            locks = self.covering(account.account_id, symbol_of(order.contract_id))
            if locks and not _protects_position(account, order) \
                    and order.order_id not in account.riskd.orders \
                    and not held.had_order(order.order_id, order.created_ns, _since(locks)):
                out.append(self._decision(account, locks[0], now, CANCEL_ORDERS,
                                          f"order {order.order_id} placed while the account "
                                          f"was disabled, {self.describe(locks[0])}", now,
                                          contract_id=order.contract_id,
                                          order_id=order.order_id))
        return out

    def fills_left(self, account: AccountState, now: int) -> list[Decision]:
        """The end of the restart's window (market's complete snapshot): what a trade made
        while locked added, left in the window to its Position event, that no position shows
        yet. Its Position event comes after the window, its growth then explained by the
        fill: without this, neither of the two events of the fill would act. Only the
        trader's fills' growth: riskd's own fills are never cut (Pending.traders_lead)."""
        out = []
        for cid, pending in account.ahead.items():
            lead = pending.traders_lead(account.signed(cid))
            locks = self.covering(account.account_id, symbol_of(cid)) if lead else []
            # bought while locked: the trader's opening fill came after the lock started (the
            # latest fill may be riskd's close of a buy made before it)
            if locks and pending.trader_ts > _since(locks):
                out.append(self._cut(account, locks[0], now, cid, lead,
                                     f"{symbol_of(cid)} position grew by {lead} "
                                     f"{self.while_locked(locks[0])}", pending.fill_ts))
        return out

    @staticmethod
    def _decision(account, lock, now, action, reason, event_ns, **target) -> Decision:
        """lock: the lockout it acts for, the longest covering its scope (covering())."""
        return Decision(id="", ts_ns=now, rule=LOCKOUT_RULE, account_id=account.account_id,
                        action=action, mode=ENFORCE, reason=reason, event_ns=event_ns,
                        under=LockSpec(kind=lock.kind, until_ns=lock.until_ns,
                                       symbol=lock.symbol, clears_on=lock.clears_on),
                        under_rule=lock.rule, **target)


def _since(locks: list[LockoutState]) -> int:
    """When the earliest of the lockouts covering a scope started."""
    return min(lk.since_ns for lk in locks)


def _protects_position(account: AccountState, order: OrderUpdate) -> bool:
    """An order that can only reduce an open position (its stop, its target) is allowed."""
    p = account.positions.get(order.contract_id)
    if p is None:
        return False
    closing_side = 1 if p.side > 0 else 0
    return order.side == closing_side and order.size <= p.size


def _not_protecting(account: AccountState, order: OrderUpdate) -> str:
    """Why an order on the closing side of a held position is not the protection a lockout
    lets through (trial: a 'sell stop 2' for a long 1 was cancelled, and read as riskd
    cancelling the trader's stop): it is larger than the position, so it could open one."""
    p = account.positions.get(order.contract_id)
    if p is None or order.side != (1 if p.side > 0 else 0) or order.size <= p.size:
        return ""
    side = "sell" if order.side == 1 else "buy"
    return (f" ({side} {order.size} is larger than the {p.side_word} {p.size} it could protect, so it "
            f"could open a new position; an order no larger than the position is let through)")


def _by_fill(account: AccountState, fill: Fill) -> str:
    """What a fill made while locked did to its position, in a Position event's words: a buy
    from flat opened it (trial 2026-12-05: a buy from flat, its Trade first, read "MES
    position added to while ..."), one across zero flipped it, else it added to it."""
    after = account.exposure(fill.contract_id)
    before = after - (fill.size if fill.side == SIDE_BUY else -fill.size)
    if before == 0:
        return "opened"
    return "flipped" if before * after < 0 else "added to"


def grew(after: int, added: int) -> str:
    """What a position now `after` (signed) did when `added` contracts of it are new: 'opened
    long 1' when all of it is (fresh-user trial 2026-12-06: a position opened from flat while
    the account was disabled read "grew by 1"), else 'grew by 2'."""
    if after and added >= abs(after):
        return f"opened {'long' if after > 0 else 'short'} {abs(after)}"
    return f"grew by {added}"


def _added(n: int, held_before: bool) -> str:
    """The reduce's words (trial 2026-12-05: "the 1 added go" read as a sentence cut off).
    held_before: the position was open when the lock started (its broker opening time is
    before the lock); only then is "the rest held before the lock stays" true (fresh-user
    trial 2026-12-06: said of an account that was flat before the lock, whose rest was opened
    while locked too and is closed by the close of its opening)."""
    words = f"the {n} contract{'s' if n != 1 else ''} added {'are' if n != 1 else 'is'} closed"
    return words + (", the rest held before the lock stays" if held_before else "")
