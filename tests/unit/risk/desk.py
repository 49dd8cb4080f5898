"""A trading desk for scenario tests: one account, a fake time, the engine, and verbs a trader
would use ("long 2 MNQ at 21000", "price falls to 20890")."""
from __future__ import annotations

import datetime as dt
import itertools
import os
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs

from services.risk.engine import Engine
from services.risk.outcome import FixedRules, Outcome
from services.risk.settings import RuleSettings
from shared.clock import to_ns
from shared.config.load import config_converter
from shared.config.rules import RULE_CLASSES, RulesConfig
from shared.messages.market import (ORDER_LIMIT, ORDER_STOP, POSITION_LONG, POSITION_SHORT,
                                    SIDE_BUY, SIDE_SELL, STATUS_CANCELLED, STATUS_OPEN,
                                    AccountUpdate, ContractInfo, Fill, OrderUpdate,
                                    PositionUpdate, Quote)
from shared.tradingday import TradingCalendar

CHI = ZoneInfo("America/Chicago")
MNQ = "CON.F.US.MNQ.Z26"    # tick 0.25 = 0.50 USD
ES = "CON.F.US.EP.Z26"      # tick 0.25 = 12.50 USD
NQ = "CON.F.US.ENQ.Z26"     # tick 0.25 = 5.00 USD
CONTRACTS = {
    MNQ: ContractInfo(contract_id=MNQ, name="MNQZ6", tick_size=Decimal("0.25"),
                      tick_value=Decimal("0.50"), symbol="F.US.MNQ"),
    ES: ContractInfo(contract_id=ES, name="ESZ6", tick_size=Decimal("0.25"),
                     tick_value=Decimal("12.50"), symbol="F.US.EP"),
    NQ: ContractInfo(contract_id=NQ, name="NQZ6", tick_size=Decimal("0.25"),
                     tick_value=Decimal("5.00"), symbol="F.US.ENQ"),
}
ACCOUNT = 1001
NS = 1_000_000_000
SHIPPED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "etc",
                       "riskd.toml")


def chi(y, m, d, hh=0, mm=0, ss=0) -> int:
    return to_ns(dt.datetime(y, m, d, hh, mm, ss, tzinfo=CHI))


def shipped_engine(loaded, start: int, prefix: str = "id") -> Engine:
    """An engine on a loaded config's rules (etc/riskd.toml: SHIPPED, account 1001), through
    the RuleSettings the worker uses; `prefix` names its decisions (one per process, so two
    engines sharing a store never reuse an id)."""
    config = loaded.config
    calendar = config.trading_day.calendar(os.path.dirname(loaded.path))
    counter = iter(range(1, 10**9))
    engine = Engine(calendar, RuleSettings(config), ids=lambda: f"{prefix}{next(counter)}")
    engine.start(start)
    for c in CONTRACTS.values():
        engine.on_event(c, start)
    return engine


def shipped_with(loaded, rule: str, **params):
    """etc/riskd.toml as shipped, with one rule changed (enabled, or its list set)."""
    config = loaded.config
    profile = config.profiles["default"]
    rules = attrs.evolve(profile.rules, **{rule: attrs.evolve(getattr(profile.rules, rule),
                                                                **params)})
    profile = attrs.evolve(profile, rules=rules)
    return attrs.evolve(loaded, config=attrs.evolve(
        config, profiles={**config.profiles, "default": profile}))


def only(**rules) -> RulesConfig:
    """A RulesConfig with just the named rules enabled, with the given parameters."""
    kw = {}
    for name, cls in RULE_CLASSES:
        if name in rules:
            kw[name] = config_converter.structure({"enabled": True, **rules[name]}, cls)
        else:
            kw[name] = cls(enabled=False)
    return RulesConfig(**kw)


def D(x) -> Decimal:
    return Decimal(str(x))


class Desk:
    def __init__(self, start: int | None = None, balance=50_000, calendar=None,
                 allow_unlock=True, **rules):
        self.now = start if start is not None else chi(2026, 11, 25, 9, 0)   # a Wednesday
        counter = itertools.count(1)
        self.engine = Engine(calendar or TradingCalendar.make(), FixedRules(only(**rules)),
                             ids=lambda: f"id{next(counter)}", allow_unlock=allow_unlock)
        self.engine.start(self.now)
        self.history: list[Outcome] = []
        self._trade_ids = itertools.count(1)
        self._position_ids = itertools.count(1)
        self._open_ids: dict[str, int] = {}     # a position keeps its id until it is flat
        for c in CONTRACTS.values():
            self.engine.on_event(c, self.now)
        self.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=D(balance),
                                can_trade=True))

    # -- plumbing -------------------------------------------------------------------
    def feed(self, event) -> Outcome:
        out = self.engine.on_event(event, self.now)
        self.history.append(out)
        return out

    def wait(self, seconds: float) -> Outcome:
        self.now += int(seconds * NS)
        out = self.engine.tick(self.now)
        self.history.append(out)
        return out

    def at(self, when_ns: int) -> Outcome:
        assert when_ns >= self.now
        self.now = when_ns
        out = self.engine.tick(self.now)
        self.history.append(out)
        return out

    @property
    def account(self):
        return self.engine.accounts[ACCOUNT]

    def decisions(self, rule: str | None = None, acted=True):
        return [d for o in self.history for d in o.decisions
                if (rule is None or d.rule == rule) and (not acted or not d.suppressed)]

    def commands(self):
        return [c for o in self.history for c in o.commands]

    def warnings(self):
        return [w for o in self.history for w in o.warnings]

    def lockout_changes(self):
        return [c for o in self.history for c in o.lockouts]

    # -- a trader's verbs ----------------------------------------------------------------
    def position(self, contract, side, size, price, created_ns=None) -> Outcome:
        """created_ns: the broker's opening time of the position (default: now)."""
        return self.feed(PositionUpdate(
            account_id=ACCOUNT, position_id=self._position_id(contract), contract_id=contract,
            ts_ns=self.now if created_ns is None else created_ns,
            type=POSITION_LONG if side == "long" else POSITION_SHORT,
            size=size, average_price=D(price)))

    def filled(self, size, contract, price, side="long") -> Outcome:
        """The trader's order filled and the position is now `size`: its Trade first, then its
        Position (TopstepX's order; a Position that comes alone waits for its fill, up to a
        second, before the position rules judge it: services/risk/engine.py DEFER_NS)."""
        held = self.engine.account(ACCOUNT).signed(contract)
        delta = (size if side == "long" else -size) - held
        if delta:
            self.trade(contract=contract, side=SIDE_BUY if delta > 0 else SIDE_SELL,
                       size=abs(delta), price=str(price))
        return self.position(contract, side, size, price)

    def long(self, size, contract, price, created_ns=None) -> Outcome:
        return self.position(contract, "long", size, price, created_ns)

    def short(self, size, contract, price) -> Outcome:
        return self.position(contract, "short", size, price)

    def _position_id(self, contract) -> int:
        """The broker's id of the open position on a contract (a new one after it was flat)."""
        if contract not in self._open_ids:
            self._open_ids[contract] = next(self._position_ids)
        return self._open_ids[contract]

    def flat(self, contract) -> Outcome:
        self._open_ids.pop(contract, None)
        return self.feed(PositionUpdate(account_id=ACCOUNT, position_id=0, contract_id=contract,
                                        ts_ns=self.now, type=0, size=0, average_price=D(0)))

    def price(self, contract, last) -> Outcome:
        return self.feed(Quote(contract_id=contract, ts_ns=self.now, last=D(last)))

    def trade(self, pnl=None, fees="0", contract=MNQ, side=SIDE_BUY, size=1, price="21000",
              voided=False, trade_id=None, order_id=None) -> Outcome:
        return self.feed(Fill(account_id=ACCOUNT, trade_id=trade_id or next(self._trade_ids),
                              contract_id=contract, ts_ns=self.now, price=D(price),
                              pnl=None if pnl is None else D(pnl), fees=D(fees), side=side,
                              size=size, voided=voided, order_id=order_id))

    def order(self, order_id, contract=MNQ, side=SIDE_BUY, size=1, type=ORDER_LIMIT,
              stop_price=None, limit_price=None, status=STATUS_OPEN) -> Outcome:
        return self.feed(OrderUpdate(
            account_id=ACCOUNT, order_id=order_id, contract_id=contract, created_ns=self.now,
            updated_ns=self.now, status=status, type=type, side=side, size=size,
            stop_price=None if stop_price is None else D(stop_price),
            limit_price=None if limit_price is None else D(limit_price)))

    def stop(self, order_id, contract, side, size, stop_price) -> Outcome:
        return self.order(order_id, contract, side, size, ORDER_STOP, stop_price=stop_price)

    def cancelled(self, order_id, contract=MNQ) -> Outcome:
        return self.order(order_id, contract, status=STATUS_CANCELLED)

    def can_trade(self, flag: bool, balance=50_000) -> Outcome:
        return self.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=D(balance),
                                       can_trade=flag))


def shipped_desk(loaded) -> Desk:
    """A Desk on a loaded config's rules (SHIPPED: etc/riskd.toml), account 1001 at 50,000."""
    desk = Desk()
    desk.engine = shipped_engine(loaded, desk.now)
    desk.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=D(50_000),
                            can_trade=True))
    return desk


__all__ = ["Desk", "shipped_desk",
           "only", "chi", "D", "MNQ", "ES", "NQ", "ACCOUNT", "SIDE_BUY", "SIDE_SELL",
           "ORDER_STOP"]
