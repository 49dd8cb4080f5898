"""max_contracts_per_instrument: each symbol has its own size limit."""
from tests.unit.risk.desk import ES, MNQ, NQ, Desk


def test_four_es_with_a_limit_of_two_is_reduced_by_two():
    desk = Desk(max_contracts_per_instrument={"limits": {"ES": 2, "MNQ": 10}})
    out = desk.filled(4, ES, 6000)               # ES is root EP in the contract id
    [d] = out.decisions
    assert (d.action, d.contract_id, d.size, d.value, d.limit) == ("reduce_position", ES, 2, 4, 2)


def test_two_es_is_within_the_limit_and_other_symbols_are_allowed():
    desk = Desk(max_contracts_per_instrument={"limits": {"ES": 2}})
    assert desk.long(2, ES, 6000).decisions == []
    assert desk.long(20, MNQ, 21000).decisions == []           # unknown_symbol = allow


def test_unknown_symbol_block_closes_and_close_action_closes_the_contract():
    desk = Desk(max_contracts_per_instrument={"limits": {"MNQ": 3}, "unknown_symbol": "block",
                                              "action": "close"})
    [d] = desk.filled(1, NQ, 21000).decisions
    assert (d.action, d.contract_id) == ("close_position", NQ)
    [d] = desk.filled(4, MNQ, 21000).decisions
    assert (d.action, d.contract_id, d.size) == ("close_position", MNQ, None)
