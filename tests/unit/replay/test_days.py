"""Hand-computed days, one per kind of action riskd takes: the replay must find the same
decisions a careful trader works out on paper, and the guarded PnL that follows from them.

Point values: ES 50 USD, MNQ 2 USD; fees 1.00 per ES contract, 0.50 per MNQ contract, per side.
Each fill is priced the way the broker books it (tests/support/replay_days.py).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cli.replay.runner import ids, replay_account
from services.risk.engine import Engine
from services.risk.outcome import FixedRules
from shared.messages.risk import CLOSE_POSITION, FLATTEN, REDUCE_POSITION
from shared.tradingday import TradingCalendar
from tests.support.replay_days import ES, MNQ, D, Days, chi
from tests.unit.risk.desk import only

pytestmark = pytest.mark.timeout(30)
WED, THU = dt.date(2026, 11, 25), dt.date(2026, 11, 26)   # Thursday 26th is no holiday here


def replay(days: Days, **rules):
    engine = Engine(TradingCalendar.make(), FixedRules(only(**rules)), ids=ids())
    return replay_account(engine, days.history())


def acted(result, rule=None):
    return [d for d in result.decisions if not d.suppressed and (rule is None or d.rule == rule)]


def test_flatten_and_lockout_until_the_roll():
    """-502 realized (fees in) breaks the 500 limit: flatten, locked until 17:00. The 2-lot
    round trip after it is blocked (+1000 - 4 fees in the actual day); the next day trades."""
    d = Days()
    d.trade(chi(2026, 11, 25, 9, 0), ES, "buy", 1, 5000)
    d.trade(chi(2026, 11, 25, 9, 10), ES, "sell", 1, 4990)          # -500, fees 2: -502
    d.trade(chi(2026, 11, 25, 9, 30), ES, "buy", 2, 4995)
    d.trade(chi(2026, 11, 25, 10, 0), ES, "sell", 2, 5005)          # +1000, fees 4
    d.trade(chi(2026, 11, 26, 9, 0), ES, "buy", 1, 5000)            # after the roll
    d.trade(chi(2026, 11, 26, 9, 5), ES, "sell", 1, 5002)           # +100, fees 2
    r = replay(d, daily_realized_loss={"limit": 500})
    [flat] = acted(r, "daily_realized_loss")
    assert flat.action == FLATTEN and flat.lock.kind == "until_reset"
    assert flat.ts_ns == chi(2026, 11, 25, 9, 10)
    assert r.days[WED].actual == D(-502 + 996)
    assert r.days[WED].guarded == D(-502)
    assert (r.days[WED].blocked, r.days[WED].dropped) == (1, 1)   # the entry, its exit
    assert r.days[THU].actual == r.days[THU].guarded == D(98)
    assert r.rules["daily_realized_loss"].changed == D(-996)
    assert (r.rules["daily_realized_loss"].blocked, r.rules["daily_realized_loss"].dropped) \
        == (1, 1)


def test_a_reduce_closes_the_newest_contract_at_that_moment_s_price():
    """Buy 3 MNQ at 20000 with max_contracts 2: riskd sells 1 at the bar's price (20000,
    fee 0.50). The trader's later sale of 3 at 20010 sells only the 2 left."""
    d = Days()
    t0 = chi(2026, 11, 25, 9, 0)
    d.bars(MNQ, t0, [20000] * 5 + [20010])
    d.trade(t0, MNQ, "buy", 3, 20000)                                # fees 1.50
    d.trade(chi(2026, 11, 25, 9, 5), MNQ, "sell", 3, 20010)          # +60, fees 1.50
    r = replay(d, max_contracts={"limit": 2, "action": "reduce"})
    [cut] = acted(r, "max_contracts")
    assert cut.action == REDUCE_POSITION and cut.size == 1
    day = r.days[WED]
    assert day.actual == D(60 - 3)
    # guarded: entry fees 1.50, riskd's close 0 PnL - 0.50, the trader's 2 at +10 pts = +40 - 1.00
    assert day.guarded == D("37.00")
    assert r.rules["max_contracts"].changed == D(-20)
    assert r.rules["max_contracts"].contracts_closed == 1


def test_a_close_of_one_position_at_the_adverse_extreme_first():
    """ES falls to 4995 inside the 09:01 bar: -250 on a 200 per-position limit closes ES at
    4995; MNQ stays and is sold by the trader at +10 points."""
    d = Days()
    t0 = chi(2026, 11, 25, 9, 0)
    d.bars(ES, t0, [5000, (4999, 5001, 4995, 4998)] + [5000] * 8 + [5004])
    d.bars(MNQ, t0, [20000] * 10 + [20005])
    d.trade(t0, ES, "buy", 1, 5000)
    d.trade(t0, MNQ, "buy", 1, 20000)
    d.trade(chi(2026, 11, 25, 9, 10), ES, "sell", 1, 5004)          # +200
    d.trade(chi(2026, 11, 25, 9, 10), MNQ, "sell", 1, 20005)        # +10
    r = replay(d, daily_unrealized_loss={"limit": 200, "scope": "position"})
    [close] = acted(r, "daily_unrealized_loss")
    assert close.action == CLOSE_POSITION and close.contract_id == ES
    # the low, before the high, both played at the bar's end: a bar's extremes are known only
    # once it has ended (trial 20a)
    assert close.ts_ns == chi(2026, 11, 25, 9, 2) - 1
    assert r.days[WED].actual == D(200 + 10 - 3)
    assert r.days[WED].guarded == D(-250 - 2 + 10 - 1)
    assert (r.days[WED].blocked, r.days[WED].dropped) == (0, 1)     # the ES exit
    assert r.rules["daily_unrealized_loss"].dropped == 1


def test_a_timer_cooldown_blocks_the_next_two_round_trips():
    """A 150 loss starts a 300 s cooldown at 09:01: the round trips at 09:02 (+100) and 09:04
    (-500) do not happen; the one at 09:07 does (+50)."""
    d = Days()
    for hm, side, px in [((9, 0), "buy", 5000), ((9, 1), "sell", 4997),
                         ((9, 2), "buy", 4998), ((9, 3), "sell", 5000),
                         ((9, 4), "buy", 5000), ((9, 5), "sell", 4990),
                         ((9, 7), "buy", 5000), ((9, 8), "sell", 5001)]:
        d.trade(chi(2026, 11, 25, *hm), ES, side, 1, px)
    r = replay(d, cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 300}],
                                       "flatten": True})
    [cool] = acted(r, "cooldown_after_loss")
    assert cool.lock.kind == "timer" and cool.lock.until_ns == chi(2026, 11, 25, 9, 6)
    assert r.days[WED].actual == D(-150 + 100 - 500 + 50 - 8)
    assert r.days[WED].guarded == D(-150 + 50 - 4)
    assert (r.days[WED].blocked, r.days[WED].dropped) == (2, 2)
    assert r.rules["cooldown_after_loss"].changed == D(404)
    assert (r.rules["cooldown_after_loss"].blocked, r.rules["cooldown_after_loss"].dropped) \
        == (2, 2)


def test_a_session_end_closes_and_blocks_until_the_next_session():
    """A long ES held into 15:00 is closed at the last price before the end (5002) by the
    session end's flatten (RULES.md rule 9), the account locked until the next session; the
    trader's re-entry at 15:20 is blocked until then."""
    d = Days()
    t0 = chi(2026, 11, 25, 14, 50)
    d.bars(ES, t0, [5000] * 9 + [(5000, 5002, 5000, 5002)] + [4995] * 11)
    d.trade(t0, ES, "buy", 1, 5000)
    d.trade(chi(2026, 11, 25, 15, 10), ES, "sell", 1, 4990)         # -500
    d.bars(ES, chi(2026, 11, 25, 15, 20), [4990] * 10 + [4995])
    d.trade(chi(2026, 11, 25, 15, 20), ES, "buy", 1, 4990)
    d.trade(chi(2026, 11, 25, 15, 30), ES, "sell", 1, 4995)         # +250
    r = replay(d, session_block_outside={})
    first = acted(r, "session_block_outside")[0]
    assert first.action == FLATTEN and first.ts_ns == chi(2026, 11, 25, 15, 0)
    assert first.lock.kind == "until_session" and first.lock.until_ns == chi(2026, 11, 26, 8, 30)
    assert first.lock.symbol is None
    assert r.days[WED].actual == D(-500 + 250 - 4)
    assert r.days[WED].guarded == D(100 - 2)
    # the re-entry is blocked; the 15:10 exit of the closed position and the re-entry's exit
    # are dropped: all three counted for the rule, as the day counts them
    assert (r.days[WED].blocked, r.days[WED].dropped) == (1, 2)
    rule = r.rules["session_block_outside"]
    assert (rule.blocked, rule.dropped) == (1, 2)


def test_a_day_without_a_breach_is_left_as_it_was():
    d = Days()
    d.trade(chi(2026, 11, 25, 9, 0), ES, "buy", 1, 5000)
    d.trade(chi(2026, 11, 25, 9, 5), ES, "sell", 1, Decimal("5000.25"))
    r = replay(d, daily_realized_loss={"limit": 500})
    assert acted(r) == [] and r.days[WED].actual == r.days[WED].guarded == D("10.50")


def test_riskd_s_own_closes_are_not_the_trader_s_trades():
    """max_contracts 2 cuts each add; with per_minute 3 the cooldown starts on the trader's
    third fill (09:00:40), not on the second because riskd's cut was counted (RULES.md,
    "Whose trade it is")."""
    d = Days()
    t0 = chi(2026, 11, 25, 9, 0)
    d.bars(MNQ, t0, [20000] * 3)
    d.trade(t0, MNQ, "buy", 3, 20000)                                 # riskd sells 1
    d.trade(t0 + 20 * 10 ** 9, MNQ, "buy", 1, 20000)                  # riskd sells 1
    d.trade(t0 + 40 * 10 ** 9, MNQ, "sell", 4, 20000)                 # the trader's third
    r = replay(d, max_contracts={"limit": 2, "action": "reduce"},
               trade_frequency_limit={"per_minute": 3, "per_hour": 0, "per_session": 0})
    cuts = acted(r, "max_contracts")
    assert [c.size for c in cuts] == [1, 1]
    [cool] = [x for x in r.decisions if x.rule == "trade_frequency_limit"]
    assert cool.ts_ns == t0 + 40 * 10 ** 9


def test_an_order_riskd_cancelled_does_not_fill_after_its_lockout_ended():
    """A buy limit rests from 09:00:30; the 150 loss at 09:01 starts a 300 s cooldown that
    flattens, which cancels the resting order. It filled at 09:20 in the actual day (after the
    cooldown ended), so in the guarded day it did not fill, nor did its exit (+100)."""
    d = Days()
    t0 = chi(2026, 11, 25, 9, 0)
    d.trade(t0, ES, "buy", 1, 5000)
    d.order(77, ES, "buy", 1, t0 + 30 * 10 ** 9, chi(2026, 11, 25, 9, 20), 2, limit=4990)
    d.trade(chi(2026, 11, 25, 9, 1), ES, "sell", 1, 4997)                    # -150
    d.trade(chi(2026, 11, 25, 9, 20), ES, "buy", 1, 4990, order_id=77)
    d.trade(chi(2026, 11, 25, 9, 30), ES, "sell", 1, 4992)                   # +100
    r = replay(d, cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 300}],
                                       "flatten": True})
    assert r.days[WED].actual == D(-150 + 100 - 4)
    assert r.days[WED].guarded == D(-150 - 2)
    assert (r.days[WED].blocked, r.days[WED].dropped) == (1, 1)
    assert (r.rules["cooldown_after_loss"].blocked, r.rules["cooldown_after_loss"].dropped) \
        == (1, 1)
