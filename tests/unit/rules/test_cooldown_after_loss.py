"""cooldown_after_loss: a single big loss sends the trader to a timed cooldown."""
from tests.unit.risk.desk import Desk

NS = 1_000_000_000


def test_a_250_loss_matches_the_200_tier_and_cools_down_15_minutes_flat():
    desk = Desk(cooldown_after_loss={})
    [d] = desk.trade(pnl="-248", fees="2").decisions           # 250 lost
    assert d.action == "flatten" and d.lock.kind == "timer"
    assert d.lock.until_ns == desk.now + 900 * NS
    assert d.value == -250 and d.limit == -200


def test_a_99_loss_is_a_near_miss_and_a_win_does_nothing():
    desk = Desk(cooldown_after_loss={})
    assert desk.trade(pnl="-98", fees="1").decisions == []
    assert desk.trade(pnl="500").decisions == []


def test_a_smaller_tier_during_a_long_cooldown_does_not_shorten_it():
    desk = Desk(cooldown_after_loss={"flatten": False})
    desk.trade(pnl="-350")                                      # 1800 s
    long_end = desk.engine.lockouts.all()[0].until_ns
    desk.wait(10)
    out = desk.trade(pnl="-120")                                # 300 s tier: shorter
    assert out.decisions == [] and out.lockouts == []
    assert desk.engine.lockouts.all()[0].until_ns == long_end
