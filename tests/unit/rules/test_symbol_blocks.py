"""symbol_blocks: a blocked symbol cannot be traded at all."""
from tests.unit.risk.desk import ES, MNQ, Desk, only


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


def test_a_blocked_symbol_is_a_real_symbol_lockout_listed_with_the_account():
    desk = Desk(symbol_blocks={"symbols": ["ES"]})
    [d] = desk.order(5, ES).decisions
    assert d.lock is not None and d.lock.symbol == "ES"
    [lock] = desk.engine.lockouts.all()
    assert (lock.symbol, lock.rule, lock.kind) == ("ES", "symbol_blocks", "manual")
    [change] = [c for o in desk.history for c in o.lockouts]
    assert change.change == "added"                           # history and the screen see it


def test_a_symbol_added_to_the_list_acts_on_open_positions_and_orders_at_once():
    # bug: a newly listed symbol was acted on only at that position's next event
    desk = Desk(symbol_blocks={"symbols": []})
    desk.long(1, ES, 6000)
    desk.order(9, ES)
    desk.engine.settings.rules = only(symbol_blocks={"symbols": ["ES"]})   # a reload
    out = desk.engine.recheck(desk.now)
    # the close takes the lock and cancels the order with it: no record of the lock alone,
    # nor of the cancel, beside it (trials 17a, 21b: one breach read as two,
    # tests/unit/risk/test_symbol_blocks_one_record.py)
    [d] = out.decisions
    assert (d.action, d.contract_id) == ("close_position", ES), d
    assert d.what.startswith("close the ES position, cancel 1 order on it"), d.what
    assert {c.action for c in out.commands} == {"close_position"}
    assert [lk.symbol for lk in desk.engine.lockouts.all()] == ["ES"]
    desk.engine.settings.rules = only(symbol_blocks={"symbols": []})      # unlisted again
    out = desk.engine.recheck(desk.now)
    assert [c.change for c in out.lockouts] == ["cleared"]
    assert desk.engine.lockouts.all() == []


def test_a_listed_symbol_is_locked_even_before_it_is_traded():
    desk = Desk(symbol_blocks={"symbols": ["EP", "F.US.ENQ"]})   # ES by its root, NQ by symbol id
    out = desk.engine.recheck(desk.now)
    assert sorted(lk.symbol for lk in desk.engine.lockouts.all()) == ["ES", "NQ"]
    assert {d.what for d in out.decisions} == {"lock ES on the account (manual)",
                                               "lock NQ on the account (manual)"}
    assert desk.engine.recheck(desk.now).decisions == []          # once
