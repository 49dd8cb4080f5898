"""The rule table adds up to the day table (docs/replay.md: "The rule table's total row gives
the same blocked, dropped and difference as the day table's").

Fresh-user trial 18b, section 2: on Demo 2's day the day table said +3.97 and the rule table
+3.72, 0.25 apart on every run. The day's fills (the sim's, MNQ: 2 USD a point, 0.37 a
contract): long 5, a 6th bought while trade_frequency_limit locked the account (blocked in the
replay) and sold again at once, then the 5 sold together. The broker's average price of the 5
still holds the blocked contract's price (its close of 1 does not move the average), so its
PnL of the sale of 5 is not the guarded day's, whose 5 never averaged that contract in; the
replay took the broker's figure as the guarded one because the two books held the same size.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from cli.replay.runner import ids, replay_account
from services.risk.engine import Engine
from services.risk.outcome import FixedRules
from shared.tradingday import TradingCalendar
from tests.support.replay_days import MNQ, D, Days, chi
from tests.unit.risk.desk import only

pytestmark = pytest.mark.timeout(30)
MS = 1_000_000


def demo2_day() -> Days:
    d = Days(1002, "SIM-DEMO-2")
    t = chi(2026, 11, 25, 9, 25)
    d.bars(MNQ, t, [20995] * 4)
    s = 1_000_000_000
    d.trade(t + 34_598 * MS, MNQ, "buy", 3, "20995.25")
    d.trade(t + 34_670 * MS, MNQ, "sell", 1, "20995.00")
    d.trade(t + 104 * s, MNQ, "buy", 1, "21000.50")
    d.trade(t + 126_777 * MS, MNQ, "buy", 1, "20998.25")
    d.trade(t + 127_808 * MS, MNQ, "buy", 1, "20997.75")     # the 3rd this minute: locked
    d.trade(t + 128_721 * MS, MNQ, "buy", 1, "20997.25")     # bought while locked
    d.trade(t + 128_758 * MS, MNQ, "sell", 1, "20997.00")    # and sold again
    d.trade(t + 171_868 * MS, MNQ, "sell", 5, "20985.50")
    return d


def test_the_rule_table_adds_up_to_the_day_table_when_the_broker_averaged_a_blocked_entry():
    d = demo2_day()
    for f in d.h.fills:                         # the sim's fee: 0.37 a contract
        object.__setattr__(f, "fees", Decimal("0.37") * f.size)
    engine = Engine(TradingCalendar.make(), FixedRules(only(trade_frequency_limit={
        "per_minute": 3, "per_minute_cooldown": 60})), ids=ids())
    r = replay_account(engine, d.history())
    [day] = r.days.values()
    assert day.blocked == 1
    changed = sum((e.changed for e in r.rules.values()), Decimal(0))
    assert day.guarded - day.actual == changed, (day, r.rules)
    # by hand: the guarded day holds the 5 at 20997.40 (2 at 20995.25, 21000.50, 20998.25,
    # 20997.75) and sells them at 20985.50: -119.00, not the broker's -118.75 (its average
    # 20997.375 holds the blocked 20997.25)
    assert day.actual == D("-0.50") + D("-0.75") + D("-118.75") - D("0.37") * 14
    assert day.guarded == D("-0.50") + D("-119.00") - D("0.37") * 12
