"""The trader's own exit inside a bar is not valued at that bar's high or low (docs/replay.md,
Events in time order): the bar cannot say whether they came before the exit or after it.

Fresh-user trial 23c, finding F2 (Demo 1, default one-minute bars, the shipped config):
1. long 5 MNQ into the 11:45 minute; the target sold 1 at 11:45:00.94 (the position in
   profit); the price fell to the minute's low only at 11:45:30 and the trader sold the other
   4 there at 11:45:32. The replay judged the minute's low just before the target's fill,
   on the 5 held before it: "MNQ open PnL -299.62" at 11:45:00, 30 s before that price
   existed, a value the account never had.
2. long 3 into the 11:55 minute, sold at 11:55:37 in profit; the price fell 3 s later. The
   replay read the low on the long 3 "between 11:55:00 and 11:55:37" (-598.30), closed it
   there instead of the trader's profitable sale, and cooldown_after_loss locked the account
   for 30 minutes; it blocked the trader's later entries. riskd, watching every price, never
   saw either breach.

MNQ here: 2 USD a point, 0.50 a contract in fees (tests/support/replay_days.py).
"""
from __future__ import annotations

import pytest

from cli.commands.replay import load
from cli.replay.engine import build_engine
from cli.replay.runner import Runner
from tests.support.replay_days import MNQ, D, Days, chi

pytestmark = pytest.mark.timeout(30)
S = 1_000_000_000
MS = 1_000_000


def replay(config: str, d: Days):
    return Runner(build_engine(load(config), {}), d.history()).run()


def acted(r):
    return [x for x in r.decisions if not x.suppressed]


def test_a_low_after_the_targets_fill_is_read_at_the_exit_that_met_it(config):
    """Case 1: long 5 at 21000 from 11:44:50; the target sells 1 at 21011 at 11:45:00.94; the
    trader sells 4 at 20970, the minute's low, at 11:45:32. daily_unrealized_loss (shipped:
    200 a position) is breached at the sale's own price, on the 4 held then (-240.00), at
    11:45:32 and set off by that fill: no decision at the target's fill (old code: -300.00,
    the 5 at the low, at 11:45:00.94, not timed by the bar)."""
    d = Days(1001, "SIM-DEMO-1")
    t = chi(2026, 12, 7, 11, 44)
    d.bars(MNQ, t, [21000, (21000, 21011, 20970, 20975), 20975])
    d.trade(t + 50 * S, MNQ, "buy", 5, "21000.00")
    d.trade(t + 60 * S + 940 * MS, MNQ, "sell", 1, "21011.00")     # the target
    d.trade(t + 92 * S, MNQ, "sell", 4, "20970.00")
    r = replay(config, d)
    [close] = [x for x in acted(r) if x.rule == "daily_unrealized_loss"]
    assert close.ts_ns == t + 92 * S, close
    assert "MNQ open PnL -240.00" in close.reason, close.reason
    assert r.bar_timed[close.id] == (t + 60 * S, t + 92 * S)


def test_a_low_after_the_trader_sold_all_is_never_his_loss(config):
    """Case 2: long 3 at 21000 from 11:54:10; the trader sells the 3 at 21003 at 11:55:37;
    the 11:55 minute's low is 20900 (it came after). Nothing is judged: the guarded day is the
    actual one (old code: -600.00 'between 11:55:00 and 11:55:37', the 3 closed at 20900,
    a 30-minute cooldown_after_loss and the sale dropped)."""
    d = Days(1001, "SIM-DEMO-1")
    t = chi(2026, 12, 7, 11, 54)
    d.bars(MNQ, t, [21000, (21000, 21005, 20900, 20900), 20900])
    d.trade(t + 10 * S, MNQ, "buy", 3, "21000.00")
    d.trade(t + 97 * S, MNQ, "sell", 3, "21003.00")
    r = replay(config, d)
    assert acted(r) == []
    [day] = r.days.values()
    assert day.guarded == day.actual == D("18.00") - D("0.50") * 6
    assert day.blocked == day.dropped == 0
