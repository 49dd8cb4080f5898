"""Risk messages: decisions, warnings, lockouts, the per-account status, and risk's requests.

Published by the risk worker on its PUB socket (topics in shared/topics.py:
'decision', 'warning', 'lockout', 'status.<account>'), answered on its
control socket (RiskStatusRequest, LockoutsRequest, UnlockRequest,
SelfLockRequest, AdminLockRequest, HistoryRequest, RulesRequest). Money is Decimal; times are
UTC integer nanoseconds.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

import attrs

# Actions a decision may ask for (RULES.md "Actions"); "none" only records (e.g. a warning-free
# lockout extension) and never reaches enforcement.
ACTION_NONE = "none"
CLOSE_POSITION = "close_position"
REDUCE_POSITION = "reduce_position"
FLATTEN = "flatten"
CANCEL_ORDERS = "cancel_orders"
MODIFY_STOP = "modify_stop"
ACTIONS = (ACTION_NONE, CLOSE_POSITION, REDUCE_POSITION, FLATTEN, CANCEL_ORDERS, MODIFY_STOP)

# Lockout kinds (RULES.md): a timer ends at until_ns, until_reset at the next trading-day roll,
# until_session at the next session start, manual when an admin unlocks or the broker
# condition named in `clears_on` clears (e.g. "can_trade").
TIMER, UNTIL_RESET, UNTIL_SESSION, MANUAL = "timer", "until_reset", "until_session", "manual"
LOCK_KINDS = (TIMER, UNTIL_RESET, UNTIL_SESSION, MANUAL)

ENFORCE, ALERT = "enforce", "alert"

# Decision.what of a flatten sent while risk's book shows nothing open (it is sent all the
# same: enforcement reads the broker; services/risk/acting.py self_lock): the alert says
# nothing is open rather than "flatten every position" (services/notify/templates.py)
FLATTEN_NOTHING_SEEN = "flatten: close 0 positions, cancel 0 orders"

# Decision.suppressed of a breach under a lockout another rule holds as long or longer: recorded,
# no action, its own lockout taken by the one in force (RULES.md: each breach records)
LOCKED_ALREADY = "locked already, no new action"
# Decision.suppressed of lockout enforcement's cut of contracts bought while locked that a
# close or reduce already in flight on the contract takes with it (it cuts down to its target
# whatever it reads): recorded, with no second close (trial13a: 4 contracts bought while
# locked were closed inside max_contracts's reduce, and no line told the trader)
LEFT_TO_ONE_IN_FLIGHT = "left to riskd's cut in flight"
# ... and on the screens, the rule whose own lockout holds the account (trial: the RULES panel
# said "locked already, no new action" against the very rule that had locked it)
LOCKED_BY_THIS_RULE = "locked by this rule"
# ... and of a rule back under its limit (a looser setting taken since: `rules override`) whose
# lockout, taken under the setting before, still holds the account (fresh-user trial 19a: the
# row read "-629.42/-1,000.00 63%" with no note under a banner "locked by daily_net_loss")
LOCKED_UNDER_OLD = "locked by this rule under its old setting"
# Decision.suppressed of a breach that extended the rule's own lockout in force: recorded, the
# same action not taken twice ("its own lockout extended: account 1001 locked (timer)"; fresh-
# user trial 2026-12-06: "already locked: ... by cooldown_after_loss, extended" named the rule
# as if another lockout held it)
OWN_EXTENDED = "its own lockout extended"
# ... of a breach whose own cooldown would end in the same second as the rule's lockout in
# force (a trade in the same second as the one before it, while locked): recorded, no new
# action (trial16g finding 6: a burst's trade count went 4 -> 6 with no line for the 5th).
# Said as what it is: the words before (OWN_SAME_END_BEFORE, kept in stored rows) read "its own
# lockout ends in that second already" beside "locked until 03:27:45", 15 minutes later
# (fresh-user trial 20b section 6)
# Those read as jargon in turn, "nothing sent: this breach's lockout would end in the same
# second as its own lockout in force" (trial23a finding 3: sent to whom? in force?): said as
# no new action, and why, first
OWN_SAME_END = ("no new action: the lockout this breach would start ends in the same second "
                "as the one already running")
OWN_SAME_END_BEFORE = "its own lockout ends in that second already"
OWN_SAME_END_20B = "this breach's lockout would end in the same second as its own lockout in force"
OWN_SAME_END_OLD = (OWN_SAME_END_BEFORE, OWN_SAME_END_20B)     # kept in stored rows


def same_end(suppressed: str) -> bool:
    """A breach recorded with no new action because its lockout would end in the same second
    as the rule's own one running (OWN_SAME_END, or its words before in a stored row)."""
    return (suppressed or "").startswith((OWN_SAME_END, *OWN_SAME_END_OLD))


def same_end_now(text: str) -> str:
    """A stored row's words of OWN_SAME_END before, in the words now."""
    for old in OWN_SAME_END_OLD:
        text = text.replace(old, OWN_SAME_END)
    return text


def note_of(detail: str) -> str:
    """The note risk wrote after a rule's reading (services/risk/views.past_limit_note):
    LOCKED_BY_THIS_RULE, LOCKED_ALREADY, or '' when it wrote none. The screens show this, never
    a guess from the lockouts alone (a rule that takes no lockout still acts under one:
    trial 2026-12-05, "max_contracts 2/1 200% locked already, no new action" beside its
    pending reduce)."""
    for note in (LOCKED_UNDER_OLD, LOCKED_BY_THIS_RULE, LOCKED_ALREADY):
        if (detail or "").endswith(f"; {note}"):
            return note
    return ""


def without_note(detail: str) -> str:
    """The reading of a rule's detail without risk's note after it ('4 of 10 trades per hour',
    whose window the screens read at its end)."""
    note = note_of(detail)
    return detail[:len(detail) - len(note) - 2] if note else (detail or "")


@attrs.frozen(kw_only=True)
class LockSpec:
    """The lockout a decision asks for: kind, scope (symbol None = the whole account), end."""
    kind: str
    until_ns: Optional[int] = None
    symbol: Optional[str] = None
    clears_on: str = ""


@attrs.frozen(kw_only=True)
class Decision:
    """One breach (or automation step) and what to do about it; the record behind log, alert,
    status and history alike."""
    id: str
    ts_ns: int
    rule: str
    account_id: int
    action: str
    mode: str = ENFORCE
    value: Optional[Decimal] = None
    limit: Optional[Decimal] = None
    contract_id: Optional[str] = None
    order_id: Optional[int] = None
    size: Optional[int] = None
    stop_price: Optional[Decimal] = None
    lock: Optional[LockSpec] = None
    reason: str = ""
    event_ns: int = 0          # time of the broker event that triggered it (latency figures)
    suppressed: str = ""       # non-empty: recorded, but not acted on (why)
    by: str = ""               # who acted: "rule <name>", "trader (self-lockout)", "admin",
                               # "lockout (<rule>'s)"
    what: str = ""             # what was (or, in alert mode, would have been) done, in words
    command_id: str = ""       # the command it was carried out by, when not '<id>.1' (the
                               # kill switch's flatten, which enforcement numbers itself)
    target: Optional[int] = None   # reduce_position: the contracts the position is to end at
    # lockout enforcement: the lockout in force it acted for (the one covering its scope that
    # ends last, as risk knew them all), and that lockout's rule; the alert's "locked until"
    # (and a trader's or an admin's own lockout that changed none: the lockout that holds the
    # account as long or longer, its "unchanged: already locked until X")
    under: Optional[LockSpec] = None
    under_rule: str = ""
    # a trader's or an admin's own lockout that changed no lockout (its lock is None): the
    # lock it asked for, kept so history and its alert say what was asked (trial16g finding 5)
    asked: Optional[LockSpec] = None
    # a rule's close or reduce sent beside lockout enforcement's close of all of its contract,
    # in flight: that close's command id. The lockout closes the whole position, so notify
    # logs this breach (and its Done) without sending it to the phone; history keeps it
    beside: str = ""
    # the broker's name of the account as risk knew it ('' when it did not): an account the
    # config names by its id alone, or not at all, is named by it in alerts and history
    # (shared/accountname.named; trial17b: "Breach max_contracts on 1003" for SIM-DEMO-3)
    account_name: str = ""


def command_key(d: Decision) -> str:
    """The command id a decision is (or would have been) carried out by: risk numbers its own
    '<decision id>.1'; the kill switch's flatten is named by command_id. The key that joins a
    decision to enforcement's results (riskctl's screens, notify's alerts)."""
    return getattr(d, "command_id", "") or f"{d.id}.1"


@attrs.frozen(kw_only=True)
class RuleWarning:
    """A limit rule's value crossed warn_at of its limit (once per rule, account, trading day);
    value and limit are None for a note (something to check) that has no reading."""
    id: str
    ts_ns: int
    rule: str
    account_id: int
    value: Optional[Decimal]
    limit: Optional[Decimal]
    warn_at: float
    reason: str = ""
    account_name: str = ""     # the broker's name, as Decision.account_name
    # a late-close note (rule shared/latewords.LATE_CLOSE) of a close whose command did not
    # end done (FAILED, no longer needed): the decision of that close, and the fill's time;
    # history's line of that decision ends "then taken as carried out late at ..." from
    # them, after a restart of risk too (services/risk/latecarried.py, retries.py)
    late_of: str = ""
    fill_ns: int = 0
    # a note of what riskd's own close filled (services/risk/closefills.py): the command whose
    # orders the fills are, so notify can put it under that command's "✅ Done"
    of_command: str = ""


@attrs.frozen(kw_only=True)
class LockoutState:
    """An active lockout: account-wide when symbol is None."""
    id: str
    account_id: int
    kind: str
    rule: str
    since_ns: int
    until_ns: Optional[int] = None
    symbol: Optional[str] = None
    clears_on: str = ""
    reason: str = ""
    by: str = "rule"           # rule | trader | admin
    # extended by another rule (one row: one key): the rule it held before and its end then,
    # which ends with this row (an unlock --rule of the rule now holding it says so)
    took_over_rule: str = ""
    took_over_until_ns: Optional[int] = None


@attrs.frozen(kw_only=True)
class PastLimit:
    """A limit an account is still past when its lockouts end (an admin's unlock): the rule
    acts again at the account's next trade, and locks it again until until_ns (None: a
    lockout with no set end, or none)."""
    rule: str
    value: Decimal
    limit: Decimal
    until_ns: Optional[int] = None
    on_quote: bool = False     # the rule reads open PnL: a price move acts too, not only a trade
    # a trade-count window at its limit (minute, hour, session): its next trade starts a
    # cooldown of cooldown_s until until_ns, when the window frees a trade ('' for the others)
    window: str = ""
    cooldown_s: int = 0
    flatten: bool = False
    # symbol_blocks: the symbol an unlock freed while it is still listed (its next trade is
    # closed and it is locked again), and the command that takes it off the list
    symbol: str = ""
    remove_with: str = ""
    # the config already takes the symbol off the list, a loosening waiting for the roll:
    # remove_with is then the override that applies it now
    removal_waits: bool = False
    # a rule in alert mode (fresh-user trial 18a: an unlock of its own lockout, kept from
    # before the switch, said nothing of it): its next trade is neither flattened nor locked
    alert: bool = False


@attrs.frozen(kw_only=True)
class LockoutChange:
    """Published on topic 'lockout': added, extended or cleared (with who and why)."""
    change: str                # added | extended | cleared
    lockout: LockoutState
    ts_ns: int
    by: str = "rule"
    reason: str = ""
    # added / extended: the lockout in force on the same scope that ends later (the account is
    # free only then); cleared: the one that still holds it (the longest). None: none.
    over: Optional[LockoutState] = None
    still_past: list[PastLimit] = attrs.Factory(list)    # cleared by an unlock: limits still past
    # cleared by an unlock of one rule: another rule's lockout this row took over, still
    # running until also_until_ns, ends with it (fresh-user trial 15b: said nowhere)
    also_rule: str = ""
    also_until_ns: Optional[int] = None
    # extended: the lockout as it was before (its end, its rule, its reason): the alert says
    # it extends the one in force, from when to when (trial17g: an extension read as new)
    was: Optional[LockoutState] = None
    # cleared by a person's unlock: what the person asked to end (unlock_scope): every lockout
    # of the account, or only a rule's and/or a symbol's. '': not an unlock, or written by a
    # riskd before this was kept. A replay lifts the same of its own lockouts then (trial22c
    # section 3: `riskctl unlock 1002`, all, was replayed as an unlock of one rule's)
    unlock_of: str = ""
    # added by symbol_blocks for a symbol the list in force names, nothing traded in it (an
    # edit or a reload listing it): LISTED when the list newly names it (said once, an info
    # line), LISTED_AGAIN when the same list takes it again (a reload after an unlock ended
    # it: logged only). No breach: nobody traded the symbol (trial25a N6). '': any other.
    listed: str = ""


LISTED = "listed"
LISTED_AGAIN = "listed_again"

UNLOCK_ALL = "account"            # unlock_of: every lockout of the account


def unlock_scope(rule: Optional[str], symbol: Optional[str]) -> str:
    """LockoutChange.unlock_of of an unlock asked for this rule and symbol (None: any)."""
    parts = [f"rule={rule}"] * bool(rule) + [f"symbol={symbol}"] * bool(symbol)
    return " ".join(parts) or UNLOCK_ALL


def unlock_asked(unlock_of: str) -> Optional[tuple[Optional[str], Optional[str]]]:
    """(rule, symbol) an unlock asked for (None: any), from LockoutChange.unlock_of; None
    when the change does not say (unlock_of '')."""
    if not unlock_of:
        return None
    asked = dict(p.split("=", 1) for p in unlock_of.split() if "=" in p)
    return asked.get("rule") or None, asked.get("symbol") or None


@attrs.frozen(kw_only=True)
class WindowReading:
    """One window's count of a rule that counts in several (trade_frequency_limit: minute,
    hour, session, day, week): 'minute', 3, 3, '3 of 3 trades per minute'."""
    key: str
    value: Decimal
    limit: Decimal
    detail: str = ""


@attrs.frozen(kw_only=True)
class RuleValue:
    """One rule's current reading for an account: value vs limit (progress 1 = breach)."""
    rule: str
    enabled: bool
    mode: str
    value: Optional[Decimal] = None
    limit: Optional[Decimal] = None
    progress: Optional[float] = None
    detail: str = ""
    params: dict[str, str] = attrs.Factory(dict)
    waiting: dict[str, str] = attrs.Factory(dict)   # param -> the looser value waiting for the roll
    warn_at: Optional[float] = None                 # the rule's warn_at (screens colour by it)
    # the parameters whose value in force is the account's own, not its profile's (`rules
    # list`'s '*', also while a looser value of it waits; None: not said, an older risk)
    own: Optional[list[str]] = None
    # a rule counting in several windows: each window's own count (the row shows the one
    # furthest along; an edit of one window's parameter is answered with that window's: trial22c,
    # `rules set ... per_session 40` answered "14 of 20 trades per hour")
    windows: list[WindowReading] = attrs.Factory(list)


@attrs.frozen(kw_only=True)
class PositionView:
    contract_id: str
    symbol: str
    side: str                  # long | short
    size: int
    average_price: Decimal
    last: Optional[Decimal] = None
    unrealized: Optional[Decimal] = None
    quoted_ns: Optional[int] = None     # when risk got the contract's last quote (None: never)
    unvalued: str = ""       # why unrealized is None (shared/pricewords.py), else ""
    # risk's clock at the last quote before a silence of the contract's prices during trading
    # hours (services/risk/quietfeed.py), while prices do not flow again; None: they flow
    price_stale_since: Optional[int] = None
    # risk's clock at the first quote of a flow that may end that silence, while the stale-feed
    # wait has not passed to call it steady (QuietFeed.flowing_since); None: no such flow
    price_flowing_since: Optional[int] = None


@attrs.frozen(kw_only=True)
class AccountStatus:
    """Everything the status screen shows for one account; topic 'status.<account>'."""
    account_id: int
    name: str
    ts_ns: int
    trading_day: str
    balance: Optional[Decimal] = None
    can_trade: bool = True
    realized: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    unrealized: Decimal = Decimal(0)
    unrealized_complete: bool = True   # False: a position has no quote or contract data yet
    trades_today: int = 0
    open_orders: int = 0
    positions: list[PositionView] = attrs.Factory(list)
    rules: list[RuleValue] = attrs.Factory(list)
    lockouts: list[LockoutState] = attrs.Factory(list)
    next_roll_ns: int = 0
    # actions enforcement reported failed whose reason still holds: riskd tries them again
    # (services/risk/retries.py); the screens show each until it is resolved
    failing: list["FailingAction"] = attrs.Factory(list)
    # failed actions that ended without riskd, by decision id: how ("closed outside riskd",
    # "no longer needed"); LAST ACTIONS says "failed, then closed outside riskd", not the
    # last failed attempt as the last word (kept while risk runs, the latest ENDED_KEPT)
    ended: dict[str, str] = attrs.Factory(dict)
    # why risk does not guard the account now ('' = it does): "disabled by admin:root at Sat
    # 18:33:27 CST (trial disable 2)"; its lockouts are then not enforced (trial 2026-12-06:
    # the screens said "guarded now" and "LOCKED OUT" while nothing was enforced)
    not_guarded: str = ""
    # an admin's disable waiting for the roll (`riskctl accounts disable` without --now): risk
    # guards the account until next_roll_ns, not after (trial22b finding 5: the trader's
    # screen said nothing of it while a waiting rule loosening showed "(limit 4 at roll)")
    unguarded_at_roll: bool = False
    # why the rules on the account's positions (and symbol_blocks) do not judge now ('' =
    # they do): "waiting for market's first broker read since it restarted: ES not
    # confirmed", since risk's clock positions_unjudged_since (shared/unjudged.py); the
    # rules on trades alone still judge
    positions_unjudged: str = ""
    positions_unjudged_since: int = 0


@attrs.frozen(kw_only=True)
class FailingAction:
    """An action enforcement gave up on while its reason still holds (services/risk/retries.py):
    what is still there ("MNQ long 1 still open on a locked account"), what the trader can do
    meanwhile ("close it on the firm's platform"), when it first failed, the failures so far,
    when riskd tries again (next_ns; None: a try is on its way now) and how often (every_s)."""
    account_id: int
    action: str
    still: str
    act: str
    first_failed_ns: int
    failures: int = 1
    next_ns: Optional[int] = None
    every_s: int = 0
    command_id: str = ""


# -- requests on risk's control socket and their reply bodies ---------------------------------

@attrs.frozen(kw_only=True)
class RiskStatusRequest:
    """Status of one account (its id or name; '' = all)."""
    account: str = ""


@attrs.frozen(kw_only=True)
class RiskStatusReply:
    accounts: list[AccountStatus] = attrs.Factory(list)
    # False while risk re-syncs (market restarted or a gap) and until market has read the
    # broker's state since its start: the figures may lag the broker meanwhile
    market_synced: bool = True
    # when risk last heard from market (its events or its heartbeat, every second), UTC ns;
    # 0: not yet. While market is not running the positions, orders and trade counts risk
    # shows are as of then (shared/notlive.py)
    market_heard_ns: int = 0
    # configured, enabled accounts the broker does not report for this login (only said once
    # risk holds the broker's state): nothing guards them ('Demo 3 (1003)'; trial 2026-12-06:
    # `accounts add 1003` said "saved (applied live)" and status "guarded now")
    unreported: list[str] = attrs.Factory(list)


@attrs.frozen(kw_only=True)
class LastRiskStatus:
    """risk's last known figures, kept by the supervisor: the body of the ERROR answer to a
    RiskStatusRequest for every account that risk could not answer (stopped, crashed, too
    slow). NOT live: each account's ts_ns is when risk made it, as_of_ns the oldest of them.
    Never the body of an ok answer (services/supervisor/lastrisk.py)."""
    accounts: list[AccountStatus] = attrs.Factory(list)
    as_of_ns: int = 0


def in_force_then(status: AccountStatus, now_ns: int) -> list[LockoutState]:
    """The lockouts of a last known status (LastRiskStatus) still in force at now_ns by their
    own end: a timer that ran out since, or a roll that came, is not shown as active (riskctl
    lockouts and the bot's /lockouts while risk cannot answer)."""
    out = []
    for lk in status.lockouts:
        end = lk.until_ns
        if end is None and lk.kind == UNTIL_RESET:
            end = status.next_roll_ns or None
        if end is None or end > now_ns:
            out.append(lk)
    return out


@attrs.frozen(kw_only=True)
class LockoutsRequest:
    """Active lockouts, of one account (its id or name) or all ('')."""
    account: str = ""


@attrs.frozen(kw_only=True)
class LockoutList:
    lockouts: list[LockoutState] = attrs.Factory(list)
    # account id -> why risk does not guard it now: its lockouts listed here are not enforced
    not_guarded: dict[str, str] = attrs.Factory(dict)     # keyed by str(account id)


@attrs.frozen(kw_only=True)
class UnlockRequest:
    """End an account's (or one symbol's, or one rule's) lockouts early: admin only, refused
    when [admin] allow_unlock is false."""
    account: str
    reason: str
    symbol: Optional[str] = None
    by: str = "admin"
    rule: Optional[str] = None          # only the lockouts this rule holds


@attrs.frozen(kw_only=True)
class SelfLockRequest:
    """A trader locks their own account until until_ns, or to the end of the trading day
    (session=True). Only adds protection, so no password; it flattens like any lockout."""
    account: str
    until_ns: Optional[int] = None
    session: bool = False
    reason: str = ""
    by: str = "trader"


@attrs.frozen(kw_only=True)
class AdminLockRequest:
    """An admin locks an account until until_ns, or to the end of the trading day
    (session=True): flattens like a self-lockout, recorded as the admin's lockout (rule
    admin_lockout), never as the trader's own. Admin only, audited."""
    account: str
    until_ns: Optional[int] = None
    session: bool = False
    reason: str = ""
    by: str = "admin"


@attrs.frozen(kw_only=True)
class HistoryRequest:
    """Decisions, warnings and lockout changes, newest last (account '' = all)."""
    account: str = ""
    since_ns: Optional[int] = None
    limit: int = 200


@attrs.frozen(kw_only=True)
class HistoryReply:
    """Decisions, warnings and lockout changes, oldest first."""
    decisions: list[Decision] = attrs.Factory(list)
    warnings: list[RuleWarning] = attrs.Factory(list)
    lockouts: list[LockoutChange] = attrs.Factory(list)
    # what risk knows now of the decisions' failed actions (services/risk/retries.py): those
    # it tries again (riskd tries again at ...) and those that ended without riskd, by
    # decision id ("closed outside riskd"); history tells a decision's end, not only that a
    # try failed (shared/trywords.py; trial 2026-12-06: "FAILED: ... gave up" for good after
    # the 3rd attempt closed the position)
    failing: list[FailingAction] = attrs.Factory(list)
    ended: dict[str, str] = attrs.Factory(dict)


@attrs.frozen(kw_only=True)
class RulesRequest:
    """Each rule with enabled, mode, parameters and current value vs limit (account '' = all)."""
    account: str = ""


@attrs.frozen(kw_only=True)
class RulesOverrideRequest:
    """Admin: apply the config's rule settings now, looser ones included (normally a loosening
    waits for the trading-day roll). Audited; needs a reason. account / rule: only that
    account's / rule's waiting changes ('' = all). disable: `accounts disable ACCOUNT --now`,
    sent before the edit: the account's disable, when risk reads it, applies at once (its
    only alert says so) instead of waiting for the roll."""
    reason: str
    by: str = "admin"
    account: str = ""
    rule: str = ""
    disable: bool = False


@attrs.frozen(kw_only=True)
class AccountRules:
    account_id: int
    name: str
    rules: list[RuleValue] = attrs.Factory(list)
    pending: list[str] = attrs.Factory(list)     # loosened rules waiting for the next roll
    # what risk's last config reload did to this account's rules, and the digest of the file
    # it read (services/risk/lastedit.py): rule -> {param: [old, new, now|roll|dropped]};
    # the supervisor's answer to a rule edit is worded from it once the digest is the edit's
    config_digest: str = ""
    changed: dict[str, dict[str, list[str]]] = attrs.Factory(dict)


@attrs.frozen(kw_only=True)
class RulesReply:
    accounts: list[AccountRules] = attrs.Factory(list)


@attrs.frozen(kw_only=True)
class RulesPreviewRequest:
    """What a candidate config would make risk do right now, without applying it (the
    supervisor asks before a rule edit: services/risk/preview.py). path: an owner-only copy
    of the candidate file's text, read as the config file."""
    path: str


@attrs.frozen(kw_only=True)
class RulesPreviewReply:
    """The decisions risk would act on at once under the candidate (enforce mode: a command
    sent or a lockout taken), each with its account, rule, reason, action and lockout."""
    decisions: list[Decision] = attrs.Factory(list)


ALL = (LockSpec, FailingAction, Decision, RuleWarning, LockoutState, PastLimit, LockoutChange, RuleValue, PositionView,
       AccountStatus, RiskStatusRequest, RiskStatusReply, LastRiskStatus, LockoutsRequest,
       LockoutList, UnlockRequest, SelfLockRequest, AdminLockRequest, HistoryRequest, HistoryReply, RulesRequest, AccountRules,
       RulesReply, RulesOverrideRequest, RulesPreviewRequest, RulesPreviewReply)
