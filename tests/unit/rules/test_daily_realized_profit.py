"""daily_realized_profit: the day's target reached -> flatten and stop for the day."""
from tests.unit.risk.desk import Desk


def test_reaching_1000_net_of_fees_flattens_and_locks():
    desk = Desk(daily_realized_profit={"target": 1000})
    desk.trade(pnl="600", fees="2")
    [d] = desk.trade(pnl="404", fees="2").decisions       # 1004 - 4 = 1000
    assert d.action == "flatten" and d.value == 1000 and d.lock.kind == "until_reset"


def test_999_is_a_near_miss():
    desk = Desk(daily_realized_profit={"target": 1000})
    desk.trade(pnl="1001", fees="2")                       # 999 net
    assert desk.decisions() == []
