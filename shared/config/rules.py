"""Rule parameters: one frozen attrs class per rule (docs/rules.md), and the RulesConfig holding them.

Every rule has the common fields `enabled`, `mode` ("enforce" | "alert") and `warn_at`
(the fraction of a limit at which one warning goes out, 0 < x <= 1). Money is Decimal
(TOML int, float or numeric string are accepted; bool is refused). Every number has a sane
range (shared/config/bounds.py; docs/rules.md, What every rule has): outside it is refused.

Enabled by default (the embedded profile, sensible for the sim demo account and a fresh
funded account): the loss limits and the account-level guards a firm would also apply --
max_contracts, max_contracts_per_instrument (no limits listed: a no-op until symbols are
added), daily_realized_loss, daily_unrealized_loss, trade_frequency_limit,
cooldown_after_loss, auth_loss_guard, symbol_blocks (empty list: a no-op), daily_net_loss.
Disabled by default, because each needs a trader's choice or data only the trader has:
max_unrealized_profit and daily_realized_profit (profit taking is a style, not a guard),
no_stop_loss_grace (closes every position placed without a stop), session_block_outside
(hours differ per trader; the sim market runs around the clock), trade_management (moves
the trader's stops), drawdown_guard (needs the firm's starting_balance, never guessed).

Multi-field checks raise FieldError naming the field, so a problem's key path is exact.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional, Union

import attrs

from shared.config import bounds
from shared.config.bounds import CONTRACTS
from shared.config.validators import (FieldError, fraction, hhmm, one_of, optional,
                                      parse_hhmm, symbol_list, timezone_name, to_money,
                                      to_optional_money, weekdays)

MODES = ("enforce", "alert")


def money(default, check=bounds.money_limit):
    """A Decimal amount with a default; also converts on direct construction / attrs.evolve."""
    return attrs.field(default=Decimal(str(default)), converter=to_money, validator=check)


def whole(default: int, check=bounds.contracts):
    return attrs.field(default=default, validator=check)


def _common_first(_cls, fields):
    """Field order: enabled, mode, warn_at, then the rule's own (also when one is redefined)."""
    common = [f for f in fields if f.name in ("enabled", "mode", "warn_at")]
    common.sort(key=lambda f: ("enabled", "mode", "warn_at").index(f.name))
    return common + [f for f in fields if f.name not in ("enabled", "mode", "warn_at")]


def rule_params(cls):
    """Class decorator for a rule's params: frozen, keyword-only, common fields first."""
    return attrs.frozen(kw_only=True, field_transformer=_common_first)(cls)


@attrs.frozen(kw_only=True)
class RuleBase:
    """The fields every rule has. A rule that is off by default redefines `enabled`."""
    enabled: bool = True
    mode: str = attrs.field(default="enforce", validator=one_of(*MODES))
    warn_at: float = attrs.field(default=0.8, validator=fraction)


@rule_params
class MaxContracts(RuleBase):
    """1. Open contracts over `limit`: reduce the newest exposure, or flatten."""
    limit: int = whole(5)
    count: str = attrs.field(default="gross", validator=one_of("net", "gross"))
    action: str = attrs.field(default="reduce", validator=one_of("reduce", "flatten"))


def _unknown_symbol(_inst, attribute, value) -> None:
    if not (value in ("block", "allow") or bounds.in_bounds(value, CONTRACTS)):
        raise FieldError(attribute.name, "expected \"block\", \"allow\" or a whole number "
                         f"from {CONTRACTS[0]} to {CONTRACTS[1]}, got {value!r}")


def _per_symbol_limits(_inst, attribute, value) -> None:
    symbol_list(_inst, attribute, list(value))
    bad = {k: v for k, v in value.items() if not bounds.in_bounds(v, CONTRACTS)}
    if bad:
        raise FieldError(attribute.name, f"expected whole numbers from {CONTRACTS[0]} to "
                         f"{CONTRACTS[1]}, got {bad!r}")


@rule_params
class MaxContractsPerInstrument(RuleBase):
    """2. A symbol's size over its limit: reduce or close that contract."""
    limits: dict[str, int] = attrs.field(factory=dict, validator=_per_symbol_limits)
    unknown_symbol: Union[str, int] = attrs.field(default="allow", validator=_unknown_symbol)
    action: str = attrs.field(default="reduce", validator=one_of("reduce", "close"))


@rule_params
class DailyRealizedLoss(RuleBase):
    """3. Realized PnL today <= -limit: flatten, locked until the trading-day roll."""
    limit: Decimal = money(500)
    include_fees: bool = True


@rule_params
class DailyUnrealizedLoss(RuleBase):
    """4. A position's (or the account's) open PnL <= -limit: close it (or flatten)."""
    limit: Decimal = money(200)
    scope: str = attrs.field(default="position", validator=one_of("position", "account"))


@rule_params
class MaxUnrealizedProfit(RuleBase):
    """5. Open PnL >= target: close that position (or flatten for scope account)."""
    enabled: bool = False
    target: Decimal = money(300)
    scope: str = attrs.field(default="position", validator=one_of("position", "account"))


@rule_params
class TradeFrequencyLimit(RuleBase):
    """6. Trade counts in sliding windows: cooldowns; per_day / per_week: flatten until roll."""
    per_minute: int = whole(3, bounds.trades)          # 0 = off
    per_hour: int = whole(10, bounds.trades)
    per_session: int = whole(50, bounds.trades)
    per_minute_cooldown: int = whole(60, bounds.cooldown_seconds)   # seconds
    per_hour_cooldown: int = whole(1800, bounds.cooldown_seconds)
    per_session_cooldown: int = whole(3600, bounds.cooldown_seconds)
    per_day: int = whole(0, bounds.trades)             # 0 = off
    per_week: int = whole(0, bounds.trades)            # 0 = off
    flatten: bool = False


@attrs.frozen(kw_only=True)
class LossTier:
    """One tier of cooldown_after_loss: a trade losing `loss` or more waits `seconds`."""
    loss: Decimal = attrs.field(converter=to_money, validator=bounds.money_limit)
    seconds: int = attrs.field(validator=bounds.cooldown_seconds)


def _default_tiers() -> list[LossTier]:
    return [LossTier(loss=100, seconds=300), LossTier(loss=200, seconds=900),
            LossTier(loss=300, seconds=1800)]


def _sorted_tiers(_inst, attribute, value) -> None:
    losses = [t.loss for t in value]
    if any(b <= a for a, b in zip(losses, losses[1:])):
        raise FieldError(attribute.name, "expected tiers sorted by loss, ascending and each loss "
                         f"once, got losses {[str(x) for x in losses]}")


@rule_params
class CooldownAfterLoss(RuleBase):
    """7. One trade's loss (a closing fill, its own fees in) >= a tier's loss: cooldown."""
    tiers: list[LossTier] = attrs.field(factory=_default_tiers, validator=_sorted_tiers)
    flatten: bool = True


@rule_params
class NoStopLossGrace(RuleBase):
    """8. A position open grace_seconds with no working stop order: close it."""
    enabled: bool = False
    grace_seconds: int = whole(10, bounds.grace_seconds)


@attrs.frozen(kw_only=True)
class Session:
    """A trading session: start-end in a time zone on some weekdays (end < start: overnight)."""
    start: str = attrs.field(default="08:30", validator=hhmm)
    end: str = attrs.field(default="15:00", validator=hhmm)
    timezone: str = attrs.field(default="America/Chicago", validator=timezone_name)
    days: list[str] = attrs.field(factory=lambda: ["mon", "tue", "wed", "thu", "fri"],
                                  validator=weekdays)

    def __attrs_post_init__(self) -> None:
        if parse_hhmm(self.start) == parse_hhmm(self.end):
            raise FieldError("end", f"expected an end different from start {self.start!r}, "
                             f"got {self.end!r}")

    def window(self, holidays=()):
        """The shared.tradingday.SessionWindow this session describes."""
        from shared.tradingday import SessionWindow
        return SessionWindow.make(self.start, self.end, self.timezone, self.days, holidays)


def _session_symbols(_inst, attribute, value) -> None:
    symbol_list(_inst, attribute, list(value))


@rule_params
class SessionBlockOutside(RuleBase):
    """9. Positions or orders outside the session are closed; flatten at session end."""
    enabled: bool = False
    default: Session = attrs.Factory(Session)
    sessions: dict[str, Session] = attrs.field(factory=dict, validator=_session_symbols)
    holidays_file: str = ""          # empty: the [trading_day] holidays
    close_at_session_end: bool = True

    def session_for(self, symbol: str) -> Session:
        return self.sessions.get(symbol, self.default)


@rule_params
class AuthLossGuard(RuleBase):
    """10. The broker reports canTrade = false: flatten, locked until it returns true."""


@rule_params
class SymbolBlocks(RuleBase):
    """11. Orders and positions in a blocked symbol are cancelled / closed."""
    symbols: list[str] = attrs.field(factory=list, validator=symbol_list)


@rule_params
class TradeManagement(RuleBase):
    """12. Move the stop to breakeven, then trail it (0 = that step off)."""
    enabled: bool = False
    breakeven_after_ticks: int = whole(10, bounds.ticks)
    trail_after_ticks: int = whole(20, bounds.ticks)
    trail_distance_ticks: int = whole(10, bounds.distance_ticks)


@rule_params
class DailyRealizedProfit(RuleBase):
    """13. Realized PnL today >= target: flatten, locked until the trading-day roll."""
    enabled: bool = False
    target: Decimal = money(1000)
    include_fees: bool = True


@rule_params
class DailyNetLoss(RuleBase):
    """14. Realized + unrealized of the account <= -limit (optionally trailing): flatten."""
    limit: Decimal = money(600)
    trailing: str = attrs.field(default="none",
                                validator=one_of("none", "realized", "unrealized"))
    include_fees: bool = True


@rule_params
class DrawdownGuard(RuleBase):
    """15. Equity within buffer of the firm's max-loss line: flatten until the roll."""
    enabled: bool = False
    max_loss: Decimal = money(2000)
    trailing: str = attrs.field(default="eod", validator=one_of("eod", "intraday"))
    buffer: Decimal = money(100, bounds.buffer_amount)
    starting_balance: Optional[Decimal] = attrs.field(
        default=None, converter=to_optional_money, validator=optional(bounds.balance))
    line: Optional[Decimal] = attrs.field(default=None, converter=to_optional_money,
                                          validator=optional(bounds.balance))

    def __attrs_post_init__(self) -> None:
        if self.buffer >= self.max_loss:
            raise FieldError("buffer", f"expected a buffer below max_loss ({self.max_loss}), "
                             f"got {self.buffer}")
        if self.enabled and self.starting_balance is None:
            raise FieldError("starting_balance", "required when drawdown_guard is enabled: the "
                             "firm's account size (e.g. 50000); riskd never guesses it")
        if self.line is not None and self.starting_balance is not None:
            low = self.starting_balance - self.max_loss
            if not (low <= self.line <= self.starting_balance):
                raise FieldError("line", f"expected a line from {low} (starting_balance - "
                                 f"max_loss) to {self.starting_balance}, got {self.line}")


@attrs.frozen(kw_only=True)
class RulesConfig:
    """Every rule's parameters, one field per rule name, in the order of docs/rules.md."""
    max_contracts: MaxContracts = attrs.Factory(MaxContracts)
    max_contracts_per_instrument: MaxContractsPerInstrument = attrs.Factory(
        MaxContractsPerInstrument)
    daily_realized_loss: DailyRealizedLoss = attrs.Factory(DailyRealizedLoss)
    daily_unrealized_loss: DailyUnrealizedLoss = attrs.Factory(DailyUnrealizedLoss)
    max_unrealized_profit: MaxUnrealizedProfit = attrs.Factory(MaxUnrealizedProfit)
    trade_frequency_limit: TradeFrequencyLimit = attrs.Factory(TradeFrequencyLimit)
    cooldown_after_loss: CooldownAfterLoss = attrs.Factory(CooldownAfterLoss)
    no_stop_loss_grace: NoStopLossGrace = attrs.Factory(NoStopLossGrace)
    session_block_outside: SessionBlockOutside = attrs.Factory(SessionBlockOutside)
    auth_loss_guard: AuthLossGuard = attrs.Factory(AuthLossGuard)
    symbol_blocks: SymbolBlocks = attrs.Factory(SymbolBlocks)
    trade_management: TradeManagement = attrs.Factory(TradeManagement)
    daily_realized_profit: DailyRealizedProfit = attrs.Factory(DailyRealizedProfit)
    daily_net_loss: DailyNetLoss = attrs.Factory(DailyNetLoss)
    drawdown_guard: DrawdownGuard = attrs.Factory(DrawdownGuard)


attrs.resolve_types(RulesConfig)
# The registry: rule name -> params class, in the order of docs/rules.md.
RULE_CLASSES: tuple[tuple[str, type], ...] = tuple(
    (f.name, f.type) for f in attrs.fields(RulesConfig))
RULE_NAMES: tuple[str, ...] = tuple(name for name, _ in RULE_CLASSES)
RULE_CLASS: dict[str, type] = dict(RULE_CLASSES)
COMMON_FIELDS: tuple[str, ...] = tuple(f.name for f in attrs.fields(RuleBase))
# the rules with no limit to come near, that never warn (services/risk/rules: warns = False):
# their warn_at is not used, and `riskctl rules list` shows none for them (fresh-user trial
# 21b: session_block_outside listed "warn_at=0.8" and no warning ever came)
NEVER_WARN: frozenset[str] = frozenset({
    "cooldown_after_loss", "session_block_outside", "auth_loss_guard", "symbol_blocks",
    "trade_management"})


def rule_of(rules, name: str):
    """The params of one rule by name (KeyError naming the known rules when unknown)."""
    if name not in RULE_CLASS:
        raise KeyError(f"unknown rule {name!r}; expected one of: {', '.join(RULE_NAMES)}")
    return getattr(rules, name)


def enabled_rules(rules) -> list[str]:
    return [name for name in RULE_NAMES if getattr(rules, name).enabled]
