"""warn_at warnings come once per rule (per window of trade_frequency_limit), account and
trading day, before the breach (trial finding 10).

trade_frequency_limit counts trades, and the trade that makes count == limit is the breach, so
a warning at warn_at x limit can come too late for a small limit (2 of 3 is 67 %, under the
default 0.8). What a trader wants is to hear it while one more trade is still allowed: a window
warns from ceil(warn_at x limit) trades, but at the latest one trade before its limit (2 of 3,
1 of 2; a limit of 1 cannot warn), and each window warns on its own: a per-minute cooldown does
not silence the per-hour warning later that day. max_contracts warns at 4 of 5 (80 %); 5 of 5
is at the limit, not over it, and warns when nothing warned before.
"""
from services.risk.views import rule_values
from tests.unit.risk.desk import ACCOUNT, ES, MNQ, Desk

NS = 1_000_000_000
TFL = {"per_minute": 3, "per_hour": 10, "per_session": 0, "per_minute_cooldown": 60}


def reasons(out):
    return [w.reason for w in out.warnings]


def test_the_second_of_three_trades_a_minute_warns_that_the_next_starts_the_cooldown():
    desk = Desk(trade_frequency_limit=TFL)
    assert reasons(desk.trade()) == []
    desk.wait(5)
    [w] = desk.trade().warnings
    assert (w.rule, w.value, w.limit) == ("trade_frequency_limit", 2, 3)
    assert "2 of 3 trades per minute" in w.reason
    [tfl] = [v for v in rule_values(desk.engine, ACCOUNT, desk.now) if v.rule == w.rule]
    assert tfl.warn_at == 0.6667             # the screens colour the bar where riskd warned
    desk.wait(5)
    out = desk.trade()                                       # the breach: no warning after it
    assert [d.rule for d in out.decisions] == ["trade_frequency_limit"] and out.warnings == []


def test_the_hour_window_warns_at_8_of_10_even_after_a_per_minute_cooldown():
    desk = Desk(trade_frequency_limit=TFL)
    for _ in range(3):                                       # 3 in a minute: the cooldown
        desk.trade()
        desk.wait(5)
    assert len(desk.decisions("trade_frequency_limit")) == 1
    desk.wait(120)
    for n in range(4, 8):                                    # spread out: no minute warning
        assert reasons(desk.trade()) == [], n
        desk.wait(61)
    [w] = desk.trade().warnings                              # the 8th this hour
    assert (w.value, w.limit) == (8, 10) and "8 of 10 trades per hour" in w.reason
    desk.wait(61)
    assert reasons(desk.trade()) == []                       # 9 of 10: warned already today
    desk.wait(30)
    assert reasons(desk.trade()) == []                       # the minute window: warned today


def test_small_per_minute_limits():
    one = Desk(trade_frequency_limit={**TFL, "per_minute": 1, "per_hour": 0})
    out = one.trade()
    assert out.warnings == [] and len(out.decisions) == 1   # nothing can come before it
    two = Desk(trade_frequency_limit={**TFL, "per_minute": 2, "per_hour": 0})
    assert [w.value for w in two.trade().warnings] == [1]


def test_max_contracts_warns_at_4_of_5_and_5_of_5_is_not_a_breach():
    desk = Desk(max_contracts={"limit": 5})
    assert reasons(desk.filled(3, MNQ, 21000)) == []
    [w] = desk.filled(4, MNQ, 21000).warnings
    assert (w.rule, w.value, w.limit) == ("max_contracts", 4, 5) and "80%" in w.reason
    out = desk.filled(5, MNQ, 21000)
    assert out.warnings == [] and out.decisions == []        # at the limit: once a day only
    jump = Desk(max_contracts={"limit": 5})
    jump.filled(3, MNQ, 21000)
    out = jump.filled(2, ES, 6000)                             # 3 -> 5 in one step
    assert out.decisions == [] and [w.value for w in out.warnings] == [5]
