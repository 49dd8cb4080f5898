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


def test_an_old_loss_counts_but_its_elapsed_cooldown_takes_no_action():
    # bug: a loss made while risk was down started a full cooldown from now and flattened
    from tests.unit.risk.desk import MNQ
    desk = Desk(cooldown_after_loss={})
    desk.long(1, MNQ, 21000)
    out = desk.feed(_fill(desk, "-250", desk.now - 3600 * NS))   # an hour ago: 900 s tier
    assert out.decisions == [] and desk.engine.lockouts.all() == []
    assert desk.account.realized(True) == -250                    # it counts in today's totals


def test_a_recent_old_loss_cools_down_from_its_own_time():
    desk = Desk(cooldown_after_loss={})
    [d] = desk.feed(_fill(desk, "-250", desk.now - 100 * NS)).decisions
    assert d.lock.until_ns == desk.now - 100 * NS + 900 * NS


def _fill(desk, pnl, ts_ns):
    from shared.messages.market import SIDE_SELL, Fill
    from tests.unit.risk.desk import ACCOUNT, MNQ, D
    return Fill(account_id=ACCOUNT, trade_id=4242, contract_id=MNQ, ts_ns=ts_ns,
                price=D(21000), pnl=D(pnl), fees=D(0), side=SIDE_SELL, size=1)
