"""The tiny base every rule stands on: what it listens to, how it answers, how it reads.

A rule is pure: `evaluate(ctx, event, now, params)` looks at the state passed in and
returns decisions (possibly none); `measure(ctx, now, params)` gives its current value vs
limit for the status screen and the warn_at warnings. No I/O, no clock of its own.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

import attrs

from services.risk.pnl import account_unrealized, net_open_pnl
from services.risk.state import AccountState, MarketView, symbol_of
from shared.messages.market import (ORDER_MARKET, AccountUpdate, Fill, OrderUpdate,
                                    PositionUpdate, Quote)
from shared.messages.risk import TIMER, UNTIL_RESET, Decision, LockSpec
from shared.symbols import is_contract_id, root_for_ticker, root_of
from shared.tradingday import TradingCalendar

TRADE, POSITION, ORDER, ACCOUNT, QUOTE, CLOCK = (
    "trade", "position", "order", "account", "quote", "clock")
EVENT_KINDS = (TRADE, POSITION, ORDER, ACCOUNT, QUOTE, CLOCK)


@attrs.frozen
class ClockTick:
    """'Time passed': lets clock rules act with no broker event (grace periods, session end)."""
    ts_ns: int


KIND_OF = {Fill: TRADE, PositionUpdate: POSITION, OrderUpdate: ORDER, AccountUpdate: ACCOUNT,
           Quote: QUOTE, ClockTick: CLOCK}


def kind_of(event: Any) -> str:
    return KIND_OF[type(event)]


@attrs.frozen
class PriceMoves:
    """The quote step of one account whose positions' prices moved in more than one contract
    in the same run of quotes (Engine.on_quotes): its rules run once with every new price, not
    once per contract (the scale bench's storm: 500 accounts x 2 contracts). A 'quote' event
    to the rules, as a Quote is."""
    contract_ids: frozenset
    ts_ns: int


def quoted(event: Any) -> Optional[frozenset]:
    """The contracts whose price a quote step is about (their positions are judged); None for
    any other event (every position is)."""
    if isinstance(event, Quote):
        return frozenset((event.contract_id,))
    if isinstance(event, PriceMoves):
        return event.contract_ids
    return None


@attrs.define
class Ctx:
    """What a rule may read: one account, the market, the calendar, and what just changed."""
    account: AccountState
    market: MarketView
    calendar: TradingCalendar
    change: str = ""            # what the event did to the state ('opened', 'new', ...)
    event_ns: int = 0
    notes: list[str] = attrs.Factory(list)   # things a person should check (become warnings)
    holiday_files: dict = attrs.Factory(dict)  # holidays file name -> dates (loaded by the worker)
    profile: str = "default"    # the account's profile (messages name its config table)
    # the config lists the account ([[accounts]]); False: guarded as the broker reports it,
    # and a per-account edit (`riskctl rules set ACCOUNT ...`) needs `riskctl accounts add`
    listed: bool = True
    # a rule change judged now (services/risk/rejudge.py): the parameters it made stricter,
    # None for the whole rule (an event, or a rule switched on)
    tightened: frozenset | None = None
    # a fill riskd had taken for its own close and has just found to be the trader's (the
    # engine's _attributed): when it found so (0: not such a fill), and the display zone its
    # times are said in (trial24c 4: a cooldown 40 s after the trader's last trade said only
    # "3 trades this minute reached the limit of 3")
    found_theirs: int = 0
    zone: object = None
    # rule -> the end of that rule's account-wide timer lockout in force on the account (in
    # alert mode its would-be one), None when none holds: a reason says "the cooldown"
    # only while one is in force (cooldown_after_loss; trial25a N9, trial25c F5)
    timer_of: object = None
    # the open PnL figures, worked out once per Ctx (one account's step: the positions and
    # prices do not change between its rules); the scale bench's storm spent ~30 % of risk's
    # quote time summing the same positions for three rules
    _open: dict = attrs.field(factory=dict, init=False, repr=False, eq=False)

    def account_unrealized(self) -> tuple[Decimal, bool]:
        """pnl.account_unrealized of the account, once per Ctx."""
        found = self._open.get("positions")
        if found is None:
            found = self._open["positions"] = account_unrealized(self.account, self.market)
        return found

    def net_open_pnl(self) -> tuple[Decimal, bool]:
        """pnl.net_open_pnl of the account, once per Ctx."""
        found = self._open.get("net")
        if found is None:
            found = self._open["net"] = net_open_pnl(self.account, self.market,
                                                     self.account_unrealized())
        return found


@attrs.frozen
class Measure:
    """A rule's reading: value vs limit; progress 1.0 means the limit is reached."""
    value: Decimal
    limit: Decimal
    progress: float
    detail: str = ""
    key: str = ""           # which of the rule's limits (warnings are once per key and day)
    warn_from: Optional[Decimal] = None   # warn from this value on, not at warn_at's share
    contract_id: Optional[str] = None     # the position the reading is about (per_position)
    acting: bool = False    # riskd's own action on it is on its way: nothing to warn of

    def due(self, warn_at: float) -> bool:
        """Has the reading come to its warning?"""
        if self.warn_from is not None:
            return self.value >= self.warn_from
        return self.progress >= warn_at

    def warn_share(self, warn_at: float) -> float:
        """The share of the limit this reading warns at (screens colour by it)."""
        if self.warn_from is not None and self.limit:
            return round(float(self.warn_from / self.limit), 4)
        return warn_at


class Rule:
    """Subclass: set name, listens, description; implement evaluate (and measure for limits)."""
    name: str = ""
    listens: frozenset[str] = frozenset()
    reads_open_pnl = False    # judged at a trade or balance step before its own rules (engine)
    description: str = ""
    warns: bool = True          # limit rules warn at warn_at; automation does not
    # several limits, each warned on its own (readings' keys), also in the step another of
    # them is breached (engine _judge)
    keyed: bool = False
    # its readings are windows of one count (trade_frequency_limit): each is shown on its own
    # (RuleValue.windows)
    windowed: bool = False
    # judges the contracts held, the whole account at every step: in alert mode, past the
    # limit again, or further past it, is a new breach (services/risk/alertmode.py)
    held_size: bool = False
    # each reading is one position's (Measure.contract_id): another position's breach, or
    # riskd's close of another contract, does not hold back its warning (engine _maybe_warn)
    per_position: bool = False
    # its breach flattens and locks the account until the roll (locks_until)
    locks_to_roll: bool = False

    def evaluate(self, ctx: Ctx, event: Any, now: int, params) -> list[Decision]:
        raise NotImplementedError

    def measure(self, ctx: Ctx, now: int, params) -> Optional[Measure]:
        return None

    def readings(self, ctx: Ctx, now: int, params) -> list[Measure]:
        """What the warn_at warnings watch: the measure, or one reading per limit of a rule
        with several (each keyed, each warned once a day)."""
        m = self.measure(ctx, now, params)
        return [] if m is None else [m]

    def warn_readings(self, ctx: Ctx, now: int, params) -> list[Measure]:
        """What the warn_at warning judges (engine _maybe_warn): the readings, unless the
        rule's figure is not settled while riskd's close is in flight (the size rules read
        the account as it will be once riskd's closes are done; trade_frequency_limit counts a
        fill not yet known to be riskd's or the trader's as the trader's)."""
        return self.readings(ctx, now, params)

    def shown(self, ctx: Ctx, now: int, params) -> Optional[Measure]:
        """The reading the rule's row shows (services/risk/views.py rule_values): the measure,
        or for a rule whose warning reads the account otherwise (warn_readings) the reading
        that warning judges, the one furthest along: the row and the warning count alike
        (row19: the warning read "2 of 3 trades per minute; counting 1 fill that may be
        riskd's own close still in flight" while the row read 1/3). A reading at or past its
        limit is shown as the rule acts on it (the contracts held now, over max_contracts: the
        breach its reduce in LAST ACTIONS is for); no warning speaks of it."""
        m = self.measure(ctx, now, params)
        if type(self).warn_readings is Rule.warn_readings or m is None:
            return m
        if self.past(m):
            return self.past_shown(ctx, now, m)
        return max(self.warn_readings(ctx, now, params), key=lambda w: w.progress, default=m)

    def state_words(self, ctx: Ctx, now: int, params, zone) -> str:
        """What a rule with no reading enforces now, in words, for its row on status, watch
        and rules list (services/risk/views.py rule_values); '' when its parameters say it."""
        return ""

    def acts_while_locked(self, ctx: Ctx, now: int, params, m: Measure) -> bool:
        """Could this reading's breach, made while a lockout holds the whole account, close or
        reduce a position that lockout leaves open? Only then does its warn_at warning come
        while the account is locked (engine _maybe_warn; docs/rules.md warn_at): fresh-user
        trial 20a, trade_frequency_limit's cooldown keeps positions, and MNQ long 2 went to
        74 %, 94 % of daily_unrealized_loss and was closed with no warning. A breach that can
        only lock the account again (a flat account) has nothing to warn of before the
        lockout ends (warn_freed). Here: a breach that flattens the account (the daily
        limits, drawdown_guard) acts on every position riskd is not closing already."""
        return left_open(ctx, now)

    def locks_until(self, ctx: Ctx, now: int, params, m: Measure) -> Optional[int]:
        """When a trade the trader makes while the account is locked can itself breach this
        reading (every fill counts; lockout enforcement closes it at once, realizing its PnL),
        the end of the lockout that breach takes; None: none does. A reading whose breach
        would lock the account past the lockouts in force warns while locked, saying so
        (services/risk/lockedwarn.py), as one that acts on a position does
        (acts_while_locked). Here: the rules that flatten and lock until the roll
        (locks_to_roll: the daily limits, drawdown_guard)."""
        return roll_end(ctx, now) if self.locks_to_roll else None

    def breach_flattens(self, params, m: Measure) -> bool:
        """Does this reading's breach flatten the account as well as lock it (the words of a
        warning given while locked: services/risk/lockedwarn.py)? Here: yes (locks_to_roll)."""
        return True

    def past(self, m: Measure) -> bool:
        """Is the reading where the rule acts (its row then shows what it acts on)? At its
        limit for a count (the 10th trade starts the cooldown); the size rules act only over
        theirs (trial19b section 10: 2 of 2 contracts held, riskd closing both, read "2/2
        100%" with no word of the close, while the warning counted 0)."""
        return m.progress >= 1

    def past_shown(self, ctx: Ctx, now: int, m: Measure) -> Measure:
        """The row of a reading past its limit: the measure (the size rules add what of it
        riskd is closing already)."""
        return m

    def roll(self, ctx: Ctx, params) -> None:
        """Hook run at the trading-day roll, before daily counters reset."""

    # -- helpers for subclasses ---------------------------------------------------------
    def decide(self, ctx: Ctx, params, now: int, action: str, reason: str, *,
               value: Optional[Decimal] = None, limit: Optional[Decimal] = None,
               contract_id: Optional[str] = None, order_id: Optional[int] = None,
               size: Optional[int] = None, stop_price: Optional[Decimal] = None,
               lock: Optional[LockSpec] = None, target: Optional[int] = None) -> Decision:
        return Decision(id="", ts_ns=now, rule=self.name, account_id=ctx.account.account_id,
                        action=action, mode=params.mode, value=value, limit=limit,
                        contract_id=contract_id, order_id=order_id, size=size,
                        stop_price=stop_price, lock=lock, reason=reason,
                        event_ns=ctx.event_ns or now, target=target)


def progress(value: Decimal, limit: Decimal) -> float:
    """value / limit as a float, 0 when the limit is 0 (both measured the same way)."""
    if limit == 0:
        return 0.0
    return max(0.0, float(value / limit))


def left_open(ctx: Ctx, now: int, contract_id: Optional[str] = None) -> bool:
    """Does the account hold a position (of that contract, if given) riskd is not closing all
    of (AccountState.kept_size)? One a lockout left open: a cooldown keeps positions, a
    lockout's flatten has riskd closing them."""
    acct = ctx.account
    if any(acct.kept_size(p, now) > 0 for p in acct.positions.values()
           if contract_id is None or p.contract_id == contract_id):
        return True
    # a position a fill opened or flipped whose Position has not come yet (its Trade first):
    # open all the same (event-order model, order21: a trader's buy flipping MNQ short 1 to
    # long 1 started a cooldown; daily_realized_profit warned at 80 % when the Position came
    # first, and was held back as "nothing left open" when the Trade did)
    for cid in acct.ahead:
        if contract_id is not None and cid != contract_id:
            continue
        fills, book = acct.exposure(cid), acct.signed(cid)
        if fills and fills * book <= 0 and abs(fills) > acct.riskd.closing_in_flight(
                cid, fills, 0, now):
            return True
    return False


def symbol_matches(configured: str, contract_id: str) -> bool:
    """Does a configured symbol (ticker 'ES', root 'EP', symbol id 'F.US.EP' or contract id)
    name this contract?"""
    text = configured.strip().upper()
    if is_contract_id(text):
        return text == contract_id.upper()
    if not is_contract_id(contract_id):
        return text == contract_id.upper()
    root = root_of(contract_id)
    if text.count(".") == 2:                 # a symbol id like F.US.EP
        return text.split(".")[2] == root
    return root_for_ticker(text) == root


def lookup_symbol(table: dict, contract_id: str):
    """The value configured for this contract in a {symbol: value} table, or None."""
    for key, value in table.items():
        if symbol_matches(key, contract_id):
            return value
    return None


def judged_orders(account: AccountState) -> list[OrderUpdate]:
    """The working orders a rule judges as orders (cancels, locks for): the trader's own
    (never riskd's: its close is not the trader's order, RULES.md "Whose trade it is"), and
    not a market order: it fills at once, and the position it opens is what is judged and
    closed (as lockout enforcement does, services/risk/lockouts.py). A cancel of it found it
    filled ("already done"), and whether it was sent hung on the broker's event order (its
    Order event before or after its fill, a clock sweep landing between them)."""
    return [o for o in account.traders_orders() if o.type != ORDER_MARKET]


def closed_with_orders(account: AccountState, contracts, now: int) -> set[str]:
    """Of the contracts a rule closes in this step, those whose close also cancels their
    orders: close_position cancels every working order of its contract (services/enforcement/
    actions/close_position.py), so a rule that closes a contract decides no cancel of its own
    for the orders there (fresh-user trial 21b: a stop counted in the close's "2 orders
    cancelled" and again on its own "cancelled" line, the target "nothing to do"; docs/rules.md
    §11: one breach, "close the CL position"). So also while riskd's
    close there is still without a result (the clock's next sweep, 0.1 s later: its cancels
    are still to come). Not once a close there has its result and the position still shows
    (its fill to come): an order placed since is cancelled on its own, as before."""
    out = set()
    for cid in contracts:
        p = account.positions.get(cid or "")
        if p is None:
            continue
        if not account.riskd.expecting(cid, now) \
                or account.riskd.closing_in_flight(cid, p.signed, 0, now):
            out.add(cid)
    return out


def until_reset(ctx: Ctx, now: int) -> LockSpec:
    return LockSpec(kind=UNTIL_RESET, until_ns=ctx.calendar.next_roll(now))


def roll_end(ctx: Ctx, now: int) -> int:
    """When a lockout until the roll taken now ends (until_reset)."""
    return until_reset(ctx, now).until_ns


def timer(now: int, seconds: float, symbol: Optional[str] = None) -> LockSpec:
    return LockSpec(kind=TIMER, until_ns=now + int(seconds * 1_000_000_000), symbol=symbol)


__all__ = ["Rule", "Ctx", "Measure", "ClockTick", "kind_of", "progress", "left_open",
           "symbol_matches", "lookup_symbol", "judged_orders", "until_reset", "roll_end", "timer",
           "symbol_of"]
