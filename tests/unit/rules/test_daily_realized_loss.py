"""daily_realized_loss: closed-trade losses past the limit flatten and lock until the roll."""
from tests.unit.risk.desk import D, Desk, chi


def test_losses_adding_up_past_500_with_fees_flatten_and_lock_until_17_00():
    desk = Desk(daily_realized_loss={"limit": 500})
    desk.trade(pnl=None, fees="1.24")               # opening half-turn: only its fees count
    desk.trade(pnl="-300", fees="1.24")
    assert desk.decisions() == []
    out = desk.trade(pnl="-197.52", fees="1.24")    # -300 - 197.52 - 3.72 = -501.24
    [d] = out.decisions
    assert d.action == "flatten" and d.value == D("-501.24") and d.limit == -500
    assert d.lock.kind == "until_reset" and d.lock.until_ns == chi(2026, 11, 25, 17)
    [change] = out.lockouts
    assert change.change == "added" and change.lockout.until_ns == chi(2026, 11, 25, 17)


def test_a_loss_of_499_is_a_near_miss_and_warns_once():
    desk = Desk(daily_realized_loss={"limit": 500, "include_fees": False})
    desk.trade(pnl="-420", fees="5")                # 420/500 = 84 %: warning
    desk.trade(pnl="-79", fees="5")                 # -499 without fees
    assert desk.decisions() == []
    [w] = desk.warnings()
    assert w.rule == "daily_realized_loss" and w.value == -420


def test_a_voided_trade_counts_for_nothing():
    desk = Desk(daily_realized_loss={"limit": 500})
    desk.trade(pnl="-600", voided=True)
    assert desk.decisions() == []
    assert desk.account.realized() == 0
