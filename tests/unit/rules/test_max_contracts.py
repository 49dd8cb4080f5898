"""max_contracts: too many contracts open -> the newest exposure is reduced (or flatten)."""
from tests.unit.risk.desk import ES, MNQ, Desk


def test_adding_past_five_contracts_reduces_the_newest_position_back_to_the_limit():
    desk = Desk(max_contracts={"limit": 5})
    desk.filled(3, MNQ, 21000)
    desk.wait(5)
    out = desk.filled(3, ES, 6000)                 # 6 contracts gross
    [d] = out.decisions
    assert (d.action, d.contract_id, d.size) == ("reduce_position", ES, 1)
    assert (d.value, d.limit) == (6, 5)
    assert d.lock is None


def test_exactly_five_contracts_is_a_near_miss_with_one_warning():
    desk = Desk(max_contracts={"limit": 5})
    desk.filled(3, MNQ, 21000)
    out = desk.filled(2, ES, 6000)
    assert out.decisions == []
    [w] = desk.warnings()               # 5 of 5: at the limit, not over it
    assert (w.rule, w.value, w.limit) == ("max_contracts", 5, 5)
    desk.flat(ES)
    desk.filled(2, ES, 6000)
    assert len(desk.warnings()) == 1    # once per trading day


def test_net_counting_lets_a_hedge_stand_and_flatten_action_flattens():
    desk = Desk(max_contracts={"limit": 2, "count": "net", "action": "flatten"})
    desk.filled(2, MNQ, 21000)
    assert desk.filled(2, ES, 6000, "short").decisions == []          # net 0
    out = desk.filled(5, MNQ, 21000)                          # net 3
    [d] = out.decisions
    assert d.action == "flatten" and d.value == 3


def test_the_contracts_added_last_are_cut_whichever_position_they_belong_to():
    # bug: adding 2 ES to an old ES position cut the younger, compliant NQ position
    # (the broker stamps a position with its creationTimestamp, whatever changed it)
    from shared.messages.market import POSITION_LONG, PositionUpdate
    from tests.unit.risk.desk import ACCOUNT, NQ, D
    desk = Desk(max_contracts={"limit": 5})
    es_created = desk.now

    def es(size):                                # its Trade, then its Position
        desk.trade(contract=ES, size=size - desk.engine.account(ACCOUNT).signed(ES),
                   price="6000")
        return desk.feed(PositionUpdate(account_id=ACCOUNT, position_id=1, contract_id=ES,
                                        ts_ns=es_created, type=POSITION_LONG, size=size,
                                        average_price=D(6000)))
    es(2)                                        # 09:00
    desk.wait(60)
    desk.filled(3, NQ, 20000)                      # 09:01: 5 open, compliant
    desk.wait(60)
    [d] = es(4).decisions                        # 09:02: 2 ES added last
    assert (d.action, d.contract_id, d.size) == ("reduce_position", ES, 2)

