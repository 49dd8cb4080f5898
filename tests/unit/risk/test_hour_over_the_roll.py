"""trade_frequency_limit's hour slides over the trading-day roll, and says how many of its
trades were made before it.

fresh-user trial24a F7: right after the roll the header said "trades 0" and the row "7/10 per
hour 70% (the 10th starts a 30m00s cooldown)"; 3 trades later a 30-minute cooldown for "10
trades this hour" came to a trader whose day had 3. The count is right (docs/rules.md: sliding
windows), the row and the breach now say "7 of them before the roll". The shipped rules
(etc/riskd.toml: 3 a minute, 10 an hour, cooldown 30m), an engine on an injected clock.
"""
from __future__ import annotations

from decimal import Decimal

from services.risk.views import account_status
from shared.config.load import load_config
from shared.messages.market import (POSITION_LONG, SIDE_BUY, SIDE_SELL, AccountUpdate, Fill,
                                    PositionUpdate)
from shared.messages.risk import without_note
from shared.rulenumbers import held_counted, row_aside
from tests.unit.risk.desk import MNQ, NS, SHIPPED, chi, shipped_engine

ACCOUNT = 1001
RULE = "trade_frequency_limit"


class Trader:
    def __init__(self, start: int):
        self.now = start
        self.engine = shipped_engine(load_config(SHIPPED), start)
        self.engine.on_event(AccountUpdate(account_id=ACCOUNT, name="SIM-1",
                                           balance=Decimal(50_000), can_trade=True), start)
        self.ids, self.held, self.decisions = 0, 0, []

    def trade_at(self, when: int) -> None:
        """One trade of 1 MNQ (a buy when flat, a sell when long: +1.00 each round turn)."""
        self.now = when
        self.engine.tick(when)
        self.ids += 1
        buy = self.held == 0
        self.held = 1 if buy else 0
        for event in (Fill(account_id=ACCOUNT, trade_id=self.ids, contract_id=MNQ, ts_ns=when,
                           price=Decimal("21000"), pnl=None if buy else Decimal(1),
                           fees=Decimal(0), side=SIDE_BUY if buy else SIDE_SELL, size=1),
                      PositionUpdate(account_id=ACCOUNT, position_id=self.ids, contract_id=MNQ,
                                     ts_ns=when, type=POSITION_LONG, size=self.held,
                                     average_price=Decimal("21000"))):
            out = self.engine.on_event(event, when)
            self.decisions += out.decisions

    def row(self, at: int):
        self.now = at
        self.engine.tick(at)
        status = account_status(self.engine, ACCOUNT, at)
        [row] = [r for r in status.rules if r.rule == RULE]
        return status, row


def test_the_hour_over_the_roll_says_how_many_trades_were_before_it():
    roll = chi(2026, 12, 2, 17, 0)                     # Wednesday's roll (shipped 17:00)
    t = Trader(chi(2026, 12, 2, 16, 30))
    for i in range(7):                                 # 16:40 ... 16:52, 2 minutes apart
        t.trade_at(roll - (20 - 2 * i) * 60 * NS)
    status, row = t.row(roll + 60 * NS)                # 17:01: the new day
    assert status.trades_today == 0
    detail = without_note(row.detail)
    assert detail.startswith("7 of 10 trades per hour"), detail
    assert row_aside(RULE, detail) == "7 of them before the roll", detail
    assert held_counted(detail) == 0
    t.trade_at(roll + 2 * 60 * NS)                     # 17:02, 17:04: 9 of 10, 7 before
    t.trade_at(roll + 4 * 60 * NS)
    _, row = t.row(roll + 5 * 60 * NS)
    assert row_aside(RULE, without_note(row.detail)) == "7 of them before the roll"
    assert not [d for d in t.decisions if d.rule == RULE]
    t.trade_at(roll + 6 * 60 * NS)                     # the 10th this hour, the 3rd today
    [d] = [d for d in t.decisions if d.rule == RULE]
    assert d.reason == "10 trades this hour reached the limit of 10 (7 of them before the roll)"
    assert d.lock.until_ns == roll + 36 * 60 * NS
    # a window wholly after the roll says nothing of it
    _, row = t.row(roll + 61 * 60 * NS)
    assert "before the roll" not in row.detail, row.detail
