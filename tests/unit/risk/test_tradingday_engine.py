"""The trading day as the engine lives it: rolls, DST, Fridays, holidays, 16:59:59 vs 17:00."""
from tests.unit.risk.desk import Desk, chi

LIMIT = {"daily_realized_loss": {"limit": 500}}


def test_a_loss_at_16_59_59_counts_for_today_and_one_at_17_00_for_tomorrow():
    early = Desk(start=chi(2026, 11, 25, 16), **LIMIT)
    early.trade(pnl="-400")
    early.at(chi(2026, 11, 25, 16, 59, 59))
    [d] = early.trade(pnl="-150").decisions
    assert d.lock.until_ns == chi(2026, 11, 25, 17)
    late = Desk(start=chi(2026, 11, 25, 16), **LIMIT)
    late.trade(pnl="-400")
    out = late.at(chi(2026, 11, 25, 17))
    assert out.rolled.isoformat() == "2026-11-26"
    assert late.trade(pnl="-150").decisions == []
    assert late.account.realized() == -150


def test_the_roll_resets_daily_counters_and_until_reset_lockouts_but_not_timers_or_manual():
    desk = Desk(start=chi(2026, 11, 25, 16, 50), daily_realized_loss={"limit": 500},
                cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 1800}],
                                     "flatten": False},
                auth_loss_guard={})
    desk.trade(pnl="-600")                                  # until-reset + 30 min cooldown
    desk.can_trade(False)                                   # manual
    kinds = sorted(lk.kind for lk in desk.engine.lockouts.all())
    assert kinds == ["manual", "timer", "until_reset"]
    out = desk.at(chi(2026, 11, 25, 17))
    assert [c.lockout.kind for c in out.lockouts] == ["until_reset"]
    assert sorted(lk.kind for lk in desk.engine.lockouts.all()) == ["manual", "timer"]
    assert desk.account.realized() == 0 and desk.account.trades_today == 0
    desk.at(chi(2026, 11, 25, 17, 20))                       # the cooldown ends on its own time
    assert [lk.kind for lk in desk.engine.lockouts.all()] == ["manual"]


def test_fridays_lockout_ends_at_fridays_roll_and_the_weekend_belongs_to_monday():
    desk = Desk(start=chi(2026, 11, 20, 10), **LIMIT)
    [d] = desk.trade(pnl="-600").decisions
    assert d.lock.until_ns == chi(2026, 11, 20, 17)
    out = desk.at(chi(2026, 11, 22, 17, 30))                # Sunday evening session
    assert out.rolled.isoformat() == "2026-11-23"
    assert desk.engine.lockouts.all() == []
    [d] = desk.trade(pnl="-600").decisions
    assert d.lock.until_ns == chi(2026, 11, 23, 17)          # Monday's roll


def test_lockouts_across_the_march_and_november_dst_changes_end_at_17_00_local():
    march = Desk(start=chi(2026, 3, 8, 18), **LIMIT)        # Sunday evening, first CDT day
    [d] = march.trade(pnl="-600").decisions
    assert d.lock.until_ns == chi(2026, 3, 9, 17)            # 22:00 UTC
    assert (d.lock.until_ns // 10**9) % 86400 == 22 * 3600
    nov = Desk(start=chi(2026, 10, 30, 12), **LIMIT)        # Friday before DST ends
    nov.trade(pnl="-600")
    nov.at(chi(2026, 11, 1, 18))                             # Sunday, CST now
    [d] = nov.trade(pnl="-600").decisions
    assert (d.lock.until_ns // 10**9) % 86400 == 23 * 3600   # Monday 17:00 CST = 23:00 UTC


def test_a_holiday_is_skipped():
    from shared.tradingday import TradingCalendar
    cal = TradingCalendar.make(holidays=["2026-11-26"])
    desk = Desk(start=chi(2026, 11, 25, 18), calendar=cal, **LIMIT)   # Wed evening
    [d] = desk.trade(pnl="-600").decisions
    assert d.lock.until_ns == chi(2026, 11, 27, 17)          # Friday's roll


def test_a_timer_fires_on_time_with_no_event():
    desk = Desk(cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 300}]})
    desk.trade(pnl="-150")
    [lock] = desk.engine.lockouts.all()
    assert desk.engine.lockouts.next_expiry() == lock.until_ns
    assert desk.wait(299.9).lockouts == []
    [c] = desk.wait(0.1).lockouts
    assert c.change == "cleared" and c.by == "clock"
