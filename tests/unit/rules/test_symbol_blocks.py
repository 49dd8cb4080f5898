"""symbol_blocks: a blocked symbol cannot be traded at all."""
from tests.unit.risk.desk import ES, MNQ, Desk


def test_an_es_order_is_cancelled_and_an_es_position_closed():
    desk = Desk(symbol_blocks={"symbols": ["ES"]})
    [d] = desk.order(5, ES).decisions
    assert (d.action, d.order_id, d.contract_id) == ("cancel_orders", 5, ES)
    desk.cancelled(5, ES)
    [d] = desk.long(1, ES, 6000).decisions
    assert (d.action, d.contract_id) == ("close_position", ES)


def test_mnq_is_not_blocked():
    desk = Desk(symbol_blocks={"symbols": ["ES"]})
    assert desk.order(6, MNQ).decisions == []
    assert desk.long(1, MNQ, 21000).decisions == []
