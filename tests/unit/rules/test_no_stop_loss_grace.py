"""no_stop_loss_grace: a position left without a stop past the grace period is closed."""
from tests.unit.risk.desk import MNQ, SIDE_BUY, SIDE_SELL, Desk


def test_a_naked_long_is_closed_after_10_seconds_by_the_clock_alone():
    desk = Desk(no_stop_loss_grace={"grace_seconds": 10})
    desk.long(1, MNQ, 21000)
    assert desk.wait(9.9).decisions == []
    [d] = desk.wait(0.1).decisions
    assert (d.action, d.contract_id) == ("close_position", MNQ)
    assert desk.wait(1).decisions == []          # already on its way


def test_the_reason_says_its_times_as_every_screen_does():
    # trial 2026-12-05: "1800 s" in one reason beside screens' "29m57s": durations one way
    desk = Desk(no_stop_loss_grace={"grace_seconds": 90})
    desk.long(1, MNQ, 21000)
    [d] = desk.wait(90).decisions
    assert d.reason.endswith("without a stop order for 1m30s (grace 1m30s)"), d.reason


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


def test_a_suspended_bracket_child_is_not_a_working_stop():
    # a naked position beside a resting bracketed entry: the entry's stop child is suspended
    from shared.messages.market import STATUS_SUSPENDED
    from tests.unit.risk.desk import ORDER_STOP
    desk = Desk(no_stop_loss_grace={"grace_seconds": 10})
    desk.long(1, MNQ, 21000)
    desk.order(8, MNQ, SIDE_SELL, 1, ORDER_STOP, stop_price="20900", status=STATUS_SUSPENDED)
    [d] = desk.wait(10).decisions
    assert d.action == "close_position"


def test_a_stop_smaller_than_the_position_does_not_cover_it():
    desk = Desk(no_stop_loss_grace={"grace_seconds": 10})
    desk.long(3, MNQ, 21000)
    desk.stop(7, MNQ, SIDE_SELL, 1, "20950")
    [d] = desk.wait(10).decisions
    assert d.action == "close_position"


def test_a_flipped_position_gets_a_fresh_grace_even_with_the_same_creation_time():
    from shared.messages.market import POSITION_SHORT, PositionUpdate
    from tests.unit.risk.desk import ACCOUNT, D
    desk = Desk(no_stop_loss_grace={"grace_seconds": 10})
    created = desk.now
    desk.long(1, MNQ, 21000)
    desk.stop(7, MNQ, SIDE_SELL, 1, "20950")
    desk.wait(60)                                          # the sell stop no longer protects:
    desk.feed(PositionUpdate(account_id=ACCOUNT, position_id=1, contract_id=MNQ, ts_ns=created,
                             type=POSITION_SHORT, size=1, average_price=D(20990)))
    assert desk.wait(9).decisions == []                    # grace counts from the flip
    [d] = desk.wait(1).decisions
    assert d.action == "close_position"
