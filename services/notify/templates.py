"""Alerts and their texts: one builder per message type, short and readable on a phone (pure).

An Alert is what the notify worker queues: kind, severity (info < warning <
critical), a one-line title (also the line a digest shows) and a few detail
lines. BUILDERS maps each catalog message type to the function that turns it
into an Alert (or None when the message is not worth a notification). An alert of a kind
in LOG_ONLY goes to riskd's log only, never to a channel.
Broker disconnects need time to pass, so they have their own small state
machine (DisconnectWatch).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, Callable, Mapping, Optional
import attrs

from shared import (afterclosewords, guardwords, latewords, networds, roundslatency, shards, showtime,
                    tokenwords)
from shared.accountname import account_name, called, named
from shared.closefillwords import CLOSE_FILLS, fills_line
from shared.plural import plural
from shared.retrying import calls_made, told_by_risk
from shared.messages.control import ConfigChanged, WorkerEvent
from shared.messages.enforce import (DONE, FAILED, WITHDRAWN, CommandResult, closed_nothing,
                                     found_nothing_to_do)
from shared.messages.market import BrokerConnection
from shared.messages.notify import SEVERITIES, DailySummary, NotifyEvent
from shared.symbols import is_contract_id, ticker_of, tickers_in
from shared.exitwords import EXIT_PORT_TAKEN, exit_words, kill_words, where_why
from shared.porttaken import DOC as PORTS_DOC
from shared.lockwords import (ADDS_NOTHING, ADMIN_LOCKOUT, ASKED_LOCKOUTS, BY_ADMIN, EXTENDED_BY,
                              SELF_LOCKOUT, end_words, extends_words, listed_lock,
                              blocked_by_config_words, outlasted, unchanged_words)
from shared.lossagain import moved_only, moved_title
from shared.outcomewords import bought_while_locked, who_acted
from shared.pastwords import also_words, past_words
from shared.rulenumbers import (ASIDE, line_word, reading_text, spelled_out, warning_next,
                                warning_position, warning_said, reading_aside, window_of)
from shared.when import duration, gap
from shared.workerdown import CRASHED, FLAPPING, down_kind
from shared.messages.risk import (ACTION_NONE, ALERT, CANCEL_ORDERS, CLOSE_POSITION, FLATTEN,
                                  LISTED_AGAIN,
                                  FLATTEN_NOTHING_SEEN, REDUCE_POSITION,
                                  LOCKED_ALREADY, TIMER, Decision,
                                  LockoutChange,
                                  PastLimit, RuleWarning, command_key, same_end,
                                  same_end_now)

INFO, WARNING, CRITICAL = SEVERITIES
RANK = {s: i for i, s in enumerate(SEVERITIES)}
# A command that found nothing to do (a flatten of an account already flat, a close of a
# contract already flat, a cancel of an order already gone): no news for the trader, who would
# read "✅ Done ... was already flat" as noise. Logged like every alert, never sent to a
# channel (docs/alerts.md, What is sent); risk's history keeps it too.
NOTHING_TO_DO = "action_nothing_to_do"
# a close that found its contract flat but cancelled orders left working there (CommandResult
# .closed_nothing): sent, with a title that claims no close (trial22a F3)
CANCELLED_NOTHING_CLOSED = "action_cancelled_nothing_closed"
# a reduce none of whose cuts was carried out (the broker answered it with HTTP 500) whose
# position other orders closed meanwhile (CommandResult.closed_nothing): sent, with a title
# that claims no cut and no cancel (check25 item 3: "✅ Done ... MNQ was closed")
REDUCE_FOUND_CLOSED = "action_reduce_found_closed"
# A rule's close or reduce sent beside lockout enforcement's close of all of the contract
# (Decision.beside), and its Done: the lockout closes the whole position, and its own alert
# and Done say so; "⚠️ Breach max_contracts ... reduce MNQ by 1" beside it added nothing
# (trial15c finding 10: 4 alerts per buy on a locked account). Logged; history keeps them.
BESIDE_LOCKOUTS_CLOSE = "breach_beside_lockout_close"
DONE_BESIDE_LOCKOUTS_CLOSE = "action_done_beside_lockout_close"
# riskd's cancel of the orders its late close left working (services/risk/latecarried.py):
# the "⚠️ Close taken as riskd's late close" alert names them and says riskd cancels
# them; its "✅ Done" says it was done. Its decision is logged, and in history
LATE_CLOSE_CANCEL = "late_close_cancel"
# ... and that cancel's "✅ Done": the late close's alert already named the orders and said riskd
# cancels them (trial23c F8: one late close, three alerts naming the same stop); a cancel that
# fails is still told (risk's retries), and history keeps the Done
LATE_CLOSE_CANCEL_DONE = "action_done_late_close_cancel"
# A command whose breach alert said riskd closes (risk's book showed a position) that found
# the broker flat, nothing to do: sent, saying so (trial22c/small22c: "flatten every position",
# then "nothing to do" logged only; the phone never heard that nothing was closed)
FOUND_FLAT = "action_found_flat"
# A symbol the config lists in symbol_blocks, nothing traded in it: one info line, no breach
# (trial25a N6); the same list taking it again (a reload after an unlock) is logged only
SYMBOL_LISTED = "symbol_listed"
SYMBOL_LISTED_AGAIN = "symbol_listed_again"
LOG_ONLY = frozenset({NOTHING_TO_DO, BESIDE_LOCKOUTS_CLOSE, DONE_BESIDE_LOCKOUTS_CLOSE,
                      LATE_CLOSE_CANCEL, LATE_CLOSE_CANCEL_DONE, SYMBOL_LISTED_AGAIN})


@attrs.frozen(kw_only=True)
class Alert:
    kind: str
    severity: str
    title: str
    lines: tuple[str, ...] = ()
    account: str = ""
    ts_ns: int = 0
    account_id: Optional[int] = None    # the account it is about (None: a system alert, for all)
    chats: Optional[tuple[str, ...]] = None   # only these Telegram chats (None: by account_id)
    # the account each line is about (None: every chat's line); empty: not split per chat
    line_accounts: tuple[Optional[int], ...] = ()

    @property
    def text(self) -> str:
        return "\n".join((self.title, *self.lines))


@attrs.frozen(kw_only=True)
class Context:
    """What templates need besides the message: account labels and the trader's time zone."""
    tz: dt.tzinfo = dt.timezone.utc
    accounts: dict[int, str] = attrs.Factory(dict)     # account id -> display label
    # account id -> the broker's name, as risk's records carried it (Decision.account_name):
    # an account the config does not list, or names by its id alone, is named by it
    broker: Mapping[int, str] = attrs.Factory(dict)
    # enforcement not running since (the supervisor's worker events, services/notify/running.py);
    # None: it runs (or nothing was heard of it)
    enforcement_down_ns: Optional[int] = None
    # command id -> since when enforcement was not running, for the actions whose breach alert
    # said they wait for it: their "Done" says it came once enforcement was back
    waited: Mapping[str, int] = attrs.Factory(dict)
    # command ids enforcement accepted (its 'accepted' result): their actions were sent and
    # under way before any down of enforcement, so they wait for nothing (trial18c: a kill -9
    # in a held close, then "NOT done yet, enforcement is not running ... risk sends the
    # action when enforcement is back" for a close already at the broker)
    accepted: Mapping[str, int] = attrs.Factory(dict)
    # command id -> its decision's time, for the actions enforcement kept pending because the
    # market was closed (risk's "⏳ Waiting" said so): their "Done" says they were done late
    market_waited: Mapping[str, int] = attrs.Factory(dict)
    # the lockouts in force as notify heard them (lockout id -> LockoutState): "🔒 Lockout
    # enforced" says until when the account is locked (services/notify/app.py keeps them)
    locks: Mapping[str, Any] = attrs.Factory(dict)
    # command id -> the sizes of lockout enforcement's cuts of contracts bought while locked
    # that this command, riskd's cut in flight, took with it (None: a close's, all of it):
    # its "✅ Done" says how many it closed were bought while locked, as history does
    left_to: Mapping[str, tuple] = attrs.Factory(dict)
    # lockout enforcement's own cuts: command id -> the size it was asked (None: a close)
    own_cuts: Mapping[str, Optional[int]] = attrs.Factory(dict)
    # rules' commands sent beside lockout enforcement's close of all of their contract
    # (Decision.beside): their Done is logged only (BESIDE_LOCKOUTS_CLOSE)
    beside: frozenset = frozenset()
    # the workers that are the broker riskd watches (the sim's simbroker): while one is down
    # the accounts are not guarded (shared/guardwords.broker_workers)
    broker_workers: tuple = ()
    # command ids whose breach alert, sent to the phone, said riskd closes (flatten every
    # position, close MNQ, reduce): their outcome is sent even when it found nothing to do
    # (FOUND_FLAT), never left at that alert's words
    claimed: frozenset = frozenset()
    # command id -> risk's note of what its orders filled (shared/closefillwords.py): its
    # "✅ Done" says it ("filled: closed MNQ +2 at 21000.25, PnL -7.75, fees 1.48")
    fills: Mapping[str, str] = attrs.Factory(dict)

    def account(self, account_id: int) -> str:
        """The account's bare name (its label): for matching what a person typed; shown only
        through called()): the config's label, else the broker's name, else the id
        (shared/accountname.named)."""
        label = self.accounts.get(account_id)
        return named({str(account_id): label} if label else {}, account_id,
                     self.broker.get(account_id, ""))

    def called(self, account_id: int) -> str:
        """The account as riskd names it in titles and bodies alike, 'Demo 1 (id 1001)'
        (shared/accountname.called: risk and enforcement name it the same way in the lines
        they write)."""
        return called(self.account(account_id), account_id)

    def at(self, ts_ns: int, now_ns: int, seconds: Optional[bool] = None) -> str:
        """A time in the display zone, with its day (its date too more than 6 days from now_ns)
        and its seconds as shared/showtime.py shows them (an end never earlier than it is)."""
        return showtime.at(ts_ns, self.tz, now_ns, seconds)

    def since(self, ts_ns: int, now_ns: int) -> str:
        """A moment that happened (cut to its second, shared/showtime.start)."""
        return showtime.start(ts_ns, self.tz, now_ns)


def context_for(config: Any, broker: Optional[Mapping[int, str]] = None) -> Context:
    """broker: the broker's names notify heard (kept by the worker, shared with this context)."""
    labels = {a.id: account_name(config.accounts, a.id) for a in config.accounts
              if a.id is not None}
    return Context(tz=showtime.zone_of(config), accounts=labels,
                   broker=broker if broker is not None else {},
                   broker_workers=guardwords.broker_workers(config.broker.kind))


def severity_at_least(severity: str, minimum: str) -> bool:
    return RANK.get(severity, RANK[CRITICAL]) >= RANK.get(minimum, 0)


def money(value: Optional[Decimal]) -> str:
    if value is None:
        return "?"
    return f"{value:+,.2f}" if isinstance(value, Decimal) else str(value)


def reading(rule: str, value: Optional[Decimal], limit: Optional[Decimal]) -> str:
    """'value -520.00 vs limit -500.00' for money; 'value 9 vs limit 5' for contracts/trades,
    each number as every screen and reason shows it (shared/rulenumbers.py reading_text: no
    '+48,060.29' here beside the reason's '48,060.29', trial 2026-12-05)."""
    def one(v):
        return "?" if v is None else reading_text(rule, v)
    return f"value {one(value)} vs {line_word(rule)} {one(limit)}"


_ACTION_WORDS = {"flatten": "flatten every position and cancel orders",
                 "close_position": "close the position", "reduce_position": "reduce the position",
                 "cancel_orders": "cancel working orders", "modify_stop": "move the stop",
                 "none": "record only"}


# a rule that locks and flattens nothing (a cooldown with flatten = false): alone, the
# positions stay; in a step where another action closes (services/notify/steps.py), that rule
# only adds no flatten of its own (trial15a: "action: lock the account (positions stay)" in
# the alert whose lockout enforcement closed the position)
LOCK_ONLY = "lock the account (positions stay)"
LOCK_ONLY_BESIDE_A_CLOSE = "lock the account (no flatten of its own)"
# a flatten of an account risk's book shows flat (Decision.what FLATTEN_NOTHING_SEEN)
# (no "✅ Done" in it: a breach alert that quoted the Done title read as the Done itself, to
# a reader scanning titles and to the integration tests' title filter)
NOTHING_SEEN = ("nothing open to flatten as riskd sees it (the broker is checked too: if "
                "anything there is closed or cancelled, a Done alert says so)")


def _lock_words(kind: str, until_ns: Optional[int], ctx: Context, now_ns: int,
                clears_on: str = "", symbol: Optional[str] = "") -> str:
    if until_ns:
        return f"until {ctx.at(until_ns, now_ns)}"
    return end_words(kind, clears_on, symbol)     # one mapping of kinds to words: shared/lockwords


# -- one builder per message type ------------------------------------------------------------

def waits(d: Decision, ctx: Context) -> bool:
    """Does the decision's action wait for an enforcement that is not running (risk keeps the
    command and sends it when enforcement is back: shared/actedby.py WAITS)?"""
    return (ctx.enforcement_down_ns is not None and d.mode != ALERT and not d.suppressed
            and d.action != ACTION_NONE and command_key(d) not in ctx.accepted)


def enforcement_down_words(ctx: Context, now_ns: int) -> str:
    """'enforcement is not running (since Sat 12:01:05 CST)'; without the time when it stopped
    before notify started (services/notify/running.py UNKNOWN_SINCE: 0)."""
    return "enforcement is not running" + _since(ctx, ctx.enforcement_down_ns, now_ns)


def _since(ctx: Context, since_ns: Optional[int], now_ns: int) -> str:
    return f" (since {ctx.since(since_ns, now_ns)})" if since_ns else ""


ACT_YOURSELF = "act on your broker's platform if needed"
NOT_DONE = "NOT done yet, enforcement is not running"


# who acted when it was not a rule's limit: the title says so, with no reading of a limit
_NOT_A_BREACH = {SELF_LOCKOUT: "🔒 Self-lockout", ADMIN_LOCKOUT: f"🔒 {BY_ADMIN.capitalize()}",
                 "admin": "🛠 Admin flatten", "lockout": "🔒 Lockout enforced"}
# ... and the alert's kind (its log record: "alert admin_flatten (warning), ..."), never
# "breach": trial 13b, the admin's own `riskctl flatten` was logged as `alert breach (warning)`
NOT_A_BREACH_KINDS = {SELF_LOCKOUT: "self_lockout", ADMIN_LOCKOUT: "admin_lockout",
                      "admin": "admin_flatten", "lockout": "lockout_enforced"}
BREACH = "breach"
# the cooldown trade_frequency_limit starts: said once, in the alert that starts it (trial24a
# F4: a trader who sold 1 of 2 to cut risk during the hour's cooldown learned only then, from
# its extension by 30 minutes, that exits count too)
TRADE_FREQUENCY = "trade_frequency_limit"
EXITS_COUNT = ("every trade while locked counts, your sells and closes too: one that reaches "
               "the limit again extends the cooldown")
# a losing fill after the one that started cooldown_after_loss's cooldown, which only moves
# its end (shared/lossagain.py): one line, not a second breach (trial24a F2)
COOLDOWN_MOVED = "cooldown_moved"


# what acted, in a list of a step's breaches, when it was not a rule's limit (risk's words for
# who acted: "lockout enforcement"); trial 2026-12-06: "⚠️ 2 breaches on : lockout, ..."
_ACTED = {SELF_LOCKOUT: "self-lockout", ADMIN_LOCKOUT: "admin lockout",
          "admin": "admin flatten", "lockout": "lockout enforcement"}


def breaches_title(account: str, rules: list[str]) -> str:
    """'⚠️ 1 breach on Demo Two: trade_frequency_limit, with lockout enforcement': the rules
    past a limit, counted, then what acted without a limit of its own (never a breach)."""
    limits = list(dict.fromkeys(r for r in rules if r not in _ACTED))
    acted = ", ".join(dict.fromkeys(_ACTED[r] for r in rules if r in _ACTED))
    if not limits:
        return f"⚠️ {acted} on {account}"
    title = f"⚠️ {plural(len(limits), 'breach', 'breaches')} on {account}: {', '.join(limits)}"
    return f"{title}, with {acted}" if acted else title


def _plain(suppressed: str) -> str:
    """Why nothing was sent, for a phone: without riskd's internal command ids."""
    return re.sub(r" \([0-9a-f]{8,}\.\d+\)", "", suppressed).replace(
        "is in flight", "is already under way")


def listing(msg: Any) -> bool:
    """A message of symbol_blocks' lock of a symbol the config lists, nothing traded in it:
    its record (shared/lockwords.listed_lock) or its lockout (LockoutChange.listed)."""
    if isinstance(msg, Decision):
        return listed_lock(msg)
    return isinstance(msg, LockoutChange) and bool(msg.listed) and msg.change != "cleared"


def listed_alert(msgs: list, ctx: Context) -> Alert:
    """The one info line of the symbols a step's listing messages lock: "🚫 CL is blocked on
    Demo 1 (id 1001) by the config: a trade in CL is closed" (docs/alerts.md); logged only
    when they are all the same list taking a symbol again (no record, LISTED_AGAIN)."""
    first = msgs[0]
    aid = first.account_id if isinstance(first, Decision) else first.lockout.account_id
    symbols = list(dict.fromkeys(m.lock.symbol if isinstance(m, Decision) else m.lockout.symbol
                                 for m in msgs))
    again = all(isinstance(m, LockoutChange) and m.listed == LISTED_AGAIN for m in msgs)
    account = ctx.called(aid)
    return Alert(kind=SYMBOL_LISTED_AGAIN if again else SYMBOL_LISTED, severity=INFO,
                 title=f"🚫 {blocked_by_config_words(symbols, account)}", lines=(),
                 account=account,
                 account_id=aid, ts_ns=first.ts_ns)


def decision_alert(d: Decision, ctx: Context) -> Optional[Alert]:
    account = ctx.called(d.account_id)
    if listed_lock(d):                  # the config's block of a symbol: no breach
        return listed_alert([d], ctx)
    if d.rule == latewords.LATE_CLOSE:      # the late close's own alert says it (LOG_ONLY)
        return Alert(kind=LATE_CLOSE_CANCEL, severity=INFO,
                     title=f"riskd cancels the orders its late close left working on {account}",
                     lines=(d.reason,), account=account, account_id=d.account_id,
                     ts_ns=d.ts_ns)
    if moved_only(d):
        return moved_alert(d, ctx, account)
    verb = _ACTION_WORDS.get(d.action, d.action)
    if d.action == "none" and d.rule in ASKED_LOCKOUTS:
        # an account with nothing open is only locked: no flatten is claimed (risk's words)
        verb = "; ".join(x for x in ("lock the account" if d.lock is not None else "",
                                     d.what.split("; lock ")[0]) if x) or "lock the account"
    elif d.action == "none" and d.lock is not None and d.lock.symbol:
        # a symbol lockout (symbol_blocks lists it): only that symbol, never the account
        # (trial 15c: "action: lock the account (positions stay)" with only MES locked)
        verb = f"lock {d.lock.symbol}"
    elif d.action == "none" and d.lock is not None:
        verb = LOCK_ONLY
    elif d.action == FLATTEN and d.what.split("; lock ")[0] == FLATTEN_NOTHING_SEEN:
        # sent all the same (the broker is read), and its "nothing to do" is logged only: the
        # one alert says it found nothing (task 22c-4: "flatten every position" on a flat
        # account, then "nothing to do")
        verb = NOTHING_SEEN
    heading = _NOT_A_BREACH.get(d.rule)
    if heading and d.rule == "admin" and d.by:          # which admin (trial 2026-12-06)
        heading += f" by {d.by}"
    elif heading and d.rule == ADMIN_LOCKOUT and d.by:  # "Locked by the admin (admin:root)"
        heading += f" ({d.by})"
    on = account        # the title's "on NAME" ('' when the heading says it already)
    if heading and d.rule == "lockout":                  # until when (trial 2026-12-06)
        held = _locked_until(d, ctx)
        if held:
            heading = f"{heading} on {account}: {held}"
            on = ""     # the alert still names its account (account_name, a step's title)
    # drawdown_guard's figure is its words (shared/rulenumbers.py SPELLED_OUT), first and
    # alone: "value 47,775.11 vs limit 48,100.00" beside them read as room left past the line
    said = spelled_out(d.rule, d.reason)
    lines = [said] if said else [] if d.value is None and d.limit is None else \
        [reading(d.rule, d.value, d.limit)]
    if d.suppressed:
        # a breach in the same second as the rule's lockout running says "no new action" and
        # why itself (trial23a finding 3: "nothing sent: ..." asked sent to whom)
        lines.append(_plain(same_end_now(d.suppressed)) if same_end(d.suppressed)
                     else f"nothing sent: {_plain(d.suppressed)}")
    elif d.mode == ALERT:
        lines.append(f"alert only: {d.what}" if d.what else f"alert only, would {verb}")
    elif waits(d, ctx):
        lines.append(f"action waiting: {verb}" + (f" {d.contract_id}" if d.contract_id else ""))
        lines.append(f"{enforcement_down_words(ctx, d.ts_ns)}: risk sends the action when "
                     f"enforcement is back; {ACT_YOURSELF}")
    else:
        lines.append(f"action: {verb}" + (f" {d.contract_id}" if d.contract_id else ""))
    if d.lock is not None and (d.suppressed.startswith(LOCKED_ALREADY) or outlasted(d)):
        # its own lockout is within the one in force: its end is not the account's; when its
        # action went all the same (a flatten no lockout in force had made), until when the
        # account is locked, and by what (trial23c F5: "locked until 12:00:33" under
        # trade_frequency_limit's cooldown to 12:15:01)
        held = f": {_locked_until(d, ctx)}" if outlasted(d) else ""
        lines.append("its lockout (" + _lock_words(d.lock.kind, d.lock.until_ns, ctx, d.ts_ns,
                                                   d.lock.clears_on, d.lock.symbol)
                     + f") {ADDS_NOTHING}{held}")
    elif d.lock is not None:
        lines.append("locked " + _lock_words(d.lock.kind, d.lock.until_ns, ctx, d.ts_ns,
                                              d.lock.clears_on, d.lock.symbol))
        if d.rule == TRADE_FREQUENCY and d.lock.kind == TIMER and not d.suppressed:
            lines.append(EXITS_COUNT)
    elif d.rule in ASKED_LOCKOUTS and d.action != "none":
        # asked while a lockout as long or longer holds: its flatten goes, its lock changes
        # nothing (trial15c: the alert read as a new lockout, no word of the one in force);
        # what it asked and until when the account is locked, in history's words (trial16g)
        lines.append(_unchanged(d, ctx) if d.asked is not None else
                     "the account was already locked as long or longer: the lockout is "
                     "unchanged")
    if d.reason and not said:
        # the admin's --reason and the trader's, said as one (a bare "end of desk" read as a
        # rule's words; trial15c: the self-lockout's "tilted" bare beside the admin's "reason:
        # broke desk rules"); risk's own words when none was given stay as they are
        given = d.rule in ("admin", ADMIN_LOCKOUT, SELF_LOCKOUT) and not _default_reason(d)
        lines.append(f"reason: {d.reason}" if given else d.reason)
    title = (f"{heading} on {on}" if on else heading) if heading \
        else f"⚠️ Breach {d.rule} on {account}"
    if waits(d, ctx):
        title += f": {NOT_DONE}"
    kind = NOT_A_BREACH_KINDS.get(d.rule, BREACH)
    if d.beside:        # logged only: the lockout's close of all of it speaks for it
        kind = BESIDE_LOCKOUTS_CLOSE
        lines.append(f"{'behind' if d.suppressed else 'sent beside'} lockout enforcement's "
                     f"close of the whole position, whose alert is the one sent (logged only)")
    return Alert(kind=kind, severity=WARNING, title=title,
                 lines=tuple(lines), account=account, account_id=d.account_id,
                 ts_ns=d.ts_ns)


def moved_alert(d: Decision, ctx: Context, account: str, later: str = "") -> Alert:
    """The one line of moved_only(d): the cooldown's new end, (how much later), and why."""
    end = _lock_words(d.lock.kind, d.lock.until_ns, ctx, d.ts_ns, d.lock.clears_on,
                      d.lock.symbol).removeprefix("until ")
    return Alert(kind=COOLDOWN_MOVED, severity=INFO, title=moved_title(account, end, later),
                 lines=(d.reason,), account=account, account_id=d.account_id, ts_ns=d.ts_ns)


def _unchanged(d: Decision, ctx: Context) -> str:
    """'asked until Sun 16:29:51 CST; unchanged: already locked until Mon 17:00 CST
    (self-lockout)': history's note of the same request (shared/lockwords.unchanged_words)."""
    return unchanged_words(d, lambda ns: ctx.at(ns, d.ts_ns))


def _default_reason(d: Decision) -> bool:
    """Risk's own reason of a lockout asked with none (services/risk/acting.py self_lock)."""
    return d.reason == "locked by the trader" or d.reason.startswith(f"{BY_ADMIN} (")


def _locked_until(d: Decision, ctx: Context) -> str:
    """'locked until Sat 18:49:50 CST (self_lockout)': the lockout in force that a lockout's
    enforcement acted for, as risk named it (Decision.under: risk knows every lockout; notify
    only those it heard of: trial 2026-12-06, after a restart the phone read "locked until
    Sun 09:57:15 CST (trade_frequency_limit)" under an account locked until Mon 17:00 by
    daily_net_loss, a lockout taken before notify started); for a decision recorded without
    it, the longest covering the decision's scope that notify heard of ('' when none)."""
    if d.under is not None:
        return "locked " + _lock_words(d.under.kind, d.under.until_ns, ctx, d.ts_ns,
                                       d.under.clears_on, d.under.symbol) + f" ({d.under_rule})"
    cid = d.contract_id
    symbol = (ticker_of(cid) if is_contract_id(cid) else cid) if cid else None   # as risk keys it
    covering = [lk for lk in ctx.locks.values() if lk.account_id == d.account_id
                and (lk.symbol is None or lk.symbol == symbol)]
    if not covering:
        return ""
    # one without a time (until the roll, a session, an admin) outlasts a timed one here
    untimed = [lk for lk in covering if not lk.until_ns]
    lk = untimed[0] if untimed else max(covering, key=lambda x: x.until_ns)
    return "locked " + _lock_words(lk.kind, lk.until_ns, ctx, d.ts_ns, lk.clears_on,
                                   lk.symbol) + \
        f" ({lk.rule})"


def warning_alert(w: RuleWarning, ctx: Context) -> Optional[Alert]:
    account = ctx.called(w.account_id)
    if w.rule == latewords.LATE_CLOSE:  # a fill taken as riskd's late close (shared/latewords.py)
        title = latewords.overcut_title(account) if latewords.is_overcut(w.reason) \
            else latewords.title(account)
        return Alert(kind="late_close", severity=WARNING, title=title,
                     lines=(w.reason,), account=account, account_id=w.account_id,
                     ts_ns=w.ts_ns)
    if w.rule == afterclosewords.DURING:    # the trader's fill beside riskd's close: theirs
        return Alert(kind="traders_fill_during_riskd_close", severity=WARNING,
                     title=afterclosewords.during_title(account), lines=(w.reason,),
                     account=account, account_id=w.account_id, ts_ns=w.ts_ns)
    if w.rule == afterclosewords.OPENED_AFTER:    # the trader's fill after riskd's close
        return Alert(kind="opened_after_riskd_close", severity=WARNING,
                     title=afterclosewords.title(account), lines=(w.reason,), account=account,
                     account_id=w.account_id, ts_ns=w.ts_ns)
    if w.rule == CLOSE_FILLS:           # what riskd's close filled, after its Done
        return Alert(kind="action_filled", severity=INFO, title=f"✅ Filled on {account}",
                     lines=(w.reason,), account=account, account_id=w.account_id,
                     ts_ns=w.ts_ns)
    if w.value is None:                 # a note to check something, with no reading
        return Alert(kind="rule_warning", severity=INFO, title=f"🟡 {w.rule} on {account}",
                     lines=(w.reason,), account=account, account_id=w.account_id,
                     ts_ns=w.ts_ns)
    share = _share(w.value, w.limit)
    line = reading(w.rule, w.value, w.limit) + window_of(w.reason)
    said = warning_said(w.rule, w.reason)       # drawdown_guard: risk's share and words
    if said:
        share, line = said
    position = warning_position(w.rule, w.reason)
    if position:    # which position, as history says it: 'MNQ open PnL -161.00 vs limit ...'
        line = f"{position} vs {line_word(w.rule)} " \
               f"{'?' if w.limit is None else reading_text(w.rule, w.limit)}"
    # what the trade a count warns of does, in history's words (one function for both:
    # trial16g, the alert omitted "the next trade starts the cooldown", which history had)
    after = warning_next(w.rule, w.value, w.limit, w.reason)
    # a reading that counts (or leaves out) what riskd's close in flight may take says so,
    # and one given while the account is locked says why it matters (risk's asides, a line
    # each: services/risk/lockedwarn.py)
    asides = [a for a in reading_aside(w.reason).split(ASIDE) if a]
    lines = (line, *([after] if after else []), *asides)
    return Alert(kind="rule_warning", severity=INFO,
                 title=f"🟡 {w.rule} at {share or f'{w.warn_at:.0%}'} of its "
                       f"{line_word(w.rule)} on {account}",
                 # the window a count is in ('2 of 3 trades per minute': risk's reason)
                 lines=lines,
                 account=account, account_id=w.account_id, ts_ns=w.ts_ns)


def _share(value, limit) -> str:
    """'67%' of a reading against its limit ('' when it cannot be told)."""
    try:
        return f"{abs(Decimal(value) / Decimal(limit)):.0%}" if limit else ""
    except (ArithmeticError, TypeError, ValueError):
        return ""


def ended_by(by: str) -> str:
    """Who ended a lockout, for "ended by ...": 'the broker', 'the clock', 'admin:root'."""
    return f"the {by}" if by in ("broker", "clock", "roll") else by


def lockout_alert(c: LockoutChange, ctx: Context) -> Optional[Alert]:
    if listing(c):
        return listed_alert([c], ctx)
    lo = c.lockout
    account = ctx.called(lo.account_id)
    scope = f"{account} {lo.symbol}" if lo.symbol else account
    why = [x for x in (c.reason or lo.reason,) if x]
    until = _lock_words(lo.kind, lo.until_ns, ctx, c.ts_ns, lo.clears_on, lo.symbol)
    over = c.over
    held = ("locked " + _lock_words(over.kind, over.until_ns, ctx, c.ts_ns, over.clears_on,
                                    over.symbol)
            + f" ({over.rule})") if over is not None else ""
    if c.change == "cleared":
        # which lockout: an unlock of an account with several ends each with its own alert
        # (the same title twice told nothing); the rule, and what it was (timed, until reset...)
        title = (f"🔒 {lo.rule} ended on {scope}: still {held}" if over is not None
                 else f"🔓 Lockout ended: {scope}, rule {lo.rule}")
        past = [p for p in c.still_past if not p.symbol]
        listed = [p.symbol for p in c.still_past if p.symbol]
        if past:        # an unlock that the next trade undoes: said in the title
            title += (": ⚠️ the account is still past "
                      + ", ".join(dict.fromkeys(p.rule for p in past)))
        if listed:      # a symbol symbol_blocks still lists: its next trade locks it again
            title += f": ⚠️ {', '.join(listed)} still listed in symbol_blocks"
        return Alert(kind="lockout_end", severity=WARNING if c.still_past else INFO,
                     title=title,
                     lines=(f"was {until}, ended by {ended_by(c.by)}", *why,
                            *([also_words(c.also_rule, ctx.at(c.also_until_ns, c.ts_ns))]
                              if c.also_rule and c.also_until_ns else []),
                            *(past_line(p, ctx, c.ts_ns) for p in c.still_past)),
                     account=account, account_id=lo.account_id, ts_ns=c.ts_ns)
    if over is not None:
        # a lockout inside a longer one: its end is not the account's (trial: "until Mon 17:00"
        # then "until 03:32:43" 20 ms later, which a phone shows as the end)
        title = f"🔒 {scope} {held}; {lo.rule} also {until}"
    else:
        word = "extended" if c.change == "extended" else "started"
        title = f"🔒 Lockout {word}: {scope} {until}"
    return Alert(kind="lockout_start", severity=WARNING, title=title,
                 lines=(*extension_line(c, ctx), f"rule {lo.rule}, by {lo.by}", *why,
                        *unenforced(ctx, c.ts_ns)),
                 account=account,
                 account_id=lo.account_id, ts_ns=c.ts_ns)


def extension_line(c: LockoutChange, ctx: Context) -> tuple[str, ...]:
    """The line of a lockout extended (LockoutChange.was: the lockout before): 'extends the
    lockout in force since Sun 18:42:23 CST (tilt test) from Mon 17:00 CST to Tue 18:42:27 CST'
    (shared/lockwords.py extends_words); () for any other change."""
    was, lo = c.was, c.lockout
    if c.change != "extended" or was is None:
        return ()
    first = was.reason.split(EXTENDED_BY)[0]          # the reason it started with
    return (extends_words(ctx.since(was.since_ns, c.ts_ns),
                          _lock_words(was.kind, was.until_ns, ctx, c.ts_ns, was.clears_on,
                                      was.symbol).removeprefix("until "),
                          _lock_words(lo.kind, lo.until_ns, ctx, c.ts_ns, lo.clears_on,
                                      lo.symbol).removeprefix("until "),
                          was.rule, lo.rule, first),)


def unenforced(ctx: Context, now_ns: int) -> tuple[str, ...]:
    """The line a lockout alert adds while enforcement is not running: nothing closes what the
    account opens meanwhile."""
    if ctx.enforcement_down_ns is None:
        return ()
    return (f"{enforcement_down_words(ctx, now_ns)}: riskd cannot close what the account opens "
            f"until it is back; {ACT_YOURSELF}",)


def past_line(p: PastLimit, ctx: Context, now_ns: int) -> str:
    """A limit still past after an unlock, as risk's answer says it (services/risk/pastlimits.py)."""
    return past_words(p, ctx.at(p.until_ns, now_ns) if p.until_ns else "")


def claims_a_close(d: Decision) -> bool:
    """Does this decision's breach alert say riskd closes something (a flatten, close or
    reduce carried out, risk's book showing it open), so that the phone must hear what came
    of it, found flat included (FOUND_FLAT)?"""
    return (d.action in (FLATTEN, CLOSE_POSITION, REDUCE_POSITION) and d.mode != ALERT
            and not d.suppressed and not d.beside
            and d.what.split("; lock ")[0] != FLATTEN_NOTHING_SEEN)


def result_alert(r: CommandResult, ctx: Context, late: bool = False) -> Optional[Alert]:
    """late: an outcome read at notify's start-up catch-up (services/notify/catchup.py):
    risk's own alert of it went out while notify was down, so it is alerted here."""
    account = ctx.called(r.account_id)
    if not late and told_by_risk(r.status, r.action, r.rule, r.by, r.command_id):
        # risk says it (services/risk/retries.py): the action in words, whether and when it
        # tries again, one alert per failed action (not per try), the try a retry was done on
        return None
    if r.status == FAILED:
        return Alert(kind="enforcement_failed", severity=CRITICAL,
                     title=f"🚨 Enforcement FAILED on {account}: act now",
                     # the id once: the trader acts by hand, on the broker's platform
                     lines=(r.detail or "no detail",
                            f"account {account}, command {r.command_id}"
                            f", {calls_made(r)}"
                            + (" to the broker" if r.broker_calls else "")),
                     account=account, account_id=r.account_id, ts_ns=r.finished_ns)
    if r.status == WITHDRAWN:
        # risk took it back before it ran (services/risk/withdraw.py): one line, not "Done"
        # and not "FAILED": "↩️ Withdrawn on Demo 1: flatten (MNQ long 1) was not carried out:
        # the lockout ended (admin:root)"
        what = r.detail.removeprefix(f"{WITHDRAWN}: ") if r.detail else f"command {r.command_id}"
        return Alert(kind="action_withdrawn", severity=INFO,
                     title=f"↩️ Withdrawn on {account}: {what}", lines=(),
                     account=account, account_id=r.account_id, ts_ns=r.finished_ns)
    if found_nothing_to_do(r.status, r.first_answer_ns) and r.command_id in ctx.claimed:
        return Alert(kind=FOUND_FLAT, severity=INFO,
                     title=f"✅ Nothing to close on {account}: already flat at the broker",
                     lines=(answering(r) + (r.detail or f"command {r.command_id}"),),
                     account=account, account_id=r.account_id, ts_ns=r.finished_ns)
    if found_nothing_to_do(r.status, r.first_answer_ns):      # logged only: LOG_ONLY
        return Alert(kind=NOTHING_TO_DO, severity=INFO, title=f"Nothing to do on {account}",
                     lines=(answering(r) + (r.detail or f"command {r.command_id}"),),
                     account=account, account_id=r.account_id, ts_ns=r.finished_ns)
    if closed_nothing(r) and r.action == REDUCE_POSITION:
        # its cut was refused and the position was closed by other orders (the trader's
        # own sell): what closed it, never "✅ Done" nor "Orders cancelled"
        return Alert(kind=REDUCE_FOUND_CLOSED, severity=INFO,
                     title=f"✅ Nothing to reduce on {account}: its position was closed before "
                           f"riskd's cut",
                     lines=(answering(r) + (r.detail or f"command {r.command_id}"),),
                     account=account, account_id=r.account_id, ts_ns=r.finished_ns)
    if closed_nothing(r):
        # its close found the contract flat (the trader's own sell, a target, closed it) and it
        # cancelled the orders left working there: that cancel is what riskd did, said as such,
        # never "✅ Done" over a close it did not make (trial22a F3)
        return Alert(kind=DONE_BESIDE_LOCKOUTS_CLOSE if r.command_id in ctx.beside
                     else CANCELLED_NOTHING_CLOSED, severity=INFO,
                     title=f"✅ Orders cancelled on {account}: nothing to close",
                     lines=(answering(r) + (r.detail or f"command {r.command_id}"),),
                     account=account, account_id=r.account_id, ts_ns=r.finished_ns)
    if r.status == DONE:
        waited = ctx.waited.get(r.command_id)
        # the time known is enforcement's stop, not the action's: said as enforcement's
        # (trial17b: "the action that waited for enforcement (since Sun 17:42:02 CST)" for an
        # action decided at 17:42:05, 17:42:02 being when enforcement stopped)
        late = () if waited is None else (
            "the action that waited for enforcement"
            + (f" (not running since {ctx.since(waited, r.finished_ns)})" if waited else "")
            + ", done now that it is back",)
        decided = ctx.market_waited.get(r.command_id)
        if decided is not None:     # "⏳ Waiting ... for the market to open" came before it
            late = (*late, f"done late: {gap(max(0, r.finished_ns - decided) / 1e9)} after "
                           f"the decision, after the market opened")
        elif waited is None and roundslatency.done_late(r):
            # how late it came, as history says it (trial19b finding 8: "✅ Done ... ES ...
            # closed" for a close done 35 s after the decision)
            late = (roundslatency.done_late(r),)
        # "...: closed 6, 4 more than asked (...); 4 of the 6 closed were bought while locked
        # (lockout enforcement)", history's words (shared/outcomewords.py; trial13a)
        locked = bought_while_locked(r.status, r.detail, ctx.left_to.get(r.command_id, ()),
                                     own=r.command_id in ctx.own_cuts,
                                     own_size=ctx.own_cuts.get(r.command_id))
        filled = ctx.fills.get(r.command_id)
        if filled:
            late = (fills_line(filled), *late)
        kind = DONE_BESIDE_LOCKOUTS_CLOSE if r.command_id in ctx.beside \
            else LATE_CLOSE_CANCEL_DONE if r.rule == latewords.LATE_CLOSE \
            and r.action == CANCEL_ORDERS else "action_done"
        return Alert(kind=kind, severity=INFO,
                     title=f"✅ Done on {account}" + (": enforcement is back" if waited is not None
                                                      else ""),
                     lines=(answering(r) + (r.detail or f"command {r.command_id}")
                            + (f"; {locked}" if locked else ""), *late), account=account,
                     account_id=r.account_id,
                     ts_ns=r.finished_ns)
    return None        # accepted (in progress) and skipped (alert mode: the breach said it)


# an action in words, before who took it ("reduce by rule max_contracts: ...")
_DONE_ACTION = {"close_position": "close", "reduce_position": "reduce", "flatten": "flatten",
                "cancel_orders": "cancel", "modify_stop": "stop move"}


def answering(r: CommandResult) -> str:
    """'reduce by rule max_contracts: ', 'close by lockout enforcement: ': the action an
    outcome answers and who took it, as history's WHO names it (shared/outcomewords.who_acted),
    before its words. Trial16g finding 6: in a locked burst "✅ Done ... MNQ closed" and
    "Nothing to do ... MNQ was already flat" came together and named neither (history did:
    "rule max_contracts / nothing to do: MNQ was already flat"). '' when it names no rule."""
    who = who_acted(r.rule, r.by) if r.rule else ""
    if not who:
        return ""
    action = _DONE_ACTION.get(r.action, "")
    return f"{action} by {who}: " if action else f"by {who}: "


def worker_alert(e: WorkerEvent, ctx: Context) -> Optional[Alert]:
    """A worker crashed or is flapping (shared/workerdown.py: an operator's restart is neither);
    the supervisor says when it is back (services/supervisor/backalerts.py)."""
    kind = down_kind(e)
    if kind == FLAPPING:
        return flapping_alert(e, e.name in ctx.broker_workers)
    if kind == CRASHED and e.killed >= KILLED_AGAIN and guardwords.is_guard(e.name):
        return killed_again_alert(e)
    if kind == CRASHED and e.folded:    # the supervisor's "still crashing" speaks for it
        return None
    if kind == CRASHED:
        # the supervisor's own kill of a hung worker is said as such, not as a bare SIGKILL
        # (trial: "crashed: killed by signal 9 (SIGKILL)" after a `kill -STOP` of risk)
        how = kill_words(e.reason) if e.killed or e.reason.endswith(": hung") \
            else exit_words(e.exit_code)
        # the reason once: the supervisor's reason is often the exit in the same words (trial
        # 2026-12-06: "killed by signal 9 (SIGKILL)" in the title, then again as the line)
        said = e.reason if e.reason and e.reason.strip() not in how else ""
        # a guard worker or the sim broker riskd runs: the accounts are unguarded until it is
        # back (and market has reconnected), in one line for all of them (trial18b section 6:
        # the sim's crash said nothing of guarding; trial18c section 5: market's, risk's and
        # enforcement's said nothing either)
        unguarded = (guardwords.down_line(e.name),) \
            if guardwords.is_guard(e.name) or e.name in ctx.broker_workers else ()
        return Alert(kind="worker_crashed", severity=WARNING,
                     title=f"💥 Worker {e.name} crashed: {how}",
                     # enforcement's: riskd's commands it had in flight, resumed when it is
                     # back (services/supervisor/inflight.py; trial18c: a kill -9 in a held
                     # close said nothing of it)
                     lines=(said or "riskd restarts it", *unguarded,
                            *getattr(e, "in_flight", ())))
    return None


KILLED_AGAIN = 2     # a guard worker the supervisor killed this many times in a row: critical


def killed_again_alert(e: WorkerEvent) -> Alert:
    """A guard worker riskd's supervisor kills as hung again and again (each start gets no
    sign of life to it): the accounts are not guarded, as in a crash loop. Trial 15b: after a
    [bus] edit a restarted risk ran on the new address, the supervisor looked for it on the
    old one and killed it every 15 s; the only alert was a warning "crashed: killed by signal
    9 (SIGKILL)", saying neither that the accounts were unguarded nor who killed it."""
    base = shards.base_name(e.name)
    return Alert(kind="worker_killed_again", severity=CRITICAL,
                 title=f"🚨 Worker {e.name} killed by riskd's supervisor {e.killed} times in a "
                       f"row: accounts are NOT guarded until it runs again",
                 lines=(f"riskd's supervisor killed it as hung: {e.reason}; it starts it again "
                        f"and kills it again while no sign of life reaches it",
                        f"meanwhile {guardwords.meaning(e.name)}",
                        f"it may run but answer where riskd does not look (a [bus] address "
                        f"edited while riskd runs takes effect only when riskd restarts), or "
                        f"hang at start: `riskctl logs --process {base}` says which"))


def flapping_alert(e: WorkerEvent, broker: bool = False) -> Alert:
    """'🚨 Worker market is flapping: accounts are NOT guarded until it runs again', the crashes
    (the policy's reason, without its leading 'flapping: ') and what starts it now. Trial
    2026-12-06: "🚨 Worker market is flapping / flapping: 5 crashes within 60 s (...); next try
    in 120 s" said neither that the accounts were unguarded meanwhile nor how to start it."""
    why = e.reason.removeprefix(f"{FLAPPING}: ") if e.reason else ""
    why = why.replace("; next try in ", "; riskd tries again in ")
    title = f"🚨 Worker {e.name} is flapping"
    lines = [why] if why else []
    if guardwords.is_guard(e.name) or broker:      # broker: the sim broker riskd runs
        title += ": accounts are NOT guarded until it runs again"
        lines.append(f"meanwhile {guardwords.meaning(e.name) or guardwords.BROKER_MEANING}")
    logs = f"`riskctl logs --process {shards.base_name(e.name)}`"
    if e.exit_code == EXIT_PORT_TAKEN:      # a start cannot help: the port is held (trial 14b)
        # the supervisor's reason names what holds it when the machine tells (portcheck.
        # taken_words; trial 21b: a connection of riskd's own to itself, not another program)
        if " is held " in why:
            lines.append(f"its port is held as said above: starting it again cannot help while "
                         f"it is held; {logs} names the port and its setting; "
                         + ("give riskd ports below the OS's ephemeral range"
                            if "ephemeral" in why else "it is free once that connection ends")
                         + f": {PORTS_DOC}")
        else:
            lines.append(f"its port is taken (another riskd on this machine, or another "
                         f"program, holds it): starting it again cannot help; {logs} names "
                         f"the port and its setting; give this riskd its own ports: "
                         f"{PORTS_DOC}")
    else:
        lines.append(f"`riskctl start {e.name}` (ops) starts it now; "
                     f"{where_why(shards.base_name(e.name), (why,))}")
    return Alert(kind="worker_flapping", severity=CRITICAL, title=title, lines=tuple(lines))


def config_alert(c: ConfigChanged, ctx: Context) -> Optional[Alert]:
    if c.ok:
        return None
    problems = list(c.problems[:5]) + ([f"... and {len(c.problems) - 5} more"]
                                       if len(c.problems) > 5 else [])
    return Alert(kind="config_reload_failed", severity=WARNING,
                 title="🛠 Config reload failed, keeping the last good config",
                 lines=tuple(problems or [c.reason or c.path]))


def with_unguarded(s: DailySummary, unguarded_s: float) -> DailySummary:
    """The summary with the supervisor's unguarded time of that day (it applies to every account:
    a worker or the broker feed down leaves all of them unguarded)."""
    return attrs.evolve(s, accounts=[attrs.evolve(a, unguarded_s=max(a.unguarded_s, unguarded_s))
                                     for a in s.accounts])


# riskd's actions of a day, as the summary counts them (Decision.action -> one, many)
_ACTION_NOUNS = {CLOSE_POSITION: ("close", "closes"), REDUCE_POSITION: ("reduce", "reduces"),
                 FLATTEN: ("flatten", "flattens"), "cancel_orders": ("cancel", "cancels"),
                 "modify_stop": ("stop move", "stop moves")}


def day_words(a) -> str:
    """A day's breaches (which rules, how many times each), riskd's actions and its lockouts:
    "3 breaches (cooldown_after_loss 2, max_contracts 1), riskd's actions 2 (1 close,
    1 reduce), 2 lockouts" (trial24a F6: "0 breaches" on a day riskd locked the account)."""
    said = plural(a.breaches, "breach", "breaches")
    if a.rules:
        said += f" ({', '.join(f'{rule} {n}' for rule, n in a.rules.items())})"
    if a.actions:
        done = [plural(n, *_ACTION_NOUNS.get(k, (k, k))) for k, n in a.actions.items()]
        said += f", riskd's actions {sum(a.actions.values())} ({', '.join(done)})"
    if a.lockouts:
        said += f", {plural(a.lockouts, 'lockout')}"
    return said


def summary_alert(s: DailySummary, ctx: Context) -> Optional[Alert]:
    lines = []
    for a in s.accounts:
        line = (f"{called(a.account, a.account_id)}: realized PnL {money(a.pnl)} incl. fees, "
                f"{plural(a.trades, 'trade')}, {day_words(a)}")
        if a.unguarded_s >= 1:
            line += f", unguarded {duration(a.unguarded_s)}"
        lines.append(line)
    return Alert(kind="daily_summary", severity=INFO, title=f"📊 Daily summary {s.trading_day}",
                 lines=tuple(lines or ["no accounts"]))


def event_alert(e: NotifyEvent, ctx: Context) -> Optional[Alert]:
    severity = e.severity if e.severity in RANK else WARNING
    return Alert(kind=e.kind, severity=severity, title=e.title, lines=tuple(e.lines),
                 account=e.account, ts_ns=e.ts_ns, account_id=getattr(e, "account_id", None),
                 line_accounts=tuple(getattr(e, "line_accounts", ()) or ()))


BUILDERS: dict[type, Callable[[Any, Context], Optional[Alert]]] = {
    Decision: decision_alert,
    RuleWarning: warning_alert,
    LockoutChange: lockout_alert,
    CommandResult: result_alert,
    WorkerEvent: worker_alert,
    ConfigChanged: config_alert,
    DailySummary: summary_alert,
    NotifyEvent: event_alert,
}


def build(msg: Any, ctx: Context) -> Optional[Alert]:
    """The alert for a message, or None; contract ids become the tickers people trade (MNQ,
    never CON.F.US.MNQ.Z26) in every line."""
    builder = BUILDERS.get(type(msg))
    alert = builder(msg, ctx) if builder is not None else None
    return readable(alert) if alert is not None else None


def readable(alert: Alert) -> Alert:
    return attrs.evolve(alert, title=tickers_in(alert.title),
                        lines=tuple(tickers_in(line) for line in alert.lines))


class DisconnectWatch:
    """Broker hub down for longer than `after_s` -> one alert; back up -> 'reconnected'.

    observe() takes each BrokerConnection, tick() is called every second; both return the
    alerts due. Short blips (reconnected within after_s) produce nothing. The alert gives the
    newest reason market reported (not the first: 'the connection closed' says nothing once
    the broker refused riskd's token or login since), and a refused login has an alert of its
    own (broker_login_refused): riskd cannot repair it, a person must check the key.
    A reason "the broker is not reachable" said before riskd's own sim broker started again
    (worker) is stale: the alert says the broker is up again and market reconnects at its
    next try (trial20b section 8: "connection refused" 11 s after the sim was up).
    A hub that went down before riskd's sim broker came back is not alerted while market's
    next try may still reconnect it (networds.NEXT_TRY_CAP_S after the sim's start, the "at
    the latest" the sim's worker_back alert gives): the cause is over, and the stop and the
    start had alerts of their own (trial20c section 6: two critical "hub disconnected for
    30s" alerts 6 s after `riskctl start simbroker`, then "reconnected" 2 s later). One still
    down then is alerted, with the sim's start in its line.
    """

    DOWN = ("disconnected", "reconnecting", "connecting")

    def __init__(self, after_s: float):
        self.after_s = after_s
        self._down: dict[str, tuple[float, str, bool]] = {}   # hub -> (since, reason, alerted)
        self._said: dict[str, float] = {}      # hub -> when market last gave its reason
        self._broker_up: Optional[float] = None  # riskd's sim broker last came up

    def worker(self, e: WorkerEvent, broker_workers, now: float) -> None:
        """A worker's state: riskd's own sim broker (broker_workers) running again."""
        if e.state == "running" and e.name in broker_workers:
            self._broker_up = now

    def _reason(self, hub: str, reason: str, now: float) -> str:
        up = self._broker_up
        if up is None or networds.BROKER_UNREACHABLE not in reason \
                or self._said.get(hub, now) >= up:
            return reason
        return (f"{networds.BROKER_BACK} (riskd's sim broker started {duration(now - up)} ago); "
                f"{networds.NEXT_TRY}")

    def _back(self, since: float, now: float) -> bool:
        """riskd's sim broker came back after the hub went down (since), and market's next
        try may still reconnect it (NEXT_TRY_CAP_S): nothing to alert yet."""
        up = self._broker_up
        return up is not None and up >= since and now - up < networds.NEXT_TRY_CAP_S

    def observe(self, c: BrokerConnection, now: float) -> list[Alert]:
        if c.state in self.DOWN:
            since, reason, alerted = self._down.get(c.hub, (now, c.reason, False))
            self._down[c.hub] = (since, c.reason or reason, alerted)
            if c.reason:
                self._said[c.hub] = now
            return self.tick(now)
        since, _reason, alerted = self._down.pop(c.hub, (now, "", False))
        if alerted:
            return [Alert(kind="broker_reconnected", severity=INFO,
                          title=f"🟢 Broker {c.hub} hub reconnected after "
                                f"{duration(now - since)}")]
        return []

    def tick(self, now: float) -> list[Alert]:
        out = []
        for hub, (since, reason, alerted) in self._down.items():
            if not alerted and now - since >= self.after_s and not self._back(since, now):
                self._down[hub] = (since, reason, True)
                if reason.startswith(tokenwords.LOGIN_REFUSED):
                    out.append(Alert(kind="broker_login_refused", severity=CRITICAL,
                                     title=f"🔴 Broker refused riskd's login ({hub} hub down "
                                           f"for {duration(now - since)}): accounts are not "
                                           f"guarded",
                                     lines=(reason, "riskd tries again every minute; after "
                                                    "fixing the key: riskctl restart market")))
                    continue
                reason = self._reason(hub, reason, now)
                out.append(Alert(kind="broker_disconnected", severity=CRITICAL,
                                 title=f"🔴 Broker {hub} hub disconnected for "
                                       f"{duration(now - since)}: accounts are not guarded",
                                 lines=(reason,) if reason else ()))
        return out


URGENCY = ("🚨", "🔴", "⛔", "🔒", "⚠️", "💥")     # the marks of alert titles, worst first


def most_urgent(titles: list[str]) -> str:
    """The latest title with the worst mark (URGENCY), '' when none has one."""
    for mark in URGENCY:
        found = [t for t in titles if t.startswith(mark)]
        if found:
            return found[-1]
    return ""


def render_digest(entries: list[tuple[int, str, str]], ctx: Context, max_chars: int = 3500,
                  why: str = "rate limit reached") -> str:
    """One message naming every merged alert, given as (ts_ns, title, full text).

    The richest form that fits a phone message wins: every alert in full, else
    `HH:MM:SS title` per alert, else identical titles counted (×N); anything that still
    does not fit is announced as '... and N more' (never silently left out)."""
    head = f"📦 Digest: {len(entries)} alerts merged ({why})"
    top = most_urgent([title for _ts, title, _text in entries])
    if top and len(entries) > 1:
        # the lock screen shows the first line: the worst news goes there, not only a count
        # (trial 2026-12-06: "📦 Digest: 6 alerts merged" hid that Demo 1 was just locked)
        head += f": {top}" if len(top) <= 160 else f": {top[:157]}..."
    budget = max_chars - 64

    def size(lines: list[str]) -> int:
        return len(head) + sum(len(x) + 1 for x in lines)
    now_ns = max((ts for ts, _title, _text in entries), default=0)
    lines = [f"{ctx.at(ts, now_ns, seconds=True)} {text}" for ts, _title, text in entries]
    if size(lines) > budget:
        lines = [f"{ctx.at(ts, now_ns, seconds=True)} {title}" for ts, title, _text in entries]
    if size(lines) > budget:
        counts: dict[str, int] = {}
        for _ts, title, _text in entries:
            counts[title] = counts.get(title, 0) + 1
        lines = [f"{title} ×{n}" if n > 1 else title for title, n in counts.items()]
    out, used = [head], len(head)
    for i, line in enumerate(lines):
        if used + len(line) + 1 > budget:
            out.append(f"... and {len(lines) - i} more (riskctl history has them all)")
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out)
