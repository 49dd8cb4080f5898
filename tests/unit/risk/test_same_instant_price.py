"""A price that reached risk in the same instant as the position it values, before it, is judged
by every rule that reads open PnL in one step, as the calm order (quote after the position) is.

Chaos run (2026-12-05, twice in 12 runs under load): risk, restarted, took the drawdown story's
price drop, then market's snapshot named the position, and no quote came after it (the sim's
price only moves when the test moves it). The snapshot's quote step had no quote of that
contract, so the price rules never judged the position; drawdown_guard flattened on the
balance step (or the deferred position rules closed alone and daily_realized_loss flattened on
the close's trade), where the calm run's quote step had daily_unrealized_loss close and
daily_net_loss flatten. Same facts, a different rule acting: the lockout named another rule.
The shipped rules (etc/riskd.toml) throughout.
"""
from __future__ import annotations

from decimal import Decimal

from shared.config.load import load_config
from shared.messages.market import (POSITION_LONG, SIDE_BUY, AccountUpdate, Fill,
                                    MarketSnapshot, PositionUpdate, Quote)
from tests.unit.risk.desk import ES, SHIPPED, chi, shipped_engine

NS = 1_000_000_000
ACCOUNT = 1001
BALANCE = AccountUpdate(account_id=ACCOUNT, name="A", balance=Decimal(50_000), can_trade=True)
CALM = [("daily_unrealized_loss", "close_position", False), ("daily_net_loss", "flatten", False),
        ("drawdown_guard", "flatten", True)]     # one step: the position closed, the account
                                                 # flattened and locked by daily_net_loss


def engine_at(t: int):
    engine = shipped_engine(load_config(SHIPPED), t)
    engine.apply_snapshot(MarketSnapshot(seq=1, epoch=1, accounts=[BALANCE], complete=False), t)
    return engine


def long_es(t: int) -> PositionUpdate:
    return PositionUpdate(account_id=ACCOUNT, position_id=1, contract_id=ES, ts_ns=t,
                          type=POSITION_LONG, size=1, average_price=Decimal("6000"))


def drop(t: int) -> Quote:     # ES -40 points on 1 contract: -2,000.00 open, past every line
    return Quote(contract_id=ES, ts_ns=t, last=Decimal("5960"), bid=Decimal("5960"),
                 ask=Decimal("5960.25"))


def acted(outcomes) -> list[list[tuple]]:
    return [[(d.rule, d.action, bool(d.suppressed)) for d in o.decisions]
            for o in outcomes if o.decisions]


def test_the_calm_order_is_the_reference():
    t = chi(2026, 11, 25, 9, 0) + NS
    engine = engine_at(t - NS)
    first = engine.apply_snapshot(MarketSnapshot(seq=2, epoch=1, accounts=[BALANCE],
                                                 positions=[long_es(t)], complete=True), t)
    assert acted([first, engine.on_quotes([drop(t)], t + 1000)]) == [CALM]


def test_a_snapshot_position_valued_by_a_quote_of_the_same_instant():
    t = chi(2026, 11, 25, 9, 0) + NS
    engine = engine_at(t - NS)
    steps = [engine.on_quotes([drop(t)], t),
             engine.apply_snapshot(MarketSnapshot(seq=2, epoch=1, accounts=[BALANCE],
                                                  positions=[long_es(t)], complete=True), t)]
    steps += [engine.tick(t + k * NS // 2) for k in range(1, 5)]     # past the deferral
    assert acted(steps) == [CALM]


def test_a_live_position_valued_by_a_quote_of_the_same_instant():
    """Trade first (TopstepX's order), the price drop, then the Position, all in one instant:
    the position's rules and the account's PnL rules judge it in the same step."""
    t = chi(2026, 11, 25, 9, 0) + NS
    engine = engine_at(t - NS)
    engine.apply_snapshot(MarketSnapshot(seq=2, epoch=1, accounts=[BALANCE], complete=True), t)
    buy = Fill(account_id=ACCOUNT, trade_id=11, order_id=21, contract_id=ES, ts_ns=t,
               side=SIDE_BUY, size=1, price=Decimal("6000"), fees=Decimal("1.40"), pnl=None)
    steps = [engine.on_event(buy, t), engine.on_quotes([drop(t)], t),
             engine.on_event(long_es(t), t)]
    steps += [engine.tick(t + k * NS // 2) for k in range(1, 5)]
    assert acted(steps) == [CALM]
