"""The watch screen's view model: pure state built from riskd's messages, and the Screen for now.

WatchState.apply(msg) folds in whatever arrives (risk's AccountStatus
documents, the supervisor's worker table and events, market's broker
connection states, risk's decisions and enforcement's results, and the
source's reachability notes) and says whether anything changed.
build_screen(state, now_ns, tz, calendar, selected) turns it into a Screen of
plain values: texts, fractions and colour names, ready for view.py. No I/O,
no terminal, no clock of its own: the same Screen feeds `riskctl watch`,
`riskctl status` and the unit tests.
"""
from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from decimal import Decimal
from typing import Any, Optional

import attrs

from shared import accountguard, afterclosewords, historywords, latewords, outcomewords

from shared.actedby import row_key
from cli.health import failing_channels, health_notes
from cli.watch import lockends, quietrows, riskwhy
from cli.watch.pastrow import day_past
from shared.lockwords import (ADMIN_LOCKOUT, ASKED_LOCKOUTS, BY_ADMIN, SYMBOL_BLOCKS, end_words,
                              holder_words, lock_end_words, longest_first)
from shared import roundslatency, shards, showtime, unjudged
from shared.when import table_duration
from shared.retrying import RETRY_AFTER_S, ordinal, try_number
from shared.accountname import called, named
from shared.showprice import fmt_price
from shared import pricewords
from shared.clock import NS_PER_S
from shared.messages.enforce import FINAL_STATUSES
from shared.messages.control import SupervisorStatus, WorkerEvent, WorkersTable
from shared.messages.enforce import (CommandResult, CommandState, EnforcementStatus,
                                     closed_nothing)
from shared.messages.market import BrokerConnection, PositionsTable
from shared.notlive import notice_words, prices_line, why_not_live
from shared.messages.risk import (ACTION_NONE, LOCKED_ALREADY, LOCKED_BY_THIS_RULE, MANUAL,
                                  OWN_EXTENDED, TIMER, UNTIL_RESET, UNTIL_SESSION, AccountStatus,
                                  Decision, HistoryReply, LastRiskStatus, LockoutChange,
                                  RiskStatusReply,
                                  RuleWarning,
                                  note_of, without_note, LOCKED_UNDER_OLD, same_end)
from shared.rulenumbers import (STATE_WORDS, WORDS_ONLY, count_consequence, held_counted,
                               lock_window, next_trade_words, window_of,
                               params_texts, row_aside, spelled_out, value_limit_text)
from shared.symbols import UnknownSymbol, ticker_of

# The limits whose use is drawn as a bar (docs/rules.md: the loss limits of an account).
LOSS_LIMIT_RULES = ("daily_realized_loss", "daily_unrealized_loss", "daily_net_loss",
                    "drawdown_guard")
DEFAULT_WARN_AT = 0.80      # the rules' default warn_at (docs/rules.md), when risk sent none
MAX_ACTIONS = 20            # per account, newest first
NOTHING_TO_DO = outcomewords.NOTHING_TO_DO    # a done command that made no trading call


# -- notes from the data source (not on the wire) --------------------------------------------------

@attrs.frozen
class Reachability:
    """The source reached riskd (ok) or got no answer (reason). gone: nothing listens on the
    control socket; left: then the workers a killed supervisor left running (cli/notrunning.py),
    and reason is what `riskctl status` says; configured: every worker the config file names
    (one not in `left` is shown as not running, never left out)."""
    ok: bool
    reason: str = ""
    ts_ns: int = 0
    gone: bool = False
    left: tuple = ()
    configured: tuple = ()
    alive_ns: Optional[int] = None   # gone: when the supervisor was last alive, if known


@attrs.frozen
class RiskUnavailable:
    """riskd answered but the risk worker's status did not come (reason)."""
    reason: str


@attrs.frozen
class ActionsUnknown:
    """Today's actions could not be read (risk's history did not answer: reason)."""
    reason: str


@attrs.frozen
class FileLabels:
    """The accounts' names as the config file gives them (cli/accountnames.file_labels), read
    while the supervisor, whose live config names them normally, is gone."""
    labels: dict = attrs.Factory(dict)


@attrs.frozen
class OutcomesUnknown:
    """Enforcement could not say what became of these commands (reason: 'enforcement is
    stopped'); the outcomes the supervisor saw came before this, in an EnforcementStatus."""
    reason: str
    command_ids: tuple = ()


@attrs.frozen
class ForeignSeen:
    """The streams carried a message of another riskd (instance; its publisher): not shown,
    and said on the screen (cli/watch/source.py), once per such riskd."""
    instance: str
    publisher: str = ""


@attrs.frozen
class ForeignGone:
    """The riskd of a ForeignSeen is no longer said on the screen: none of its frames came
    for a while (it is gone or let go of the port), or it was this riskd's own run, before or
    after a restart of the same riskd (trial16a finding 4: a watch left open across a restart
    said "another riskd ... give every riskd its own ports" for good)."""
    instance: str


@attrs.frozen
class OtherRiskd:
    """The riskd that answers runs another config than the one given (cli/whichriskd.py):
    said first among the screen's warnings; text '' once it is this config's riskd again."""
    text: str


def foreign_words(seen: list) -> str:
    """The line for the messages of other riskds this screen did not show."""
    who = ", ".join(f"{s.publisher or 'a worker'} of riskd instance {s.instance}"
                    if s.instance else f"{s.publisher or 'a program'} with no riskd instance id"
                    for s in seen)
    return (f"messages from another riskd on this machine were not shown ({who}): it holds a "
            f"port of this riskd's; give every riskd its own ports (docs/operations.md, "
            f"\"Two riskd on one machine\")")


def risk_unavailable(reply) -> list:
    """What a failed RiskStatusRequest tells the screen (riskctl status, watch's source): the
    last known figures when the supervisor sent them (LastRiskStatus: shown marked not
    live), then why risk gave none (its words: a screen is read by a person, not a script)."""
    known = [reply.body] if isinstance(reply.body, LastRiskStatus) else []
    return [*known, RiskUnavailable(reason=reply.reason or reply.code)]


# -- the mutable state ---------------------------------------------------------------------------

@attrs.define
class ActionRow:
    decision_id: str                 # "" until the decision is seen (its result came first)
    ts_ns: int
    account_id: int
    rule: str
    action: str
    status: str = "pending"          # pending | accepted | done | failed | skipped | not known
    by: str = ""                     # who acted, in risk's words (Decision.by: "admin:root")
    detail: str = ""
    latency_ms: Optional[float] = None
    done_ms: Optional[float] = None  # a command of more rounds: when it ended (roundslatency)
    timed_out_s: float = 0.0         # its first "answer" was riskd giving up after this (s)
    acted: Optional[bool] = None     # done: did a trading call get an answer (None: not known)
    contract_id: str = ""            # the decision's contract ("" for the whole account)
    finished_ns: int = 0             # when enforcement finished it (0: not yet, or not known)
    live: bool = False               # decided while this screen watched the streams
    tries: int = 1                   # the decision's try the status is of (riskd tries a failed
    #                                  action again: '<decision>.2', ...; services/risk/retries.py)
    waits_for: str = ""              # accepted and held by enforcement until this (MARKET_OPEN)
    # accepted and queued in enforcement's lane behind this (enforcement's words): not at the
    # broker yet (services/enforcement/behind.py)
    waits_behind: str = ""
    # accepted and running, a trading call of it out at the broker with no answer yet: when it
    # was sent (enforcement's journal state, CommandState.at_broker_ns); 0: none, not known
    at_broker_ns: int = 0
    # lockout enforcement's cut of contracts bought while locked that riskd's cut in flight
    # took with it (no second close): that command's id, and this cut's size (None: a close)
    left_to: str = ""
    size: Optional[int] = None
    # a lockout taken with no broker call (action quietrows.LOCK): how it ends
    lock_until_ns: Optional[int] = None
    lock_kind: str = ""
    lock_clears_on: str = ""
    lock_symbol: Optional[str] = None
    symbol: str = ""                 # the contract when no contract id is known (a late close)
    # not sent because the same action was under way: that command's id (its row says what
    # became of it: under_way_note)
    under_way: str = ""
    # the decision's own lockout (LockSpec; None: it took none): how it ended is said on its
    # row (cli/watch/lockends.py)
    lock: Any = None
    # an alert-mode decision: what enforce mode would have done, in risk's words (Decision.what:
    # "would have closed the MNQ position"), said under its row (outcomewords.alert_only)
    would: str = ""


@attrs.define
class WatchState:
    accounts: dict[int, AccountStatus] = attrs.Factory(dict)
    workers: dict[str, str] = attrs.Factory(dict)              # name -> state
    connections: dict[str, BrokerConnection] = attrs.Factory(dict)
    actions: "OrderedDict[str, ActionRow]" = attrs.Factory(OrderedDict)
    # today's lockout changes (risk's history, then its 'lockout' stream), oldest first: how
    # each row's lockout ended (cli/watch/lockends.py)
    lockout_changes: list = attrs.Factory(list)
    reachable: Optional[bool] = None                           # None: not asked yet
    unreachable_since_ns: Optional[int] = None
    problem: str = ""
    risk_problem: str = ""
    config: Any = None                                         # ConfigHealth, from riskd
    channels: list = attrs.Factory(list)                       # notify's ChannelStates
    unguarded: list = attrs.Factory(list)                      # the supervisor's reasons, if any
    unreported: list = attrs.Factory(list)     # configured accounts the broker does not report
    # when risk last heard from market (RiskStatusReply.market_heard_ns; 0: not known): while
    # market is not running what risk shows is as of then (shared/notlive.py)
    market_heard_ns: int = 0
    actions_problem: str = ""        # why today's actions could not be read ("" when they were)
    actions_read: bool = False       # today's history has been read (or said unreadable)
    labels: dict = attrs.Factory(dict)     # the supervisor's account_labels: names as alerts say
    labels_from_file: bool = True    # no labels from the supervisor yet: the file's may stand in
    supervisor_gone: bool = False    # nothing listens on the control socket (not just slow)
    left: tuple = ()                 # then: the workers still running without it
    configured: tuple = ()           # and every worker the config file names
    alive_ns: Optional[int] = None   # and when the supervisor was last alive, if known
    reached: bool = False            # riskd answered this screen once (its silence since is
    #                                  then dated by unreachable_since_ns)
    foreign: list = attrs.Factory(list)    # ForeignSeen: other riskds' messages not shown
    other_riskd: str = ""            # the riskd that answers is another config's (OtherRiskd)

    def apply(self, msg: Any) -> bool:
        """Fold one message in; True when the screen may change."""
        handler = _APPLY.get(type(msg))
        return bool(handler(self, msg)) if handler else False


def _keep(state: WatchState, msg: AccountStatus) -> bool:
    old = state.accounts.get(msg.account_id)
    if old is not None and old.ts_ns > msg.ts_ns:
        return False                 # an older document (a snapshot raced an update)
    state.accounts[msg.account_id] = msg
    return old != msg


def _status(state: WatchState, msg: AccountStatus) -> bool:
    """A document from risk itself: risk answers, its figures are live."""
    changed = _keep(state, msg) or bool(state.risk_problem)
    state.risk_problem = ""
    return changed


def _last_known(state: WatchState, msg: LastRiskStatus) -> bool:
    """The supervisor's last known figures while risk cannot answer: shown, never as live
    (risk_problem stays: the screen marks them with their time, not_live)."""
    return _fold(state, _keep, msg.accounts)


def _risk_reply(state: WatchState, msg: RiskStatusReply) -> bool:
    changed = bool(state.risk_problem)
    state.risk_problem = ""
    unreported = list(getattr(msg, "unreported", []) or [])
    changed = changed or unreported != state.unreported
    state.unreported = unreported
    # no change of its own: it moves every second while market runs, and is read only while
    # market is down (the screen is drawn again every second)
    state.market_heard_ns = getattr(msg, "market_heard_ns", 0) or 0
    for account in msg.accounts:
        changed = _status(state, account) or changed
    return changed


def _workers(state: WatchState, infos) -> bool:
    fresh = {w.name: w.state for w in infos}
    changed = fresh != state.workers
    state.workers = fresh
    return changed


def _supervisor(state: WatchState, msg) -> bool:
    """The worker table plus riskd's own health (a refused config file, failing alerts)."""
    changed = _workers(state, msg.workers)
    if isinstance(msg, SupervisorStatus):     # only the status says whether riskd guards now
        unguarded = list(msg.unguarded_now or [])
        changed = changed or unguarded != state.unguarded
        state.unguarded = unguarded
        fresh = dict(msg.account_labels or {})
        changed = changed or fresh != state.labels
        state.labels, state.labels_from_file = fresh, False
    health = (getattr(msg, "config", None), list(getattr(msg, "notify", []) or []))
    if health != (state.config, state.channels):
        state.config, state.channels = health
        changed = True
    return changed


GUARD_WORKERS = ("market", "risk", "enforcement")    # without any of them nobody guards


def _worker_event(state: WatchState, msg: WorkerEvent) -> bool:
    changed = state.workers.get(msg.name) != msg.state
    state.workers[msg.name] = msg.state
    # between two snapshots: a guard worker that stops makes riskd unguarded at once (the
    # supervisor's own words, "<name> not running", come with the next snapshot)
    reason = f"{msg.name} not running"
    if shards.base_name(msg.name) not in GUARD_WORKERS:
        return changed
    if msg.state != "running" and reason not in state.unguarded:
        state.unguarded = [*state.unguarded, reason]
        changed = True
    elif msg.state == "running" and reason in state.unguarded:
        # running again (a crashed worker is restarted at once): the supervisor's guard says
        # so at the same instant; keeping the reason until the next snapshot made watch say
        # "NOT GUARDED now: risk not running" while status said "guarded now" (trial)
        state.unguarded = [r for r in state.unguarded if r != reason]
        changed = True
    return changed


def _connection(state: WatchState, msg: BrokerConnection) -> bool:
    changed = state.connections.get(msg.hub) != msg
    state.connections[msg.hub] = msg
    return changed


def _fold(state: WatchState, handler, items) -> bool:
    """Apply handler to each item; True when any of them changed the state."""
    changed = False
    for item in items:
        changed = handler(state, item) or changed
    return changed


def _positions_table(state: WatchState, msg: PositionsTable) -> bool:
    return _fold(state, _connection, msg.connections)


def _decision(state: WatchState, msg: Decision, live: bool = True) -> bool:
    if msg.action == ACTION_NONE:
        # a lockout with no broker action is still something riskd did (trial19a section 6)
        return _lock_row(state, msg, live) if msg.lock is not None else False
    # rows are keyed by the command that carries the decision out: the kill switch's flatten
    # is enforcement's 'admin-<n>.<account>', not '<decision>.1' (shared/actedby.py)
    key = row_key(msg)
    known = state.actions.get(key)
    if known is not None:
        # its result came first (risk and enforcement are two streams, and risk sends the
        # command before the decision; the kill switch's results come before risk decides at
        # all): the row keeps the result's status and gains the why (who acted: 'admin')
        by = getattr(msg, "by", "") or known.by
        if (known.rule, known.action, known.decision_id, known.by) == (msg.rule, msg.action,
                                                                       msg.id, by):
            return False
        known.rule, known.action = msg.rule or known.rule, msg.action or known.action
        known.by = by
        known.decision_id = msg.id
        known.lock = msg.lock if msg.lock is not None else known.lock
        known.contract_id = msg.contract_id or known.contract_id
        known.would = _would(msg) or known.would
        known.ts_ns = min(known.ts_ns or msg.ts_ns, msg.ts_ns)
        return True
    status = not_sent(msg.suppressed) if msg.suppressed else (
        "alert only" if msg.mode == "alert" else "pending")
    state.actions[key] = ActionRow(decision_id=msg.id, ts_ns=msg.ts_ns,
                                      account_id=msg.account_id, rule=msg.rule,
                                      by=getattr(msg, "by", "") or "",
                                      action=msg.action, status=status,
                                      left_to=outcomewords.left_to(msg.suppressed) or "",
                                      under_way=historywords.same_in_flight(msg.suppressed),
                                      size=msg.size,
                                      contract_id=msg.contract_id or "", live=live,
                                      lock=msg.lock, would=_would(msg),
                                      detail=msg.suppressed or (
                                          msg.what if msg.mode == "alert" and msg.what
                                          else msg.reason))
    while len(state.actions) > MAX_ACTIONS * 10:
        state.actions.popitem(last=False)
    return True


def _lock_row(state: WatchState, msg: Decision, live: bool) -> bool:
    """A lockout taken with no broker call (a trade_frequency_limit cooldown, a self-lockout
    with nothing open): a row of its own, its end as its outcome (cli/watch/quietrows.py)."""
    key = row_key(msg)
    if key in state.actions:
        return False
    state.actions[key] = ActionRow(
        decision_id=msg.id, ts_ns=msg.ts_ns, account_id=msg.account_id, rule=msg.rule,
        by=getattr(msg, "by", "") or "", action=quietrows.LOCK,
        status=quietrows.lock_status(msg.mode, msg.suppressed), live=live,
        detail=msg.suppressed or msg.reason, lock_until_ns=msg.lock.until_ns,
        lock_kind=msg.lock.kind, lock_clears_on=msg.lock.clears_on or "",
        lock_symbol=msg.lock.symbol, lock=msg.lock)
    _trim(state)
    return True


def _late_close(state: WatchState, msg: RuleWarning, live: bool = True) -> bool:
    """A close of riskd's the broker carried out after riskd had given up on it (risk's note
    of rule latewords.LATE_CLOSE): its row, as history's "riskd (late close)" (late19). The
    trader's fill that opened a position right after riskd's close (rule afterclosewords
    .OPENED_AFTER): its row too, as history's "trader (after riskd's close)" (trial22a F7);
    so has the trader's fill made while riskd's close was in flight (afterclosewords.DURING),
    as history's "trader (during riskd's close)" (trial23c F0)."""
    during = quietrows.is_during(msg.rule)
    if (during or quietrows.is_opened_after(msg.rule)) and msg.id not in state.actions:
        side, symbol, _out = afterclosewords.row_words(msg.reason)
        status = quietrows.DURING if during else quietrows.OPENED
        state.actions[msg.id] = ActionRow(
            decision_id=msg.id, ts_ns=msg.ts_ns, account_id=msg.account_id,
            rule=status, by=status, action=side or "fill",
            status=status, live=live, detail=msg.reason, symbol=symbol)
        _trim(state)
        return True
    if not quietrows.is_late_close(msg.rule) or msg.id in state.actions:
        return False
    state.actions[msg.id] = ActionRow(
        decision_id=msg.id, ts_ns=msg.ts_ns, account_id=msg.account_id,
        rule=quietrows.LATE, by=quietrows.LATE,
        action="reduce_position" if latewords.is_overcut(msg.reason) else "close_position",
        status=quietrows.LATE, live=live, detail=msg.reason,
        symbol=quietrows.late_symbol(msg.reason))
    _trim(state)
    return True


def _trim(state: WatchState) -> None:
    while len(state.actions) > MAX_ACTIONS * 10:
        state.actions.popitem(last=False)


UNDER_WAY = "not sent: under way"        # the same action was on its way (history's words)
IN_FLIGHT = "not sent: in flight"        # another action covering it was (a flatten)


def not_sent(why: str) -> str:
    """The OUTCOME of a breach recorded with no command sent (Decision.suppressed says why):
    'not sent: locked already' (a lockout in force had acted on the account already), 'not sent:
    under way' (the same action was on its way: history's "was already under way", and the
    line under the row says what became of it, under_way_note), 'not sent: in flight' (another
    action covering it was: a flatten of the account), else 'not sent' (docs/operations.md)."""
    if LOCKED_ALREADY.split(",")[0] in why or "already locked" in why or OWN_EXTENDED in why \
            or same_end(why):     # its lockout ends when the running one does (trial23a 3)
        return "not sent: locked already"
    if historywords.same_in_flight(why):
        return UNDER_WAY
    return IN_FLIGHT if "in flight" in why else "not sent"


def under_way_note(state: WatchState, a: ActionRow, tz: dt.tzinfo, now_ns: int) -> str:
    """The line under a row not sent because the same action was under way, in history's
    words: "daily_realized_loss's flatten of 03:12:34 CST was already under way (it then
    completed)", its end as that action's own row shows it (trial20b section 9: LAST ACTIONS
    read "not sent: in flight" after that flatten was done); '' for any other row."""
    if not a.under_way:
        return ""
    other, _n = _try_row(state, a.under_way)
    if other is None or not other.action:
        return "an earlier action (not in LAST ACTIONS) was already under way"
    named = historywords.named_action(other, None, tz, try_number(a.under_way), now_ns=now_ns)
    end = (historywords.became(other.status in FINAL_STATUSES, other.status,
                               other.status == outcomewords.DONE and other.acted is False,
                               other.tries)
           if other.status != NOT_KNOWN else "its outcome is not known")
    return historywords.under_way_words(named, end)


def _try_row(state: WatchState, command_id: str) -> tuple[Optional[ActionRow], int]:
    """The row a command's outcome goes to, and which try of its decision it is: riskd's
    later tries of a failed action ('<decision>.2', ...) go to the decision's row (its first
    try's), which shows the latest try's outcome."""
    row = state.actions.get(command_id)
    if row is not None:
        return row, row.tries
    n = try_number(command_id)
    if n > 1:
        first = state.actions.get(f"{command_id.rsplit('.', 1)[0]}.1")
        if first is not None:
            return first, n
    return None, 1


def _would(msg: Decision) -> str:
    """An alert-mode decision's words of what enforce mode would have done ('' otherwise)."""
    return (msg.what or "") if msg.mode == "alert" and not msg.suppressed else ""


def _result(state: WatchState, msg: CommandResult) -> bool:
    row, n = _try_row(state, msg.command_id)
    if row is not None and n < row.tries:
        return False            # an earlier try's: the latest one tells
    if row is not None and n > row.tries:
        row.tries, row.status = n, "pending"
    if row is None:
        row = ActionRow(decision_id="", ts_ns=msg.started_ns or msg.finished_ns,
                        account_id=msg.account_id, rule="", action="")
        state.actions[msg.command_id] = row
    if row.status in FINAL_STATUSES and msg.status == "accepted":
        return False
    row.status = msg.status
    row.waits_for = getattr(msg, "waits_for", "") if msg.status == "accepted" else ""
    row.waits_behind = getattr(msg, "waits_behind", "") if msg.status == "accepted" else ""
    if msg.status != "accepted" or row.waits_behind:
        row.at_broker_ns = 0        # ended, or queued again: no call of it out
    row.detail = msg.detail or row.detail
    row.rule = row.rule or getattr(msg, "rule", "")
    row.action = row.action or getattr(msg, "action", "")
    row.latency_ms = latency_ms(msg.status, msg.event_ns or msg.started_ns,
                                getattr(msg, "first_answer_ns", 0), msg.finished_ns)
    row.done_ms = _done_ms(msg.status, msg.event_ns or msg.started_ns,
                           getattr(msg, "first_answer_ns", 0), msg.finished_ns, msg.attempts)
    # a first "answer" that was riskd giving up on the call (trial18c section 6): said so
    row.timed_out_s = getattr(msg, "first_timed_out_s", 0.0) if msg.status == "done" else 0.0
    row.done_ms = _done_after_no_answer(row, msg.event_ns or msg.started_ns, msg.finished_ns)
    # a close that found the contract flat closed nothing, whatever it cancelled (trial22a F3)
    row.acted = not closed_nothing(msg) if msg.status == "done" else None
    row.finished_ns = msg.finished_ns or row.finished_ns
    return True


def latency_ms(status: str, start_ns: int, first_answer_ns: int,
               finished_ns: int) -> Optional[float]:
    """From the broker event that triggered an action to the broker's first answer (or, with
    no trading call, to the end; a failed one: to when enforcement gave up); None for an action that did not act (alert mode, skipped,
    not finished): one rule for the live result and the journal, watch and status alike."""
    if status not in ("done", "failed"):
        return None
    # a failure lasted until enforcement gave up: its first answer (an HTTP 500 in 35 ms)
    # read as a fast, minor failure beside the 2 s of tries it was (trial 2026-12-06)
    answered = finished_ns if status == "failed" else (first_answer_ns or finished_ns)
    return (answered - start_ns) / 1e6 if answered and start_ns else None


def _done_ms(status: str, start_ns: int, first_answer_ns: int, finished_ns: int,
             rounds: int) -> Optional[float]:
    """When a command of more than one round ended, ms after the event (None for one round:
    its first answer tells, unless it ended a second or more after it: roundslatency.shown_ms).
    Trial13a: a reduce of 2 rounds, 367 ms, showed "done 0.006s"."""
    both = roundslatency.shown_ms(status, start_ns, first_answer_ns, finished_ns, rounds)
    return None if both is None else both[1]


def _done_after_no_answer(row: ActionRow, start_ns: int, finished_ns: int) -> Optional[float]:
    """The row's done figure; for an action done in one round whose call got no answer
    (timed_out_s), when it was done, ms after the event: 'no answer within 10s, done 56s'
    (shared/roundslatency.py), never the time to riskd giving up labelled as the timeout."""
    if row.done_ms is not None or not row.timed_out_s or not (start_ns and finished_ns):
        return row.done_ms
    return (finished_ns - start_ns) / 1e6


def _history(state: WatchState, msg: HistoryReply) -> bool:
    """Today's decisions from riskd's history: the actions taken before the screen opened."""
    changed = bool(state.actions_problem) or not state.actions_read
    state.actions_problem = ""
    state.actions_read = True
    late = _fold(state, lambda st, w: _late_close(st, w, live=False),
                 getattr(msg, "warnings", ()) or ())
    late = lockends.keep(state.lockout_changes, getattr(msg, "lockouts", ()) or ()) or late
    return _fold(state, lambda st, d: _decision(st, d, live=False), msg.decisions) or late \
        or changed


def _actions_unknown(state: WatchState, msg: ActionsUnknown) -> bool:
    """The history could not be read: LAST ACTIONS says so, never "none today"."""
    changed = state.actions_problem != msg.reason or not state.actions_read
    state.actions_problem = msg.reason
    state.actions_read = True
    return changed


NOT_KNOWN = "not known"


def _outcomes_unknown(state: WatchState, msg: OutcomesUnknown) -> bool:
    """Enforcement cannot say: an action read from the history with no known outcome is "not
    known", never "pending" (it may well be done); a later result or journal entry still
    tells. One this screen saw decided keeps what the result stream said (pending: risk holds
    the command until enforcement is back)."""
    changed = False
    for cid in msg.command_ids:
        row = state.actions.get(cid)
        if row is not None and not row.live and row.status in ("pending", "accepted"):
            row.status, row.detail = NOT_KNOWN, f"result not known: {msg.reason}"
            changed = True
    return changed


def _journal(state: WatchState, msg: EnforcementStatus) -> bool:
    """Enforcement's journal: the outcome of actions the screen did not see happen."""
    return _fold(state, _command_state, msg.commands)


def _command_state(state: WatchState, c: CommandState) -> bool:
    row, n = _try_row(state, c.command_id)
    if row is None or n < row.tries:
        return False        # unknown here, or an earlier try's
    if n > row.tries:
        row.tries, row.status = n, "pending"
    if row.status in FINAL_STATUSES:
        return False        # the live result already said it
    # one word for one state (shared/outcomewords.py unfinished): a running close is
    # 'accepted' here as in the live result, never 'pending' (trial19b finding 5)
    status, waits_for = (c.status, "") if c.state == "final" and c.status else \
        outcomewords.unfinished(c.state, c.detail)
    behind = getattr(c, "waits_behind", "") if status == "accepted" else ""
    sent = getattr(c, "at_broker_ns", 0) if status == "accepted" and not behind else 0
    if (status, waits_for, behind, sent) == (row.status, row.waits_for, row.waits_behind,
                                             row.at_broker_ns) \
            and (not c.detail or c.detail == row.detail):
        return False
    row.status, row.waits_for, row.detail = status, waits_for, c.detail or row.detail
    row.waits_behind, row.at_broker_ns = behind, sent
    row.latency_ms = latency_ms(status, getattr(c, "event_ns", 0) or c.received_ns,
                                getattr(c, "first_answer_ns", 0), c.finished_ns)
    row.done_ms = _done_ms(status, getattr(c, "event_ns", 0) or c.received_ns,
                           getattr(c, "first_answer_ns", 0), c.finished_ns, c.attempts)
    row.timed_out_s = getattr(c, "first_timed_out_s", 0.0) if status == "done" else 0.0
    row.done_ms = _done_after_no_answer(row, getattr(c, "event_ns", 0) or c.received_ns,
                                        c.finished_ns)
    row.acted = not closed_nothing(c) if status == "done" else None
    row.finished_ns = c.finished_ns or row.finished_ns
    return True


def _reachability(state: WatchState, msg: Reachability) -> bool:
    if msg.ok:
        changed = state.reachable is not True
        state.reachable, state.unreachable_since_ns, state.problem = True, None, ""
        state.supervisor_gone, state.left, state.configured = False, (), ()
        state.alive_ns, state.reached = None, True
        return changed
    changed = (state.reachable is not False or state.problem != msg.reason
               or (state.supervisor_gone, state.left, state.configured)
               != (msg.gone, tuple(msg.left), tuple(msg.configured)))
    if state.reachable is not False:
        state.unreachable_since_ns = msg.ts_ns
    state.reachable, state.problem = False, msg.reason
    state.supervisor_gone, state.left = msg.gone, tuple(msg.left)
    state.configured = tuple(msg.configured)
    alive = getattr(msg, "alive_ns", None)
    changed = changed or alive != state.alive_ns
    state.alive_ns = alive
    return changed


def _file_labels(state: WatchState, msg: FileLabels) -> bool:
    """The file's names, unless the supervisor's (its live config's) are known: a watch opened
    while the supervisor is gone named accounts by the broker's names (trial 2026-12-05)."""
    if not state.labels_from_file or not msg.labels or msg.labels == state.labels:
        return False
    state.labels = dict(msg.labels)
    return True


def _risk_unavailable(state: WatchState, msg: RiskUnavailable) -> bool:
    changed = state.risk_problem != msg.reason
    state.risk_problem = msg.reason
    return changed


def _other_riskd(state: WatchState, msg: OtherRiskd) -> bool:
    changed = state.other_riskd != msg.text
    state.other_riskd = msg.text
    return changed


def _foreign(state: WatchState, msg: ForeignSeen) -> bool:
    if msg in state.foreign:
        return False
    state.foreign.append(msg)
    return True


def _foreign_gone(state: WatchState, msg: ForeignGone) -> bool:
    kept = [s for s in state.foreign if s.instance != msg.instance]
    changed = len(kept) != len(state.foreign)
    state.foreign = kept
    return changed


_APPLY = {
    ForeignSeen: _foreign,
    ForeignGone: _foreign_gone,
    OtherRiskd: _other_riskd,
    AccountStatus: _status,
    RiskStatusReply: _risk_reply,
    LastRiskStatus: _last_known,
    SupervisorStatus: _supervisor,
    WorkersTable: _supervisor,
    WorkerEvent: _worker_event,
    BrokerConnection: _connection,
    PositionsTable: _positions_table,
    Decision: _decision,
    RuleWarning: _late_close,
    HistoryReply: _history,
    LockoutChange: lambda state, msg: lockends.keep(state.lockout_changes, [msg]),
    EnforcementStatus: _journal,
    OutcomesUnknown: _outcomes_unknown,
    ActionsUnknown: _actions_unknown,
    FileLabels: _file_labels,
    CommandResult: _result,
    Reachability: _reachability,
    RiskUnavailable: _risk_unavailable,
}


# -- the Screen: plain values for one instant ------------------------------------------------------

@attrs.frozen
class Bar:
    rule: str
    fraction: float                  # share of the limit used (1.0 = breach)
    colour: str                      # green | amber | red
    text: str                        # "-312.50 / 500.00"
    # risk's note past the limit ("locked by this rule"), shown on the bar when the screen is
    # too short for the rule's RULES row (trial: at 80x24 the bar lost it)
    note: str = ""


@attrs.frozen
class Banner:
    kind: str                        # LOCKED OUT | COOLDOWN | CL LOCKED (a symbol's)
    text: str
    countdown: str                   # "4m12s", or how it ends when it has no end time
    # the account a symbol's lockout is on, as screens name it ("Demo 1 (id 1001)"): shown
    # after the kind, "CL LOCKED on Demo 1 (id 1001)" ('' for the account's own lockouts)
    on: str = ""


@attrs.frozen
class PositionLine:
    ticker: str
    side: str
    size: int
    average: str
    last: str
    unrealized: str
    colour: str                      # green (profit) | red (loss) | "" (unknown)
    note: str = ""                   # CLOSING: enforcement closed it after these figures


@attrs.frozen
class RuleLine:
    rule: str
    text: str                        # "-312.50 / 500.00 (62%)", "off", a detail
    colour: str


@attrs.frozen
class ActionLine:
    time: str
    rule: str
    action: str
    status: str                      # pending | accepted | done | failed | skipped | ...
    latency: str
    colour: str
    outcome: str = ""                # as shown: the status, or NOTHING_TO_DO for a done no-op
    # a line under the row, in history's words: how many of the contracts a cut closed beyond
    # its count were bought while locked ("closed 6, 4 more than asked; 4 of the 6 closed were
    # bought while locked (lockout enforcement)")
    note: str = ""
    contract: str = ""               # the contract it acted on ('MNQ'; '' for the account)


@attrs.frozen
class AccountView:
    account_id: int
    name: str
    trading_day: str
    balance: str
    realized: str
    unrealized: str
    net: str
    net_colour: str
    fees: str
    trades: int
    open_orders: int
    can_trade: bool
    locked: bool
    unrealized_note: str
    bars: list[Bar]
    banners: list[Banner]
    positions: list[PositionLine]
    rules: list[RuleLine]
    actions: list[ActionLine]
    rules_off: int = 0               # disabled rules (counted, and named in rules_off_names)
    # fills trade_frequency_limit counts that may be riskd's own close still in flight: not in
    # `trades` (the trader's), said beside it (held_fills)
    trades_held: int = 0
    rules_off_names: tuple = ()      # which: "RULES ... (5 off: max_unrealized_profit, ...)"
    not_live: str = ""               # "" live, else "NOT LIVE: risk is stopped; figures as of ...",
    #                                  and/or "prices as of ..., not live (market is not running)"
    actions_note: str = ""           # why LAST ACTIONS is not the whole day, or not known
    failing: list[str] = attrs.Factory(list)   # "ENFORCEMENT FAILED ...": riskd tries again
    not_guarded: str = ""            # why risk does not guard it ('' = it does): disabled by ...


@attrs.frozen
class WorkerDot:
    name: str
    state: str
    healthy: bool


@attrs.frozen
class Header:
    clock: str                       # 14:03:27 CST
    trading_day: str
    to_roll: str
    broker: str
    broker_ok: Optional[bool]
    workers: list[WorkerDot]


@attrs.frozen
class Screen:
    header: Header
    notice: str                      # "riskd not reachable -- retrying ..." or a risk problem
    notice_level: str                # error | warning | ""
    accounts: list[AccountView]
    selected: int
    health: list = attrs.Factory(list)   # (sentence, level): a refused config, failing alerts
    # where the accounts would be while there are none: why (no_figures)
    empty: str = "no account status yet"            # WAITING


def red_at(warn_at: Optional[float] = None) -> float:
    """Halfway from warn_at to the limit: 90 % with the default warn_at of 80 %."""
    warn = DEFAULT_WARN_AT if warn_at is None else warn_at
    return warn + (1 - warn) / 2


def bar_colour(fraction: float, warn_at: Optional[float] = None) -> str:
    """green below the rule's warn_at (where riskd sends its warning), amber from warn_at,
    red from halfway between warn_at and the limit (90 % with the default 80 %)."""
    if fraction >= red_at(warn_at):
        return "red"
    if fraction >= (DEFAULT_WARN_AT if warn_at is None else warn_at):
        return "amber"
    return "green"


def fmt_countdown(seconds: float) -> str:
    """4m05s, 1h02m03s, 2d03h: the time left, whole seconds rounded up."""
    s = max(0, int(-(-seconds // 1)))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m{s % 60:02d}s"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h{s % 3600 // 60:02d}m"


def fmt_latency(ms: Optional[float]) -> str:
    """'0.085s', '8.7s', '40s': the screen's one way to show a length of time
    (shared/when.table_duration, as 'up 4m05s' beside it); '-' for none."""
    if ms is None:
        return "-"
    return table_duration(ms / 1000)


def fmt_money(value: Optional[Decimal], signed: bool = True) -> str:
    if value is None:
        return "-"
    q = Decimal(value).quantize(Decimal("0.01"))
    q = q.copy_abs() if q == 0 else q      # never "-0.00" (trial23a finding 7): "+0.00"
    return f"{q:+,.2f}" if signed else f"{q:,.2f}"


def pnl_colour(value: Optional[Decimal]) -> str:
    if value is None or value == 0:
        return ""
    return "green" if value > 0 else "red"


def ticker(contract_id: str, symbol: str = "") -> str:
    try:
        return ticker_of(contract_id)
    except UnknownSymbol:
        return symbol or contract_id


def _bars(status: AccountStatus, tz: Optional[dt.tzinfo] = None,
          now_ns: Optional[int] = None) -> list[Bar]:
    out = []
    for r in status.rules:
        if r.rule in LOSS_LIMIT_RULES and r.enabled and r.progress is not None:
            fraction = max(0.0, float(r.progress))
            text = spelled_out(r.rule, without_note(r.detail)) or (
                f"{fmt_money(r.value)} / {fmt_money(r.limit, signed=False)}"
                if r.value is not None and r.limit is not None else r.detail)
            if r.waiting:
                text += " " + waiting_note(r.rule, r.waiting)
            note = shown_note(note_of(r.detail), r.mode) if r.progress != 1 else ""
            note = day_past(status, r, tz, now_ns, short=True) or note   # cli/watch/pastrow.py
            out.append(Bar(rule=r.rule, fraction=fraction, colour=bar_colour(fraction, r.warn_at),
                           text=text, note=note))
    return out


def _rule_lines(status: AccountStatus, tz: Optional[dt.tzinfo] = None,
                now_ns: Optional[int] = None) -> list[RuleLine]:
    """Every enabled rule: value/limit and the share used, or (a rule with no numeric limit)
    its parameters; a looser value waiting for the roll is shown beside what is in force.
    Disabled rules are counted in the panel's title, not listed. A limit past 100 % while the
    account is locked says what risk wrote of it (shared/messages/risk.note_of): that nothing
    more is done about it (its breach was recorded with no new action), or, for the rule whose
    lockout that is, "locked by this rule" (docs/rules.md); nothing for a rule that acts on
    its own under a lockout (max_contracts' reduce)."""
    out = []
    for r in status.rules:
        if not r.enabled:
            continue
        note = note_of(r.detail)                 # risk's word of what it did, not a guess
        if r.value is not None and r.limit is not None:
            text = value_limit_text(r.rule, r.value, r.limit, without_note(r.detail), sep="/")
            if r.progress is not None and r.rule not in WORDS_ONLY:
                text += f" {float(r.progress):.0%}"
            then = count_consequence(r.rule, r.limit, without_note(r.detail), r.params)
            # the limit is reached, or the rule's own cooldown still runs (below the limit
            # again as trades leave the window: trial18c read "2/3 per minute 67% (the 3rd
            # starts a 1m00s cooldown)" while its cooldown held the account): what it did
            past = then and (r.value >= r.limit or _own_lock(status, r.rule))
            if past:
                then, shown = count_past(status, r, tz, now_ns)
                note = "" if shown else note
            if then:                  # a count's limit acts at once: no trade after it
                text += f" ({then})"
        else:
            text = params_text(r.rule, r.params) or "on"
            if r.rule in STATE_WORDS and without_note(r.detail):
                text += f"; {without_note(r.detail)}"      # what it enforces now
        # a daily limit past, its next lockout outlasting those in force (cli/watch/pastrow.py)
        after = day_past(status, r, tz, now_ns)
        if after:
            text += f" ({after})"
            note = ""               # risk's note of a breach under a lockout since ended
        if r.waiting:
            text += " " + waiting_note(r.rule, r.waiting)
        if r.mode == "alert":
            text += " (alert)"
        note = shown_note(note, r.mode)
        # under 100 % risk writes only the note of the rule's own lockout holding the account
        # (services/risk/oldsetting.py: "locked by this rule under its old setting")
        if note and r.progress is not None and r.progress != 1:
            text += f" {note}"
        aside = row_aside(r.rule, without_note(r.detail))
        if aside:                 # the count as its warning counts it, and what that includes
            text += f"; {aside}"
        colour = bar_colour(float(r.progress), r.warn_at) if r.progress is not None else ""
        out.append(RuleLine(rule=r.rule, text=text, colour=colour))
    return out


def shown_note(note: str, mode: str) -> str:
    """Risk's note after a limit past 100 % as the row shows it: a rule in alert mode whose
    own lockout (taken in enforce mode, before the switch) still holds the account keeps
    "locked by this rule" (fresh-user trial 18a: the row read only "(alert)" while that
    lockout held); "locked already, no new action" is enforce mode's word, not shown for it."""
    if mode == "alert" and note not in (LOCKED_BY_THIS_RULE, LOCKED_UNDER_OLD):
        return ""
    return note


def _owns(lock, rule: str) -> bool:
    """Is this the rule's own lockout: held by it, or taken by it and extended by another
    rule since (took_over_rule: one timer per account)?"""
    return rule in (lock.rule, getattr(lock, "took_over_rule", "") or "")


def _own_lock(status: AccountStatus, rule: str) -> bool:
    """Does a lockout of this rule hold the whole account (its cooldown running)?"""
    return any(_owns(lk, rule) and lk.symbol is None for lk in status.lockouts)


def count_past(status: AccountStatus, r, tz: Optional[dt.tzinfo],
               now_ns: Optional[int]) -> tuple[str, bool]:
    """A trade count at or past its limit (trade_frequency_limit): (its words, whether they
    say the lockout) -- 'cooldown running until 10:42 CST' while its lockout holds; 'no
    cooldown of its own, the account is locked already by cooldown_after_loss until ...' while
    another one holds the account (risk takes none then: "locked already, no new action");
    else what the next trade does. Trial: '12/10 per hour 120% (the 10th starts a 30m00s
    cooldown)', out of date once the 10th had started it."""
    # its own lockout, also once another rule extended it (one timer per account: trial20a
    # section 4, the row said "no cooldown of its own" while history and the breach alert
    # said the rule took one, extended by cooldown_after_loss)
    locks = [lk for lk in status.lockouts if _owns(lk, r.rule) and lk.symbol is None]
    then = count_consequence(r.rule, r.limit, without_note(r.detail), r.params)
    if locks:
        lock = max(locks, key=lambda lk: lk.until_ns or 2 ** 63)
        ext = f", extended by {lock.rule}," if lock.rule != r.rule else ""
        if lock.until_ns is None:
            return f"locked{ext} {lock_end_words(lock)}", True
        # an end on this screen shows its seconds, as the LOCKED OUT banner's (showtime.end)
        end = showtime.end(lock.until_ns, tz or dt.timezone.utc,
                           now_ns if now_ns is not None else lock.until_ns)
        word = "cooldown running" if lock.kind == TIMER else "locked"
        other = lock_window(lock.reason) if lock.rule == r.rule else ""
        mine = window_of(without_note(r.detail)).strip()[len("per "):]
        if other and mine and other != mine and then:
            # another window's cooldown: this row says its own window's state, then whose
            # cooldown runs (trial22c: "11/12 per hour 92% (cooldown running until ...)" was
            # the minute's 2-minute cooldown, and the row no longer said the 12th starts 30)
            own = next_trade_words(r.rule, r.value, r.limit, without_note(r.detail),
                                   r.params)
            outlasts = _outlasts(lock, r.params, mine, now_ns)
            if outlasts:
                # its own window's cooldown, started by a trade now, would end before the one
                # running: that trade does not start it (risk: "no new action"; trial23c F8:
                # "over the limit: the next trade starts a 1m00s cooldown; per-hour cooldown
                # running until ..." read as if the next trade were allowed, 1 minute)
                who = "a trade now" if own else f"the {ordinal(int(r.limit))} trade"
                head = own.split(":", 1)[0] + "; " if own else ""
                return (f"{head}the per-{other} {word} until {end} outlasts the {outlasts} "
                        f"cooldown {who} would start"), True
            return f"{own or then}; per-{other} {word} until {end}", True
        return f"{word}{ext} until {end}", True
    held = [lk for lk in status.lockouts if lk.rule != r.rule and lk.symbol is None]
    if held:
        # risk took no cooldown of its own: another lockout holds the account (trial 14a:
        # "4/3 per minute 133% (over the limit: the next trade starts a 1m00s cooldown)
        # locked already, no new action", while cooldown_after_loss held it)
        lock = max(held, key=lambda lk: lk.until_ns or 2 ** 63)
        end = lock_end_words(lock) if lock.until_ns is None else \
            "until " + showtime.end(lock.until_ns, tz or dt.timezone.utc,
                                    now_ns if now_ns is not None else lock.until_ns)
        # 6/3 is over the limit, not at it (trial13a: "6/3 per minute 200% (at the limit:")
        where = "over the limit" if r.value > r.limit else "at the limit"
        return (f"{where}: no cooldown of its own, the account is locked already by "
                f"{lock.rule} {end}"), True
    k = held_counted(without_note(r.detail))
    if then and k and r.value - k < r.limit:
        # the limit is reached only if a fill riskd holds until its close in flight is
        # answered is the trader's: the cooldown starts then, not at "the next trade"
        who = "that fill is" if k == 1 else "those fills are"
        return f"if {who} the trader's, {then} when riskd's close is answered", False
    return next_trade_words(r.rule, r.value, r.limit, without_note(r.detail), r.params), False


def _outlasts(lock, params: dict, window: str, now_ns: Optional[int]) -> str:
    """The duration of `window`'s cooldown ('1m00s') when one a trade starts now would end at
    or before `lock`'s end (it adds nothing to it); '' when it would outlast it, or the
    figures are not known."""
    if lock.until_ns is None or now_ns is None or window not in ("minute", "hour", "session"):
        return ""
    try:
        seconds = int(Decimal(str((params or {}).get(f"per_{window}_cooldown"))))
    except (ArithmeticError, TypeError, ValueError):
        return ""
    if now_ns + seconds * NS_PER_S > lock.until_ns:
        return ""
    return table_duration(seconds)


GUARD_ENDS = "GUARD ENDS AT THE ROLL"
UNJUDGED = "POSITIONS NOT JUDGED"     # the rules on positions wait (shared/unjudged.py)
GUARD_ENDS_WHY = ("an admin disabled this account: riskd guards it until the roll, not after "
                  "(an admin's `riskctl accounts enable` cancels that)")


def waiting_note(rule: str, waiting: dict) -> str:
    """A rule row's note of a loosening waiting for the roll: '(limit 600.00 at roll)'; a rule
    switched off then reads '(off at the roll)' (trial22b finding 8: "(enabled false at
    roll)" showed a trader a config key)."""
    if waiting.get("enabled") in (False, "false"):
        return "(off at the roll)"
    return f"({waiting_text(rule, waiting)} at roll)"


def waiting_text(rule: str, waiting: dict) -> str:
    """'limit 600.00': the looser values waiting for the trading-day roll (numbers as every
    screen shows a rule's: shared/rulenumbers.py)."""
    return ", ".join(f"{k} {v}" for k, v in params_texts(rule, waiting).items())


def params_text(rule: str, params: dict) -> str:
    """A rule's parameters, short: empty ones left out ('symbols=none'), numbers as every screen
    shows a rule's (shared/rulenumbers.py): 'grace_seconds=10', 'target=300.00', cooldown
    tiers 'tiers=100.00->5m00s, 300.00->30m00s'."""
    parts = []
    for key, value in params_texts(rule, params).items():
        if value in ("[]", "{}", "None", "none", ""):
            continue
        parts.append(f"{key}={value}")
    return " ".join(parts)


def lock_end(lock, status: AccountStatus, now_ns: int, tz: dt.tzinfo) -> str:
    """The live countdown of a lockout, or how it ends when it has no end time (its end names
    its day and its seconds, as every time on the screen does: shared/showtime.end)."""
    until = lock.until_ns
    if until is None and lock.kind == UNTIL_RESET and status.next_roll_ns:
        until = status.next_roll_ns
    if until is not None:
        return (f"{fmt_countdown((until - now_ns) / NS_PER_S)} "
                f"(until {showtime.end(until, tz, now_ns)})")     # seconds, as the clock
    if lock.kind == MANUAL and lock.clears_on == SYMBOL_BLOCKS:
        return lock_end_words(lock)         # one wording for every screen (shared/lockwords)
    if lock.kind == MANUAL:
        return ("until the broker allows trading again or an admin unlocks"
                if lock.clears_on else "until an admin unlocks")
    return end_words(lock.kind if lock.kind == UNTIL_SESSION else UNTIL_RESET)   # lockwords


def failing_lines(status: AccountStatus, now_ns: int, tz: dt.tzinfo) -> list[str]:
    """Each action enforcement gave up on while its reason holds (risk tries it again,
    services/risk/retries.py), until it is resolved: "ENFORCEMENT FAILED Sat 19:17:05 CST:
    MNQ long 1 still open on a locked account; riskd tries again every 60 s (next Sat
    19:18:05 CST); act now: close it on the firm's platform"."""
    out = []
    for f in getattr(status, "failing", ()) or ():
        # a moment that happened, with its seconds as every time of this screen (its clock,
        # LAST ACTIONS, the next try beside it): "Sun 04:20:00 CST", never "Sun 04:20 CST"
        # (fresh-user trial 2026-12-06, where docs/operations.md shows seconds)
        when = showtime.at(showtime.down_to_second(f.first_failed_ns), tz, now_ns,
                           seconds=True)
        nxt = showtime.at(f.next_ns, tz, now_ns, seconds=True) if f.next_ns else ""
        if f.next_ns is not None and f.every_s >= RETRY_AFTER_S[-1]:
            again = f"riskd tries again every {f.every_s} s (next {nxt})"
        elif f.next_ns is not None:
            again = (f"riskd tries again at {nxt}, then less often, up to every "
                     f"{RETRY_AFTER_S[-1]} s")
        else:
            again = "riskd is trying again now"
        tries = f", {f.failures} failed attempts" if f.failures > 1 else ""
        out.append(f"ENFORCEMENT FAILED {when}: {f.still}{tries}; {again}; act now: {f.act}")
    return out


RISKD_DOWN = "NOT ENFORCED while riskd is down"


def not_enforced(state: WatchState) -> str:
    """Why no lockout is enforced now ('' when they are): riskd is down (RISKD_DOWN), or a
    worker that enforces one (market brings the fills, risk decides, enforcement closes) is not
    running: "NOT ENFORCED until risk and enforcement run" (trial16g section 10: during
    riskd's start the rows counted "LOCKED OUT 1d23h57m" down under "NOT GUARDED now: market
    not running; risk not running; enforcement not running"). An unreachable riskd (slow, not
    gone) says nothing: its workers may well run."""
    if not_live(state) == "riskd is not running":
        return RISKD_DOWN
    if state.reachable is False:
        return ""
    down = []
    for name, how in sorted(state.workers.items()):
        base = shards.base_name(name)
        if base in GUARD_WORKERS and how != "running" and base not in down:
            down.append(base)
    if not down:
        return ""
    down.sort(key=GUARD_WORKERS.index)
    names = down[0] if len(down) == 1 else ", ".join(down[:-1]) + " and " + down[-1]
    return f"NOT ENFORCED until {names} {'runs' if len(down) == 1 else 'run'}"


def _banners(status: AccountStatus, now_ns: int, tz: dt.tzinfo, unenforced: str = "",
             name: str = "") -> list[Banner]:
    """unenforced: why lockouts are not enforced now (not_enforced: riskd is down, a worker
    that enforces them is not running): a lockout is shown with its end but no countdown, said
    NOT ENFORCED, as the stop alert says it (trial16c: after SIGTERM `watch` kept "LOCKED OUT
    1d02h11m" counting down under "NOT LIVE: riskd is not running"). name: the account's name
    (shared/accountname.py named); a symbol's lockout says on which account ("CL LOCKED on Demo
    1 (id 1001)"), as every other line of a symbol does (trial17g: "CL LOCKED while CL is
    listed ..." stood above the account's header, readable as whose only by its place)."""
    if unenforced:
        return [b if b.kind in (accountguard.NOT_GUARDED, "BROKER BLOCKS TRADING", UNJUDGED)
                else
                attrs.evolve(b, countdown=unenforced, text=f"{b.text}; " + (
                    b.countdown.split("(", 1)[1].rstrip(")") if "(until " in b.countdown
                    else b.countdown))
                for b in _banners(status, now_ns, tz, name=name)]
    out = []
    off = getattr(status, "not_guarded", "") or ""
    if off:        # trial 2026-12-06: "LOCKED OUT" alone while nothing enforced the lockout
        out.append(Banner(kind=accountguard.NOT_GUARDED, text=off,
                          countdown="until an admin enables it"))
    elif getattr(status, "unguarded_at_roll", False) and status.next_roll_ns:
        # an admin's disable waiting for the roll: the biggest loosening of all, said as a
        # waiting rule loosening is (trial22b finding 5)
        out.append(Banner(kind=GUARD_ENDS, text=GUARD_ENDS_WHY,
                          countdown=f"{fmt_countdown((status.next_roll_ns - now_ns) / NS_PER_S)}"
                                    f" (at {showtime.end(status.next_roll_ns, tz, now_ns)})"))
    why = getattr(status, "positions_unjudged", "") or ""
    if why:         # only the trade rules judge the account now (shared/unjudged.py)
        since = status.positions_unjudged_since
        out.append(Banner(kind=UNJUDGED, text=f"{why}; {unjudged.STILL_ON}",
                          countdown=f"since {showtime.at(since, tz, now_ns, seconds=True)}"
                          if since else ""))
    # the lockout that holds longest first: the one the trader waits for (shared/lockwords)
    for lock in longest_first(status.lockouts, status.next_roll_ns):
        on = ""
        if lock.symbol:
            kind = f"{ticker(lock.symbol, lock.symbol)} LOCKED"
            on = called(name or named({}, status.account_id, status.name), status.account_id)
        elif lock.kind == TIMER and lock.rule not in ASKED_LOCKOUTS:    # a person's own lock
            kind = "COOLDOWN"                                           # is never a cooldown
        else:
            kind = "LOCKED OUT"
        who = "" if lock.by == "rule" else f" (by {lock.by})"
        holder = holder_words(lock)       # one lockout, and whose cooldown it extends
        text = f"{holder}{who}: {lock.reason}" if lock.reason else f"{holder}{who}"
        if lock.rule == ADMIN_LOCKOUT:          # never read as the trader's own
            text = lock.reason if lock.reason.startswith(BY_ADMIN) else \
                f"{BY_ADMIN}: {lock.reason}" if lock.reason else BY_ADMIN
        if off:
            text = f"{accountguard.NOT_ENFORCED}; {text}"
        out.append(Banner(kind=kind, text=text, countdown=lock_end(lock, status, now_ns, tz),
                          on=on))
    if not status.can_trade and not any(b.kind == "LOCKED OUT" for b in out):
        out.append(Banner(kind="BROKER BLOCKS TRADING", text="the broker reports canTrade = false",
                          countdown="until the broker allows trading again"))
    return out


CLOSES = ("close_position", "flatten")
CLOSING = "closing"


def closed_since(state: WatchState, status: AccountStatus) -> set:
    """The contracts enforcement reports closed AFTER risk made these figures (the result
    comes on its own stream, often before the position update): shown marked CLOSING, never
    as open and untouched beside a done close. '*' stands for every contract (a flatten)."""
    return {row.contract_id if row.action == "close_position" else "*"
            for row in state.actions.values()
            if row.account_id == status.account_id and row.status == "done"
            and row.action in CLOSES and row.finished_ns > status.ts_ns
            and (row.contract_id or row.action == "flatten")}


def _position_lines(status: AccountStatus, closed: frozenset = frozenset(),
                    now_ns: Optional[int] = None) -> list[PositionLine]:
    return [PositionLine(ticker=ticker(p.contract_id, p.symbol), side=p.side, size=p.size,
                         average=fmt_price(p.average_price, like=(p.last,)),
                         last=fmt_price(p.last),
                         unrealized=fmt_money(p.unrealized), colour=pnl_colour(p.unrealized),
                         note=CLOSING if closed & {"*", p.contract_id} else
                         _price_age(p, now_ns))
            for p in status.positions]


def _price_age(p, now_ns: Optional[int]) -> str:
    """'price 1m42s old' for a valued position whose last quote is old (pricewords), as
    `riskctl positions` says it (second trial 2026-12-06: with the quotes silent, positions
    showed the age and watch/status did not; the open PnL is as of that price)."""
    if now_ns is None or p.unrealized is None:
        return ""           # no open PnL: the unrealized note says why, with the age
    age = pricewords.age_words(p.quoted_ns, now_ns)
    return f"price {age}" if age else ""


def _action_lines(state: WatchState, account_id: int, tz: dt.tzinfo, now_ns: int,
                  since_ns: int = 0) -> list[ActionLine]:
    """Today's actions of an account (since_ns: the trading day's start), newest first; each
    time names its day (shared/showtime.py)."""
    rows = sorted((a for a in state.actions.values()
                   if a.account_id == account_id and a.ts_ns >= since_ns),
                  key=lambda a: a.ts_ns, reverse=True)
    status = state.accounts.get(account_id)
    ended = dict(getattr(status, "ended", None) or {})
    # how each row's lockout ended, when it ended early (an unlock, the broker): as history
    locks_ended = lockends.ends_of(rows[:MAX_ACTIONS], state.lockout_changes, tz, now_ns)
    out = []
    for a in rows[:MAX_ACTIONS]:
        quiet = _quiet_line(a, tz, now_ns, locks_ended.get(id(a), ""))
        if quiet is not None:               # no command of riskd's: a lockout, a late close
            out.append(quiet)
            continue
        outcome = outcome_text(a.status, a.acted, a.tries, ended.get(a.decision_id, ""),
                               a.waits_for, a.waits_behind)
        shown = a                           # whose outcome the row's colour follows
        if a.left_to:                       # taken by riskd's cut in flight: that one's
            cut, _n = _try_row(state, a.left_to)
            outcome = outcomewords.left_to_cut(
                outcomewords.acted_cell(cut.rule, cut.by) if cut is not None else "")
            shown = cut if cut is not None else a
        colour = {"done": "green", "failed": "red", "pending": "amber",
                  "accepted": "amber", NOT_KNOWN: "amber"}.get(shown.status, "dim")
        alert = outcomewords.alert_only(a.status, a.would, a.detail)
        if alert is not None:               # alert mode: what it would have done, said
            out.append(ActionLine(time=showtime.at(a.ts_ns, tz, now_ns, seconds=True)
                                  if a.ts_ns else "-",
                                  rule=outcomewords.acted_cell(a.rule, a.by) or "-",
                                  action=a.action or "-", status=a.status, outcome=alert[0],
                                  note=alert[1], latency="-", colour="dim",
                                  contract=_contract(a)))
            continue
        out.append(ActionLine(time=showtime.at(a.ts_ns, tz, now_ns, seconds=True)
                              if a.ts_ns
                              else "-",
                              rule=outcomewords.acted_cell(a.rule, a.by) or "-",
                              action=a.action or "-", status=a.status,
                              outcome=outcome,
                              note=outcomewords.waiting_words(a.waits_behind)
                              if a.status == "accepted" and a.waits_behind
                              else outcomewords.at_broker_words(
                                  showtime.start(a.at_broker_ns, tz, now_ns))
                              if a.status == "accepted" and a.at_broker_ns
                              else "; ".join(n for n in (
                                  under_way_note(state, a, tz, now_ns)
                                  or _bought_while_locked(state, a) or found_flat_note(a),
                                  _lock_said(a, tz, now_ns, locks_ended)) if n),
                              latency=fmt_latency(a.latency_ms) if a.latency_ms is None
                              else roundslatency.first_cell(a.latency_ms, a.timed_out_s)
                              if a.done_ms is None
                              else roundslatency.column(a.latency_ms, a.done_ms,
                                                        a.timed_out_s),
                              colour=colour, contract=_contract(a)))
    return out


def _contract(a: ActionRow) -> str:
    """The contract an action acted on, as the screens name it ('MNQ'); '' for the account
    (trial20a section 7: two 'no_stop_loss_grace close_position done' rows, MNQ and ES)."""
    if a.contract_id:
        return ticker(a.contract_id)
    return a.symbol or a.lock_symbol or ""


def _lock_said(a: ActionRow, tz: dt.tzinfo, now_ns: int, locks_ended: dict) -> str:
    """The line under a command's row whose decision locked the account: a lock to the roll
    (the session, a manual one) said (trial23a finding 1: a flatten to the roll said only
    "flatten done"), and any lock that ended early, with how; '' for a row with no lockout of
    its own (none taken, alert mode, one that added nothing), and for a cooldown that runs
    its time (the banner counts it down)."""
    if a.lock is None or a.status == "alert only" or a.status.startswith(
            "not sent: locked already"):
        return ""
    ended = locks_ended.get(id(a), "")
    if ended or (a.lock.kind != TIMER and not a.status.startswith("not sent")):
        return lockends.lock_note(a, tz, now_ns, ended)
    return ""


def _quiet_line(a: ActionRow, tz: dt.tzinfo, now_ns: int,
                ended: str = "") -> Optional[ActionLine]:
    """The row of an action with no command of riskd's (cli/watch/quietrows.py): a lockout
    taken with no broker call, a fill taken as a close carried out late; None for a command.
    ended: how the lockout ended early (lockends.ends_of): the outcome says when, the line
    under it how, as history does."""
    time = showtime.at(a.ts_ns, tz, now_ns, seconds=True) if a.ts_ns else "-"
    if a.action == quietrows.LOCK:
        outcome = quietrows.lock_outcome(a.status, a.lock_until_ns, a.lock_kind,
                                         a.lock_clears_on, a.lock_symbol, a.ts_ns, tz, now_ns)
        colour = "dim" if a.status in ("alert only", quietrows.HELD) else "amber"
        note = ""
        if lockends.ENDED_EARLY in ended and a.status in (quietrows.LOCKED,
                                                          quietrows.EXTENDED):
            outcome = f"{lockends.ENDED_EARLY} {lockends.early_at(ended)}"
            note, colour = lockends.lock_note(a, tz, now_ns, ended), "dim"
        return ActionLine(time=time, rule=outcomewords.acted_cell(a.rule, a.by) or "-",
                          action=a.action, status=a.status, outcome=outcome, note=note,
                          latency=quietrows.NO_CALL, colour=colour, contract=_contract(a))
    if a.status in (quietrows.OPENED, quietrows.DURING):
        who = quietrows.OPENED_WHO if a.status == quietrows.OPENED else quietrows.DURING_WHO
        return ActionLine(time=time, rule=who, action=a.action,
                          status=a.status, outcome=afterclosewords.row_words(a.detail)[2],
                          latency="-", colour="amber", contract=_contract(a),
                          note=a.detail)
    if a.status == quietrows.LATE:
        return ActionLine(time=time, rule=quietrows.LATE_WHO, action=a.action, status=a.status,
                          outcome=quietrows.late_outcome(a.detail), latency="-", colour="amber",
                          contract=_contract(a))
    return None


FOUND_FLAT = " was already flat: "      # services/enforcement/closedby.already's words
# a reduce's position closed by others' orders (services/enforcement/actions/reduce_position
# _closed_by's words): "MNQ on account ... was closed: closed by the trader's sell of 4 ..."
REDUCE_FOUND_CLOSED = " was closed: "


def found_flat_note(a: ActionRow) -> str:
    """The line under a close whose own call found the contract already flat, when its result
    names what made it flat (services/enforcement/closedby.already): "already flat: closed by
    the trader's buy of 1 at Mon 06:04:08 CST (order 9000053) while this close was in flight, 1
    order cancelled", as history says it (trial 21b finding 8: the row read 'done 5.0s' and no
    more); a reduce whose cut was refused and whose position other orders closed (check25
    item 3) what closed it, as history says it; '' for any other row."""
    if a.status != outcomewords.DONE:
        return ""
    if FOUND_FLAT in a.detail:
        return "already flat: " + a.detail.split(FOUND_FLAT, 1)[1]
    if a.acted is False and a.action == "reduce_position" and REDUCE_FOUND_CLOSED in a.detail:
        # a reduce whose cut was refused, its position closed by other orders (the trader's
        # sell): which ones (check25 item 3: the row read "done" and no more)
        return a.detail.split(REDUCE_FOUND_CLOSED, 1)[1]
    return ""


def _bought_while_locked(state: WatchState, a: ActionRow) -> str:
    """The line under a done cut that closed, beyond its count, contracts lockout enforcement
    left to it (bought while locked): enforcement's "closed 6, 4 more than asked" and
    history's words for them (shared/outcomewords.bought_while_locked); '' otherwise."""
    sizes = [r.size for r in state.actions.values()
             if r.left_to and _try_row(state, r.left_to)[0] is a]
    words = outcomewords.bought_while_locked(a.status, a.detail, sizes,
                                             own=a.rule == outcomewords.LOCKOUT_RULE,
                                             own_size=a.size)
    return f"{outcomewords.more_than_asked(a.detail)}; {words}" if words else ""


def outcome_text(status: str, acted: Optional[bool], tries: int = 1, ended: str = "",
                 waits_for: str = "", waits_behind: str = "") -> str:
    """The OUTCOME column: 'done' only when enforcement traded; a command that found nothing
    to do (the account or contract was already flat: no trading call was answered) says so,
    as history does ('done: ... was already flat'); a later try of a failed action says
    which ('done, 3rd attempt', 'failed, 2nd attempt', 'pending, 4th attempt'): riskd's
    attempts are its commands, enforcement's broker calls inside one are calls. A failed
    action that ended without riskd says how, not its last attempt ('failed, then closed
    outside riskd': risk's status, AccountStatus.ended)."""
    if status == "failed" and ended:
        return f"failed, then {ended}"
    text = outcomewords.outcome_word(status, acted)     # as history's (shared/outcomewords)
    # held by enforcement until the market opens: 'waits: market closed'; queued behind
    # another command of the account: 'waiting', with behind what under the row
    # (progress_word, _action_lines)
    text = outcomewords.progress_word(text, waits_for, waits_behind)
    return f"{text}, {ordinal(tries)} attempt" if tries > 1 else text


def unrealized_note(status: AccountStatus, now_ns: int) -> str:
    """Why the open PnL is partial, position by position, as `riskctl positions` says it
    (shared/pricewords.py): '(partial: MNQ: no quote since it opened (last 20680.00, 4m12s
    old))'. A status from a risk without the reasons says '(partial: no quote yet)'."""
    if status.unrealized_complete:
        return ""
    whys = [pricewords.unvalued_words(ticker(p.contract_id, p.symbol), p.unvalued, p.last,
                                      p.quoted_ns, now_ns)
            for p in status.positions if p.unrealized is None and getattr(p, "unvalued", "")]
    return f"(partial: {'; '.join(whys)})" if whys else "(partial: no quote yet)"


def held_fills(status: AccountStatus) -> int:
    """How many fills the rules count that may be riskd's own close still in flight (the
    rule rows' aside, held_counted): the header's `trades` leaves them out, and says so
    beside it (trial20c section 6: 'trades 1' over 'trade_frequency_limit 2/3 per minute;
    counting 1 fill that may be riskd's own close still in flight')."""
    return max((held_counted(without_note(r.detail)) for r in status.rules
                if getattr(r, "detail", "")), default=0)


def account_view(state: WatchState, status: AccountStatus, now_ns: int,
                 tz: dt.tzinfo, since_ns: int = 0) -> AccountView:
    net = status.realized + status.unrealized
    name = named(state.labels, status.account_id, status.name)
    banners = _banners(status, now_ns, tz, not_enforced(state), name)
    return AccountView(
        account_id=status.account_id, name=name,
        trading_day=status.trading_day, balance=fmt_money(status.balance, signed=False),
        realized=fmt_money(status.realized), unrealized=fmt_money(status.unrealized),
        net=fmt_money(net), net_colour=pnl_colour(net), fees=fmt_money(status.fees, signed=False),
        trades=status.trades_today, open_orders=status.open_orders, can_trade=status.can_trade,
        locked=any(not lock.symbol for lock in status.lockouts),
        unrealized_note=unrealized_note(status, now_ns),
        bars=_bars(status, tz, now_ns), banners=banners, failing=failing_lines(status, now_ns, tz),
        positions=_position_lines(status, frozenset(closed_since(state, status)), now_ns),
        rules=_rule_lines(status, tz, now_ns), actions=_action_lines(state, status.account_id, tz, now_ns,
                                                         since_ns),
        trades_held=held_fills(status),
        rules_off=sum(1 for r in status.rules if not r.enabled),
        rules_off_names=tuple(off_name(r) for r in status.rules if not r.enabled),
        not_guarded=getattr(status, "not_guarded", "") or "")


def off_name(rule) -> str:
    """A rule switched off as the RULES line's "off:" names it: with the note risk wrote when
    its own lockout still holds the account, "daily_realized_loss (locked by this rule under
    its old setting)" (fresh-user trial 21a section 3: "off: daily_realized_loss" beside the
    banner of its lockout read as if an unlock were due)."""
    note = note_of(rule.detail)
    return f"{rule.rule} ({note})" if note else rule.rule


def _broker(state: WatchState) -> tuple[str, Optional[bool]]:
    market = state.workers.get("market")
    if market is not None and market != "running":
        # what market said last is not what runs now: no feed without market
        return f"unknown (market {market})", False
    if not state.connections:
        return ("unknown" if market in (None, "running") else f"unknown (market {market})", None)
    conns = sorted(state.connections.values(), key=lambda c: c.hub)
    if all(c.state == "connected" for c in conns):
        return "connected", True
    # a market hub reconnected only because its feed was quiet says so (not counted as
    # unguarded while the user hub is up: services/supervisor/guard.py)
    return ", ".join(f"{c.hub} {c.state}" + (" (quiet feed)" if getattr(c, "precaution", False)
                                              else "") for c in conns), False


def not_live(state: WatchState) -> str:
    """Why the account figures on the screen are not live ('' when they are): riskd is not
    reachable, a risk worker is not running, or risk did not answer. Then what is shown is
    the last known, each account marked with its time (docs/operations.md, When risk is not
    running)."""
    if state.reachable is False and state.supervisor_gone:
        return "risk is not running" if state.left else "riskd is not running"
    if state.reachable is False:
        return "riskd not reachable"
    down = [(n, s) for n, s in sorted(state.workers.items())
            if shards.base_name(n) == shards.RISK and s != "running"]
    if len(down) == 1:
        name, how = down[0]
        return f"{name} is stopped" if how == "stopped" else f"{name} is not running ({how})"
    if down:
        return "not running: " + ", ".join(f"{n} ({s})" for n, s in down)
    if state.risk_problem:
        return riskwhy.clause(state.risk_problem)    # one short clause (riskwhy.py)
    return ""


def market_down(state: WatchState) -> bool:
    """market (the broker connection, the prices) is not running: what risk values positions
    with is its last quote, not the broker's price now (trial: a position at -240 read +1.50
    as if live)."""
    if state.reachable is False:
        return (state.supervisor_gone and "market" not in state.left
                and ("market" in state.workers or "market" in state.configured))
    return state.workers.get("market", "running") != "running"


def risk_left(state: WatchState) -> bool:
    """riskd's supervisor is gone but every risk worker it knew still runs (its pid file)."""
    risks = {n for n in (*state.workers, *state.left, *state.configured) if shards.base_name(n) == shards.RISK}
    return state.supervisor_gone and bool(risks) and risks <= set(state.left)


def as_of(ns: int, tz: dt.tzinfo, now_ns: int) -> str:
    """'figures as of Wed 08:41:12 CST': when risk made the figures shown."""
    return f"figures as of {showtime.at(ns, tz, now_ns, seconds=True)}"


def not_live_line(stale: str, status: AccountStatus, tz: dt.tzinfo, now_ns: int) -> str:
    """An account panel's mark: 'NOT LIVE: risk is stopped; figures as of Wed 08:41:12 CST'
    (the why is a clause of its own: never parentheses around a reason that has some)."""
    return f"NOT LIVE: {stale}; " + as_of(status.ts_ns, tz, now_ns)


def started_since(state: WatchState) -> str:
    """The risk worker whose start the history's refusal gave as its reason ("risk is
    starting: try again in a few seconds", services/supervisor/unreachable.py) when every
    risk worker runs now ('' otherwise): the reason is past, the source asks again."""
    problem = state.actions_problem
    name = problem.split(" ", 1)[0]
    if shards.base_name(name) != shards.RISK or state.workers.get(name) != "running" \
            or not problem.startswith((f"{name} is starting", f"{name} is restarting")) \
            or not_live(state):
        return ""
    return name


def actions_note(state: WatchState, view: AccountView, stale: str = "") -> str:
    """Why LAST ACTIONS is not the whole truth ('' when it is): today's actions could not be
    read (risk is stopped: "none" would be a false fact), or an action's outcome is not known
    (enforcement is stopped: "pending" would be one)."""
    notes = []
    started = started_since(state)
    if not state.actions_read:        # the first frames, before riskd answered: not "none"
        notes.append(f"{'earlier ' if view.actions else ''}actions today: asking riskd")
    elif started:
        # the answer's "risk is starting" was true when asked; the screen shows risk running
        # now (trial16g section 10): asked again, never said as now
        notes.append(f"{'later ' if view.actions else ''}actions today: asking riskd again "
                     f"({started} was starting when asked)")
    elif state.actions_problem and view.actions:
        # the rows above were read: what cannot be is any since (trial16c: "+9 more today
        # (riskctl history)" right above "earlier actions today cannot be read")
        why = stale or state.actions_problem
        notes.append(f"later actions cannot be read while {why}" if stale else
                     f"later actions cannot be read ({why})")
    elif state.actions_problem:
        why = stale or state.actions_problem
        notes.append(f"actions today cannot be read while {why}" if stale else
                     f"actions today cannot be read ({why})")
    unknown = {row.detail for row in state.actions.values()
               if row.account_id == view.account_id and row.status == NOT_KNOWN}
    notes += sorted(unknown)
    return "; ".join(notes)


def build_screen(state: WatchState, now_ns: int, tz: dt.tzinfo, calendar,
                 selected: int = 0, refreshes: bool = False) -> Screen:
    """Everything the screen shows at now_ns (tz: the display zone, shared/showtime.py;
    calendar: trading days; refreshes: the screen updates itself (watch), so a state that
    passes by itself says so, where `riskctl status` says to run it again)."""
    day = calendar.trading_day(now_ns)
    to_roll = fmt_countdown((calendar.next_roll(now_ns) - now_ns) / NS_PER_S)
    broker, broker_ok = _broker(state)
    failing = failing_channels(state.channels)
    if state.reachable is False and state.supervisor_gone:
        # the supervisor is gone: its workers' pid files say which still run (as status says)
        left = set(state.left)
        workers = [WorkerDot(name=n, state="running" if n in left else "not running",
                             healthy=n in left)
                   for n in sorted(set(state.workers) | left | set(state.configured))]
        broker, broker_ok = "unknown (riskd's supervisor is not running)", None
    elif state.reachable is False:    # what riskd said last is not what runs now: no green
        workers = [WorkerDot(name=n, state="unknown", healthy=False)
                   for n in sorted(state.workers)]
        broker, broker_ok = "unknown (riskd not reachable)", None
    else:
        workers = [WorkerDot(name=n, state="degraded" if n == "notify" and s == "running"
                             and failing else s, healthy=s == "running"
                             and not (n == "notify" and failing))
                   for n, s in sorted(state.workers.items())]
    header = Header(clock=showtime.at(now_ns, tz, now_ns, seconds=True),
                    trading_day=day.isoformat(),
                    to_roll=to_roll, broker=broker, broker_ok=broker_ok, workers=workers)
    stale = not_live(state)
    # risk left running by a killed supervisor still sends its figures on its own stream: they
    # are risk's latest (their time moves only because risk made new ones), and said so
    streamed = state.reachable is False and risk_left(state)
    if streamed:
        stale = ""
    figures = (as_of(min(a.ts_ns for a in state.accounts.values()), tz, now_ns)
               + (", sent by risk itself (it still runs)" if streamed else ", not live")
               if state.accounts else "no figures known")
    guard = "NOT GUARDED now: " + "; ".join(state.unguarded) if state.unguarded else ""
    # an account an admin disabled: the rest are guarded, never "guarded" for all of them
    name_of = lambda aid: called(named(state.labels, aid, state.accounts[aid].name), aid)  # noqa: E731
    left_out = accountguard.exceptions(state.accounts.values(), name_of) \
        + [f"{u}: {accountguard.UNREPORTED}" for u in state.unreported]
    failed = accountguard.failed_on(state.accounts.values(), name_of)
    # risk found a held price stale (shared/quietprice.py): the line of `riskctl status`
    stale_prices = pricewords.stale_lines(state.accounts.values(), now_ns, ticker)
    if state.reachable is False:
        since = ""
        if state.unreachable_since_ns is not None:
            since = f" (for {fmt_countdown((now_ns - state.unreachable_since_ns) / NS_PER_S)})"
        # nothing listens: the words of `riskctl status` (riskd is not running, or only its
        # supervisor is gone); else riskd is there but silent
        what = state.problem if state.supervisor_gone else "riskd not reachable"
        notice, level = f"{what} -- retrying{since}", "error"
        if state.accounts:
            notice += f"; {figures}"
    elif state.reachable is None:
        notice, level = "connecting to riskd ...", "warning"
    elif stale:                       # the figures are risk's last known, never shown as live
        passes = bool(state.risk_problem) and stale == riskwhy.clause(state.risk_problem) \
            and riskwhy.transient(state.risk_problem)
        advice = (riskwhy.UPDATES if refreshes else riskwhy.AGAIN) if passes else ""
        notice = "; ".join(x for x in (f"{stale}: {figures}", guard, advice) if x)
        level = "error" if guard else "warning"
    elif guard:                       # the words of `riskctl status`
        notice, level = guard, "error"
    elif stale_prices or left_out or failed:
        # held prices with no quote, an account left out, an action enforcement failed: the
        # header of `riskctl status`, from the same function (trial15b: watch said "guarded
        # now except Carl eval ..." where status said "ENFORCEMENT FAILED on Ana funded ...")
        notice = accountguard.head([], state.accounts.values(), name_of,
                                   unreported=state.unreported, stale=stale_prices,
                                   failed=failed)
        level = "error" if failed else "warning"
    else:
        notice, level = "", ""
    day_start = calendar.start_of(day)
    accounts = [account_view(state, s, now_ns, tz, day_start)
                for _id, s in sorted(state.accounts.items())]
    if stale:
        accounts = [attrs.evolve(a, not_live=not_live_line(
            stale, state.accounts[a.account_id], tz, now_ns)) for a in accounts]
    down = market_down(state)
    why = why_not_live(down, state.connections.values())
    if why:
        # prices and open PnL are market's last quote's (market down, or its quote feed not
        # connected: the broker is down or unreachable); with market down the positions,
        # orders and counts too are its last message's (trial24b F2)
        accounts = [attrs.evolve(a, not_live="; ".join(x for x in (a.not_live, prices_line(
            state.accounts[a.account_id], tz, now_ns, why, state.market_heard_ns)) if x))
            for a in accounts]
    if down:
        # said before the figures arrive too: the supervisor's status comes a request ahead of
        # risk's figures, and a notice that grew then was written twice (trial18a section 9:
        # "NOT GUARDED now: market not running" and under it the same with the prices' note)
        if state.reachable is not False:
            notice = "; ".join(x for x in (
                notice, notice_words(state.market_heard_ns, tz, now_ns)) if x)
            level = "error"
    accounts = [attrs.evolve(a, actions_note=actions_note(state, a, stale)) for a in accounts]
    selected = min(max(selected, 0), max(len(accounts) - 1, 0))
    health = [] if state.reachable is False else health_notes(state.config, state.channels, tz,
                                                                   now_ns)
    if state.foreign:                 # said whether riskd answers or not: it is on the streams
        health = [*health, (foreign_words(state.foreign), "warning")]
    if state.other_riskd and state.reachable is not False:     # first: all the rest is its
        health = [(state.other_riskd, "error"), *health]
    return Screen(header=header, notice=notice, notice_level=level, accounts=accounts,
                  selected=selected, health=health, empty=no_figures(state, stale, tz, now_ns))


WAITING = "no account status yet"


def no_figures(state: WatchState, stale: str, tz: dt.tzinfo, now_ns: int) -> str:
    """What the screen says where the accounts would be while it has no figures of any: "no
    account status yet" only while they are on their way (connecting, riskd answering, risk
    running); else plainly that they, and today's actions, cannot be read, and why: riskd
    or risk is not running, since when if known (the supervisor's last sign of life, or
    when this screen lost it). Trial 2026-12-06: a watch opened with the supervisor and risk
    both gone said only "no account status yet" (docs/operations.md: the actions "cannot be
    read")."""
    unread = "no account figures, and today's actions cannot be read"
    if state.reachable is None:
        return WAITING
    if state.reachable is False and state.supervisor_gone:
        since = state.alive_ns or (state.unreachable_since_ns if state.reached else None)
        when = f" since {showtime.start(since, tz, now_ns)}" if since else ""
        if not state.left:
            return (f"riskd {'has not been' if when else 'is not'} running{when}: {unread} "
                    f"until it is started again")
        if risk_left(state):
            return "no account figures yet: asking risk itself (riskd's supervisor is not running)"
        risks = sorted({n for n in (*state.workers, *state.configured)
                        if shards.base_name(n) == shards.RISK} - set(state.left)) or [shards.RISK]
        down = " and ".join(risks)
        sup = f"has been down{when}" if when else "is not running"
        return (f"{down} {'is' if len(risks) == 1 else 'are'} not running, and riskd's "
                f"supervisor {sup}: {unread}")
    if state.reachable is False:
        when = (f" since {showtime.start(state.unreachable_since_ns, tz, now_ns)}"
                if state.reached and state.unreachable_since_ns else "")
        return f"riskd not reachable{when}: {unread}"
    if stale:                 # riskd answers, risk does not, and no figures of it are known
        return f"no account figures known: {stale}"
    return WAITING


def screen_fields(screen: Screen) -> dict:
    """The Screen as plain JSON-able values (riskctl status --json)."""
    return attrs.asdict(screen)
