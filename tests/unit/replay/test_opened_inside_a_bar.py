"""A position opened inside a bar is not valued at that bar's high or low (docs/replay.md, Events
in time order), and the rule table adds up to the day table while the trader's own position is
still open (docs/replay.md, What you see).

Fresh-user trial 21c, finding 4 (account 1002, default one-minute bars): MNQ fell to 20899 at
06:41:15 CST and was back at 21000 from 06:41:45; the trader's target sold the long at 06:41:17
and he bought again at 06:41:54 (long 2 at 21000.25). The replay played the minute's low at the
minute's end against the long 2, read MNQ open PnL -405.00 'between 06:41:55 and 06:41:59' (a
price that came 40 s before the position existed), closed it at the low and then locked the
account until the roll; riskd, watching every price, never saw it. The same day's rule table
said -0.74 where the day table said -405.74: the long 2 was still open, so its actual exit,
where the rule's effect was booked, had not come.

MNQ here: 2 USD a point, 0.50 a contract in fees (tests/support/replay_days.py).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest

from cli.replay.runner import ids, replay_account
from services.risk.engine import Engine
from services.risk.outcome import FixedRules
from shared.tradingday import TradingCalendar
from tests.support.replay_days import MNQ, D, Days, chi
from tests.unit.risk.desk import only

pytestmark = pytest.mark.timeout(30)
MON = dt.date(2026, 12, 7)
S = 1_000_000_000
RULES = {"daily_unrealized_loss": {"limit": 200}}


def trial_day(next_minute=21000) -> Days:
    """The trial's shape: long 1 from 06:40:10; the 06:41 minute falls to 20920 (long 1 there:
    -160, inside the 200 limit) and the target sells it at 06:41:17; long 2 bought at 06:41:54,
    still open when the replay ends. next_minute: the 06:42 bar (a number: flat there)."""
    d = Days(1002, "SIM-DEMO-2")
    t = chi(2026, 12, 7, 6, 40)
    d.bars(MNQ, t, [21000, (21000, 21010, 20920, 21000), next_minute, 21000])
    d.trade(t + 10 * S, MNQ, "buy", 1, "21000.00")
    d.trade(t + 77 * S, MNQ, "sell", 1, "21010.00")           # the target, +20.00
    d.trade(t + 114 * S, MNQ, "buy", 2, "21000.25")           # long 2 from 06:41:54
    return d


def replay(d: Days):
    engine = Engine(TradingCalendar.make(), FixedRules(only(**RULES)), ids=ids())
    return replay_account(engine, d.history())


def acted(r):
    return [x for x in r.decisions if not x.suppressed and x.rule == "daily_unrealized_loss"]


def changed(r) -> Decimal:
    return sum((e.changed for e in r.rules.values()), Decimal(0))


def test_a_position_opened_inside_a_bar_is_not_valued_at_that_bars_low():
    """The minute's low came before the long 2 existed (or may have): the replay does not play
    it against the long 2 (old code: -321.00 at 06:41:59, closed at 20920, guarded -304.00)."""
    r = replay(trial_day())
    assert acted(r) == []
    day = r.days[MON]
    assert day.actual == D("20.00") - D("0.50") * 4
    assert day.guarded == day.actual
    assert changed(r) == day.guarded - day.actual == 0


def test_from_its_next_bar_on_the_bars_low_is_played_and_the_tables_add_up():
    """The 06:42 minute falls to 20900, all of it while the long 2 was held: that low is played
    at the minute's end (-401.00), closes the long 2 there, and its span starts at the bar's
    start. The trader's long 2 is still open when the replay ends, so the actual day never
    realized it: the rule's effect is the close's own PnL and fee, and the rule table's total
    is the day table's difference (old code: the fee only, -1.00 against -402.00)."""
    r = replay(trial_day(next_minute=(21000, 21000, 20900, 21000)))
    [close] = acted(r)
    assert close.ts_ns == chi(2026, 12, 7, 6, 43) - 1
    assert r.bar_timed[close.id] == (chi(2026, 12, 7, 6, 42), chi(2026, 12, 7, 6, 43) - 1)
    day = r.days[MON]
    assert day.guarded - day.actual == D("-401.00") - D("1.00")
    assert changed(r) == day.guarded - day.actual
    assert r.rules["daily_unrealized_loss"].changed == day.guarded - day.actual


def test_an_entry_and_exit_inside_one_bar_meet_none_of_its_extremes():
    """Bought at 06:41:30 and sold at 06:41:40 in a minute whose low (20899) may have come
    before the buy: the low is not judged before the exit either (old code: -202.00 judged
    just before the sale, closed at 20899 and the sale dropped)."""
    d = Days(1002, "SIM-DEMO-2")
    t = chi(2026, 12, 7, 6, 41)
    d.bars(MNQ, t, [(21000, 21010, 20899, 21000), 21000])
    d.trade(t + 30 * S, MNQ, "buy", 1, "21000.00")
    d.trade(t + 40 * S, MNQ, "sell", 1, "21002.00")
    r = replay(d)
    assert acted(r) == []
    day = r.days[MON]
    assert day.guarded == day.actual == D("4.00") - D("1.00")


def held_and_added(exit_at=None) -> Days:
    """Long 1 from 06:40:10; the 06:41 minute falls to 20950 and ends at 21000; the trader
    adds 2 at 06:41:50 at 21000 (long 3 at the minute's end). exit_at: seconds into 06:41 at
    which the trader sells all 3 at 21000, after the add."""
    d = Days(1002, "SIM-DEMO-2")
    t = chi(2026, 12, 7, 6, 40)
    d.bars(MNQ, t, [21000, (21000, 21010, 20950, 21000), 21000])
    d.trade(t + 10 * S, MNQ, "buy", 1, "21000.00")
    d.trade(t + 110 * S, MNQ, "buy", 2, "21000.00")
    if exit_at is not None:
        d.trade(t + (60 + exit_at) * S, MNQ, "sell", 3, "21000.00")
    return d


@pytest.mark.parametrize("exit_at", [None, 55], ids=["held-past-the-bar", "sold-in-the-bar"])
def test_an_add_inside_a_bar_is_valued_at_the_prices_it_met_after_it_was_made(exit_at):
    """The minute's low (20950) came while the long 1 was held, but may have come before the
    add of 2: the long 1 meets it (-100.00), the 2 added meet their own fill and the minute's
    close (21000: 0.00), so open PnL -100.00, inside the 200 limit: no close. Old code: the
    long 3 at the low, -300.00, closed at the minute's end (or, with the exit in the minute,
    judged so just before it and the sale dropped). The worst of it is still judged: a long 1
    that met the low is read at the low."""
    r = replay(held_and_added(exit_at))
    assert acted(r) == []
    day = r.days[MON]
    assert day.guarded == day.actual
    assert changed(r) == 0


def test_the_contract_held_before_the_bar_still_meets_its_low():
    """The same minute falling to 20850: the long 1 alone reads -300.00 there, a breach, closed
    at the minute's end; the close realizes what was judged (the long 1 at the low, the 2 added
    at 21000: 3 at their mean 20950, -300.00), not the long 3 at the low (-900.00)."""
    d = held_and_added()
    d.h.bars[MNQ][1] = attrs.evolve(d.h.bars[MNQ][1], low=D(20850))
    r = replay(d)
    [close] = acted(r)
    assert "-300.00" in close.reason, close.reason
    day = r.days[MON]
    assert day.guarded - day.actual == D("-300.00") - D("0.50") * 3
