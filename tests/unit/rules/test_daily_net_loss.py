"""daily_net_loss: realized plus open PnL of the whole account against the day's line."""
from tests.unit.risk.desk import MNQ, Desk


def test_realized_loss_plus_an_open_loss_reach_600_and_flatten():
    desk = Desk(daily_net_loss={"limit": 600})
    desk.trade(pnl="-400", fees="4")                  # -404 realized
    desk.long(2, MNQ, 21000)                          # 2 MNQ: 4.00 a point
    assert desk.price(MNQ, "20951.25").decisions == []   # -195 open: -599 net, a near miss
    [d] = desk.price(MNQ, 20951).decisions            # -196 open: -600 net
    assert d.action == "flatten" and d.value == -600 and d.limit == -600
    assert d.lock.kind == "until_reset"


def test_trailing_realized_line_follows_the_days_best_closed_pnl():
    desk = Desk(daily_net_loss={"limit": 600, "trailing": "realized", "include_fees": False})
    desk.trade(pnl="500")                             # best 500 -> line -100
    assert desk.trade(pnl="-550").decisions == []      # -50 net
    [d] = desk.trade(pnl="-50").decisions              # -100 net
    assert d.limit == -100 and d.value == -100


def test_trailing_unrealized_line_follows_the_best_open_equity():
    desk = Desk(daily_net_loss={"limit": 300, "trailing": "unrealized"})
    desk.long(1, MNQ, 21000)                          # 2.00 a point
    desk.price(MNQ, 21200)                            # +400 open: line +100
    assert desk.price(MNQ, "21050.25").decisions == []   # +100.50
    [d] = desk.price(MNQ, 21050).decisions            # +100
    assert d.limit == 100 and d.value == 100
