"""no_stop_loss_grace: a position left without a stop past the grace period is closed."""
from tests.unit.risk.desk import MNQ, SIDE_BUY, SIDE_SELL, Desk


def test_a_naked_long_is_closed_after_10_seconds_by_the_clock_alone():
    desk = Desk(no_stop_loss_grace={"grace_seconds": 10})
    desk.long(1, MNQ, 21000)
    assert desk.wait(9.9).decisions == []
    [d] = desk.wait(0.1).decisions
    assert (d.action, d.contract_id) == ("close_position", MNQ)
    assert desk.wait(1).decisions == []          # already on its way


def test_a_stop_placed_within_the_grace_period_is_enough():
    desk = Desk(no_stop_loss_grace={"grace_seconds": 10})
    desk.long(1, MNQ, 21000)
    desk.wait(5)
    desk.stop(7, MNQ, SIDE_SELL, 1, "20950")
    assert desk.wait(60).decisions == []


def test_a_stop_on_the_wrong_side_does_not_protect():
    desk = Desk(no_stop_loss_grace={"grace_seconds": 10})
    desk.long(1, MNQ, 21000)
    desk.stop(7, MNQ, SIDE_BUY, 1, "21050")         # a buy stop adds, it does not protect
    [d] = desk.wait(10).decisions
    assert d.action == "close_position"
