"""max_unrealized_profit: take the profit when an open position reaches the target."""
from tests.unit.risk.desk import ES, Desk


def test_short_es_at_6000_falling_six_points_reaches_300_and_is_closed():
    desk = Desk(max_unrealized_profit={"target": 300})
    desk.short(1, ES, 6000)
    [d] = desk.price(ES, 5994).decisions                  # 24 ticks * 12.50 = 300
    assert (d.action, d.contract_id, d.value) == ("close_position", ES, 300)


def test_287_50_in_profit_is_a_near_miss():
    desk = Desk(max_unrealized_profit={"target": 300})
    desk.short(1, ES, 6000)
    assert desk.price(ES, "5994.25").decisions == []      # 23 ticks = 287.50
