"""Who acted and what was done, in words: the `by` and `what` of every decision record.

The same sentence drives the history, the alert and the screen. In alert mode it says what
would have been done ("would have flattened 2 positions and cancelled 1 order"; with nothing
held, "would have locked the account (timer) until ...; nothing held to flatten"); a command
not sent says why instead of its plan (not_sent). A self-lockout's
answer (self_lock_answer) says until when the account really stays locked: a longer lockout
already in force is not shortened by a shorter one.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Optional

from services.risk.state import AccountState, symbol_of
from shared import showtime
from shared.messages.market import ORDER_MARKET
from shared.messages.risk import (ACTION_NONE, CANCEL_ORDERS, CLOSE_POSITION, FLATTEN,
                                  FLATTEN_NOTHING_SEEN, LEFT_TO_ONE_IN_FLIGHT, LOCKED_ALREADY, MODIFY_STOP,
                                  REDUCE_POSITION, Decision, LockoutState)
from shared.lockwords import (ADMIN_LOCKOUT, ASKED_LOCKOUTS, BY_ADMIN,  # noqa: F401
                              FOREVER, NEVER_SHORTENED, SELF_LOCKOUT, SYMBOL_BLOCKS,
                              end_words, kind_words, lock_end_words, outlasting)    # FOREVER: lockouts.py's
from shared.outcomewords import who_acted
from shared.retrying import KILL_SWITCH
from shared.plural import plural

LOCKOUT_RULE = "lockout"
# a self-lockout recorded with no flatten (riskd before 2026-12-06 sent none when its book
# showed nothing open; now it always sends one): its history row still reads so
NOTHING_OPEN = "nothing to flatten: no position or working order open"
# alert mode's flatten of an account that holds nothing (fresh-user trial 18b: "would have
# flattened 0 positions and cancelled 0 orders"): it comes after what would have been locked
NOTHING_HELD = "nothing held to flatten"
ADMIN = KILL_SWITCH        # the rule of risk's record of the admin's kill switch: its one name


def who(rule: str) -> str:
    """Who acted, in the words every screen shows (shared/outcomewords.py)."""
    return who_acted(rule)


def log_line(d: Decision) -> str:
    """A decision's record in riskd's log: "enforce flatten on account 1001: <rule's reason>";
    the admin's kill switch says it is one, by whom and why ("admin flatten by admin:root on
    account 1001, reason: end of desk"), not a rule's enforcement (trial 13b)."""
    tail = f" [not acted on: {d.suppressed}]" if d.suppressed else ""
    if d.rule == ADMIN:
        return f"admin {d.action} by {d.by or ADMIN} on account {d.account_id}, " \
               f"reason: {d.reason}{tail}"
    return f"{d.mode} {d.action} on account {d.account_id}: {d.reason}{tail}"


def _orders_on(acct: Optional[AccountState], contract_id: Optional[str]) -> int:
    if acct is None:
        return 0
    # a market order never rests: one working now is a close on its way (riskd's own, or the
    # trader's), not an order a flatten cancels (enforcement leaves them alone too)
    return sum(1 for o in acct.orders.values()
               if o.type != ORDER_MARKET and o.order_id not in acct.riskd.orders
               and (contract_id is None or o.contract_id == contract_id))


def _open_positions(acct: Optional[AccountState]) -> int:
    if acct is None:
        return 0
    return sum(1 for p in acct.positions.values() if acct.live_size(p) > 0)


def what(d: Decision, acct: Optional[AccountState], alert: bool) -> str:
    """What the decision does (enforce) or would have done (alert), as one sentence."""
    sym = symbol_of(d.contract_id) if d.contract_id else ""
    # no "cancel 0 orders" (trial23b section 7: `accounts enable` asked whether riskd should
    # "close the MNQ position, cancel 0 orders on it"): what there is, only
    if d.action == FLATTEN:
        pos, orders = _open_positions(acct), _orders_on(acct, None)
        positions, cancels = plural(pos, 'position'), plural(orders, 'order')
        if alert:
            text = " and ".join(([f"would have flattened {positions}"] if pos else [])
                                + ([f"{'cancelled' if pos else 'would have cancelled'} "
                                    f"{cancels}"] if orders else []))
            # none held: "" (said after the lockout: "...; nothing held to flatten")
        elif pos or orders:
            text = "flatten: " + ", ".join(([f"close {positions}"] if pos else [])
                                           + ([f"cancel {cancels}"] if orders else []))
        else:
            text = FLATTEN_NOTHING_SEEN     # notify reads it: "nothing open as riskd sees it"
    elif d.action == CLOSE_POSITION:
        orders = _orders_on(acct, d.contract_id)
        cancels = plural(orders, 'order')
        text = (f"would have closed the {sym} position"
                + (f" and cancelled {cancels}" if orders else "")
                if alert else f"close the {sym} position"
                + (f", cancel {cancels} on it" if orders else ""))
    elif d.action == REDUCE_POSITION:
        text = f"{'would have reduced' if alert else 'reduce'} {sym} by {d.size}"
    elif d.action == CANCEL_ORDERS:
        target = f"order {d.order_id}" if d.order_id else f"the orders on {sym or 'the account'}"
        text = f"{'would have cancelled' if alert else 'cancel'} {target}"
    elif d.action == MODIFY_STOP:
        text = (f"{'would have moved' if alert else 'move'} the stop of order {d.order_id} "
                f"to {d.stop_price}")
    elif d.action == ACTION_NONE and d.rule in ASKED_LOCKOUTS:
        text = NOTHING_OPEN
    elif d.action == ACTION_NONE:
        text = ""
    else:
        text = d.action
    if d.lock is not None:
        scope = f"{d.lock.symbol} on the account" if d.lock.symbol else "the account"
        kind = lock_kind_text(d.lock.kind, d.rule)
        lock = f"lock {scope}{kind}"
        text = f"{text}; " if text else ""
        text += f"would have locked {scope}{kind}" if alert else lock
    if alert and d.action == FLATTEN and not text.startswith("would have flattened"):
        text = f"{text}; {NOTHING_HELD}" if text else NOTHING_HELD
    return text or "record only"


def lock_kind_text(kind: str, rule: str = "") -> str:
    """' until the roll', ' (timer)': a lockout's kind after 'lock the account' in words
    (shared/lockwords.py), never its code ('(until_reset)'); who locked is the line's BY. The
    trader's own lockout is ' (self-lockout)' whatever its kind (trial25c F6: `riskctl lockout
    --until 30m` read "lock the account (timer)")."""
    words, own = kind_words(kind), kind_words(kind, rule)
    if words.startswith("until"):
        return f" {words}" + (f" ({own})" if own != words else "")
    return f" ({own})"


_COMMAND_ID = re.compile(r" \((([^()\s]+)\.\d+)\)$")    # " (d42.1)": command d42.1 of d42


def command_in(why: str) -> Optional[str]:
    """The command id a reason for not sending ends with ("... in flight (d42.1)"), if any."""
    m = _COMMAND_ID.search(why)
    return m.group(1) if m else None


def not_sent(d: Decision, rule: str = "") -> str:
    """The what of an enforce decision whose command was not sent (d.suppressed says why), so
    history never shows a plan as if it ran: "flatten not sent: already in flight, by decision
    d42 (daily_net_loss); lock the account (timer)" (rule: whose command that is, when
    known; the lockout part stays: that was taken)."""
    if d.action == ACTION_NONE or not d.suppressed:
        return d.what
    whose = f" ({rule})" if rule else ""
    why = _COMMAND_ID.sub(lambda m: f", by decision {m.group(2)}{whose}", d.suppressed)
    why = why.replace("the same action is in flight", "already in flight")
    _plan, sep, lock = d.what.partition("; lock ")
    if d.suppressed.startswith(LEFT_TO_ONE_IN_FLIGHT):
        # lockout enforcement's cut that the cut in flight takes with it: its plan, done by
        # that one, no second close ("reduce MNQ by 2: left to riskd's cut in flight, which
        # cuts MNQ down to 5, by decision d42 (max_contracts)")
        return f"{_plan}: {why}"
    if d.suppressed.startswith(LOCKED_ALREADY):
        # the lockout in force holds: this decision's own lock added nothing (trial
        # 2026-12-05: "flatten not sent: locked already ...; lock the account until the roll"
        # beside an alert saying that lock adds nothing)
        return f"{d.action} not sent: {why}"
    return f"{d.action} not sent: {why}" + (f"; lock {lock}" if sep else "")




# a flatten sent with nothing open in risk's book (it checks the broker all the same)
NOTHING_IN_THE_BOOK = "flatten sent: " + FLATTEN_NOTHING_SEEN[len("flatten: "):]


def sent_words(d: Decision, waits: str = "") -> str:
    """What a self-lockout's answer says was done: a flatten sent is on its way, not done
    (fresh-user trial: "locked until ...; flatten: close 1 position, cancel 0 orders" with the
    market closed read as if the account were flat, while the close waited for the open):
    "flatten sent: close 1 position; `riskctl history` shows when it is
    done", and, when risk knows the market is closed (waits: marketwait.closed_words), that
    it waits for the open. A flatten not sent says why (not_sent), nothing open says so."""
    done = d.what.split("; lock ")[0]
    if d.action != FLATTEN or d.suppressed or not done.startswith("flatten: "):
        return done
    done = "flatten sent: " + done[len("flatten: "):]
    if waits and done != NOTHING_IN_THE_BOOK:
        # nothing open in risk's book: the flatten only checks the broker; a wait for the
        # market's open (and what the lockout's end takes back) has nothing to wait for
        # (trial15c: a flat account's answer talked of the market-closed wait)
        done += f"; {waits}"
    return done + "; riskctl history shows when it is done"


def no_symbol_lockout(name: str, account_id: int, symbol: str, locks: list[LockoutState],
                      tz: dt.tzinfo, now: int) -> str:
    """The refusal of an unlock of a symbol the account has no lockout of (fresh-user trial:
    `riskctl unlock 1002 --symbol MNQ` on an account locked as a whole answered "account Demo 2
    (strict) MNQ is not locked", which was false: MNQ was locked by the account's lockout).
    locks: the account's lockouts in force; the account-wide one that ends last is named."""
    whole = [lk for lk in locks if lk.symbol is None]
    if not whole:
        return f"account {name} {symbol} is not locked"
    lk = max(whole, key=lambda lk: (lk.until_ns if lk.until_ns is not None else FOREVER,
                                    lk.since_ns))
    end = lk.until_ns if lk.until_ns is not None else FOREVER
    return (f"there is no {symbol} symbol lockout on account {name} to end: the account "
            f"itself is locked {_end_words(lk, end, tz, now)} by {who(lk.rule)}{kind_of(lk)}, "
            f"which locks {symbol} too; `riskctl unlock {account_id} --reason TEXT` ends that")


def no_rule_lockout(name: str, account_id: int, rule: str, symbol: Optional[str],
                    locks: list[LockoutState], tz: dt.tzinfo, now: int) -> str:
    """The refusal of an unlock of one rule's lockout that the account does not have: which
    lockouts it has, each with the rule that holds it, and how to end one of them (a timer
    another rule took over is held by that rule now: one lockout per scope and kind)."""
    held = sorted(locks, key=lambda lk: (lk.until_ns if lk.until_ns is not None else FOREVER,
                                         lk.since_ns), reverse=True)
    where = f" on {symbol}" if symbol else ""
    rows = "; ".join(
        f"{who(lk.rule)}{kind_of(lk)}{' on ' + lk.symbol if lk.symbol else ''} "
        f"{_end_words(lk, lk.until_ns if lk.until_ns is not None else FOREVER, tz, now)}"
        for lk in held)
    example = held[0].rule
    return (f"no lockout{where} of account {name} is held by {rule} to end; its lockouts: "
            f"{rows}. `riskctl unlock {account_id} --rule {example} --reason TEXT` ends "
            f"{example}'s only, `riskctl unlock {account_id} --reason TEXT` ends all of them")


def _end_words(lock: LockoutState, end_ns: int, tz: dt.tzinfo, now: int) -> str:
    if end_ns != FOREVER:
        return f"until {showtime.at(end_ns, tz, now)}"
    # a symbol_blocks one lasts while the list names it; the broker clears nothing (trial 15c)
    return lock_end_words(lock)     # the words `riskctl lockouts` uses


def kind_of(lock: LockoutState) -> str:
    """' (until the roll)' after who() names a rule's lockout; '' for the trader's own or an
    admin's, which who() names a self-lockout or an admin lockout already."""
    return "" if lock.rule in ASKED_LOCKOUTS else f" ({kind_words(lock.kind, lock.rule)})"


def self_lock_answer(d: Decision, locks: list[LockoutState], next_roll_ns: int,
                     tz: dt.tzinfo, now: int, asked_ns: Optional[int] = None,
                     waits: str = "") -> str:
    """The answer to a self-lockout (d: its decision; locks: the account's lockouts now; times
    in the display zone tz; asked_ns: the end asked for, None for the roll): until when the
    account is locked and, when an account-wide lockout in force ends later than the one
    asked for, that it stays locked until then, by what, and what was recorded. A request
    that changed nothing (d without a lock: one as long or longer was in force) says so.
    waits: why the flatten waits, when risk knows ('' when it does not: sent_words)."""
    asked = d.lock.until_ns if d.lock is not None and d.lock.until_ns else \
        asked_ns or next_roll_ns
    asked = showtime.up_to_second(asked)    # a lockout's end is its second (risk/lockouts.py)
    unchanged = d.lock is None
    done = sent_words(d, waits)
    longer = outlasting(locks, asked, next_roll_ns, same_too=unchanged)
    at = showtime.at(asked, tz, now)
    admin = d.rule == ADMIN_LOCKOUT
    if longer is None:
        return f"{BY_ADMIN if admin else 'locked'} until {at}; only an admin can end it " \
               f"early; {done}"
    end, lk = longer
    since = showtime.start(lk.since_ns, tz, now)
    head = (f"already locked: the account stays locked {_end_words(lk, end, tz, now)} by "
            f"{who(lk.rule)}{kind_of(lk)} since "
            f"{since}: {'later than' if end > asked else 'as late as'} the {at} asked for, "
            f"and {NEVER_SHORTENED}. ")
    if unchanged and d.action != ACTION_NONE and not d.suppressed:
        # its flatten was sent all the same (trial15c: "nothing was done (flatten sent ...)")
        return head + f"The lockout is unchanged; {done}."
    if unchanged:
        return head + f"Nothing changed and nothing was done ({done}); history keeps the request."
    return head + (f"Recorded in history: {'an admin lockout' if admin else 'a self-lockout'} "
                   f"until {at}, {done}")
