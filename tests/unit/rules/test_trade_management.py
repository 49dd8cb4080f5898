"""trade_management: the stop goes to breakeven, then trails the price."""
from shared.messages.enforce import CommandResult
from tests.unit.risk.desk import MNQ, SIDE_BUY, SIDE_SELL, Desk

PARAMS = {"breakeven_after_ticks": 10, "trail_after_ticks": 20, "trail_distance_ticks": 10}


def done(desk, d):
    """Enforcement reports the modify done and the broker shows the moved stop."""
    desk.engine.on_result(CommandResult(command_id=f"{d.id}.1", account_id=d.account_id,
                                        status="done"), desk.now)


def test_long_stop_moves_to_breakeven_after_10_ticks_then_trails_10_ticks_behind():
    desk = Desk(trade_management=PARAMS)
    desk.long(1, MNQ, "21000.00")
    desk.stop(9, MNQ, SIDE_SELL, 1, "20990")
    assert desk.price(MNQ, "21002.25").decisions == []        # 9 ticks: nothing yet
    [d] = desk.price(MNQ, "21002.50").decisions               # 10 ticks
    assert (d.action, d.order_id, d.stop_price) == ("modify_stop", 9, 21000)
    done(desk, d)
    desk.stop(9, MNQ, SIDE_SELL, 1, "21000")
    assert desk.price(MNQ, "21004.75").decisions == []        # 19 ticks: breakeven holds
    [d] = desk.price(MNQ, "21005.00").decisions               # 20 ticks: trail at -10 ticks
    assert d.stop_price == 21002.5
    done(desk, d)
    desk.stop(9, MNQ, SIDE_SELL, 1, "21002.50")
    [d] = desk.price(MNQ, "21008.00").decisions
    assert d.stop_price == 21005.5
    done(desk, d)
    desk.stop(9, MNQ, SIDE_SELL, 1, "21005.50")
    assert desk.price(MNQ, "21006.00").decisions == []        # never moves back


def test_short_breakeven_rounds_in_the_traders_favour_and_no_stop_means_nothing():
    desk = Desk(trade_management=PARAMS)
    desk.short(2, MNQ, "21000.10")                           # off-grid average (several fills)
    assert desk.price(MNQ, "20997.50").decisions == []        # no stop order: nothing to move
    desk.stop(3, MNQ, SIDE_BUY, 2, "21010")
    [d] = desk.price(MNQ, "20997.25").decisions
    assert d.stop_price == 21000                              # floor to the tick for a short
