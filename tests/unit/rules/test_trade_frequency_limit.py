"""trade_frequency_limit: overtrading triggers cooldowns; per-day/week caps end the day."""
from tests.unit.risk.desk import Desk, chi

NS = 1_000_000_000


def test_third_trade_within_a_minute_starts_a_60_second_cooldown():
    desk = Desk(trade_frequency_limit={"per_minute": 3})
    desk.trade()
    desk.wait(20)
    desk.trade()
    desk.wait(20)
    [d] = desk.trade().decisions
    assert d.action == "none" and d.value == 3 and d.lock.kind == "timer"
    assert d.lock.until_ns == desk.now + 60 * NS
    lock = desk.engine.lockouts.all()[0]
    desk.wait(59)
    assert desk.engine.lockouts.all() == [lock]
    expired = desk.wait(1).lockouts
    assert [c.change for c in expired] == ["cleared"] and desk.engine.lockouts.all() == []


def test_three_trades_spread_over_more_than_a_minute_are_a_near_miss():
    desk = Desk(trade_frequency_limit={"per_minute": 3, "per_hour": 0, "per_session": 0})
    desk.trade()
    desk.wait(31)
    desk.trade()
    desk.wait(30)
    assert desk.trade().decisions == []            # the first one left the window


def test_a_voided_trade_is_not_counted_and_flatten_option_flattens():
    desk = Desk(trade_frequency_limit={"per_minute": 2, "flatten": True})
    desk.trade(voided=True)
    assert desk.trade().decisions == []
    [d] = desk.trade().decisions
    assert d.action == "flatten"


def test_per_day_cap_flattens_until_the_roll_and_the_roll_resets_the_count():
    desk = Desk(start=chi(2026, 11, 25, 9), trade_frequency_limit={
        "per_minute": 0, "per_hour": 0, "per_session": 0, "per_day": 3})
    for _ in range(2):
        desk.trade()
        desk.wait(600)
    [d] = desk.trade().decisions
    assert d.action == "flatten" and d.lock.kind == "until_reset"
    assert d.lock.until_ns == chi(2026, 11, 25, 17)
    desk.at(chi(2026, 11, 25, 17))
    assert desk.engine.lockouts.all() == []
    assert desk.account.trades_today == 0
    assert desk.trade().decisions == []


def test_per_week_cap_locks_until_fridays_roll():
    desk = Desk(start=chi(2026, 11, 23, 9), trade_frequency_limit={
        "per_minute": 0, "per_hour": 0, "per_session": 0, "per_week": 2})
    desk.trade()
    desk.at(chi(2026, 11, 24, 9))            # Tuesday: a new day, same week
    [d] = desk.trade().decisions
    assert d.action == "flatten" and d.lock.until_ns == chi(2026, 11, 27, 17)


def test_a_longer_cooldown_wins_over_a_shorter_one():
    desk = Desk(trade_frequency_limit={"per_minute": 2, "per_hour": 2,
                                       "per_minute_cooldown": 60, "per_hour_cooldown": 1800})
    desk.trade()
    [d] = desk.trade().decisions
    assert d.lock.until_ns == desk.now + 1800 * NS


def test_old_fills_count_from_their_own_time_and_an_elapsed_cooldown_is_not_taken():
    from shared.messages.market import SIDE_BUY, Fill
    from tests.unit.risk.desk import ACCOUNT, MNQ, D, Desk
    desk = Desk(trade_frequency_limit={"per_minute": 3, "per_minute_cooldown": 60,
                                       "per_hour": 3, "per_hour_cooldown": 1800})
    then = desk.now - 2400 * 1_000_000_000            # 40 minutes ago, while risk was down
    outs = [desk.feed(Fill(account_id=ACCOUNT, trade_id=700 + i, contract_id=MNQ,
                           ts_ns=then + i, price=D(21000), pnl=None, fees=D(0),
                           side=SIDE_BUY, size=1)) for i in range(3)]
    assert [d for o in outs for d in o.decisions] == []
    assert desk.engine.lockouts.all() == [] and desk.account.trades_today == 3
