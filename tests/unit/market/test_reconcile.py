"""Reconcile: what happened while the hubs were down becomes events, once each."""
from decimal import Decimal

import attrs

from services.market import translate
from services.market.reconcile import BrokerSnapshot, diff, vanished_orders
from services.market.state import MarketState, key_of
from shared.messages.market import STATUS_CANCELLED, STATUS_FILLED, OrderUpdate, PositionUpdate
from shared.projectx.models import Account, Order, Position, Trade

MNQ, ES = "CON.F.US.MNQ.Z26", "CON.F.US.EP.Z26"
T0 = 1_764_000_000_000_000_000


def trade(i, account=1001, cid=MNQ):
    return Trade(id=i, account_id=account, contract_id=cid, created_ns=T0 + i, price=Decimal("21000"),
                 profit_and_loss=None, fees=Decimal("0.37"), side=0, size=1)


def position(size, account=1001, cid=MNQ):
    return Position(id=7, account_id=account, contract_id=cid, created_ns=T0, type=1, size=size,
                    average_price=Decimal("21000"))


def order(i, status=1, account=1001, cid=MNQ):
    return Order(id=i, account_id=account, contract_id=cid, created_ns=T0, updated_ns=None,
                 status=status, type=1, side=0, size=1, limit_price=Decimal("20990"))


def snap(**kw):
    return BrokerSnapshot(account_ids=frozenset({1001}), taken_ns=T0 + 10**9, **kw)


def publish_all(state, msgs):
    return [m for m in msgs if state.apply(m)]


def test_trades_made_while_away_are_published_once_oldest_first():
    state = MarketState()
    state.apply(translate.fill(trade(1)))
    first = publish_all(state, diff(state, snap(trades=[trade(3), trade(1), trade(2)])))
    assert [m.trade_id for m in first] == [2, 3]
    again = publish_all(state, diff(state, snap(trades=[trade(1), trade(2), trade(3)])))
    assert again == []


def test_a_position_closed_while_away_becomes_a_size_zero_update():
    state = MarketState()
    state.apply(translate.position(position(2), T0))
    out = publish_all(state, diff(state, snap()))
    assert len(out) == 1 and isinstance(out[0], PositionUpdate) and out[0].size == 0
    assert state.positions == {} and state.interest() == set()


def test_an_unchanged_position_is_not_published_again_and_a_new_one_is():
    state = MarketState()
    state.apply(translate.position(position(2), T0))
    out = publish_all(state, diff(state, snap(positions=[position(2), position(1, cid=ES)])))
    assert [(m.contract_id, m.size) for m in out] == [(ES, 1)]


def test_an_order_that_stopped_working_gets_its_final_state_from_todays_orders():
    state = MarketState()
    state.apply(translate.order(order(5), T0))
    state.apply(translate.order(order(6), T0))
    assert vanished_orders(state.working_order_ids(), [order(6)]) == {1001: {5}}
    out = publish_all(state, diff(state, snap(orders=[order(6)], day_orders=[order(5, STATUS_FILLED)])))
    assert [(m.order_id, m.status) for m in out] == [(5, STATUS_FILLED)]
    assert set(state.orders) == {6}


def test_an_order_gone_without_a_trace_is_no_longer_working():
    state = MarketState()
    state.apply(translate.order(order(5), T0))
    out = publish_all(state, diff(state, snap()))
    assert [(m.order_id, m.status) for m in out] == [(5, STATUS_CANCELLED)]
    assert state.orders == {}


def test_hub_updates_newer_than_the_snapshot_are_not_rolled_back():
    state = MarketState()
    newer = translate.position(position(3), T0 + 5)
    state.apply(newer)
    out = diff(state, snap(positions=[position(2)]), touched={key_of(newer)})
    assert out == []
    assert state.positions[(1001, MNQ)].size == 3


def test_other_accounts_are_left_alone():
    state = MarketState()
    state.apply(translate.position(position(1, account=2002), T0))
    out = diff(state, snap(accounts=[Account(id=2002, name="x", balance=Decimal(1), can_trade=True)],
                           trades=[trade(9, account=2002)]))
    assert out == []


def test_state_drops_duplicates_and_closes_of_unknown_positions():
    state = MarketState()
    fill = translate.fill(trade(1))
    assert state.apply(fill) and not state.apply(fill)
    assert state.apply(attrs.evolve(fill, voided=True))       # a voided trade is news
    assert not state.apply(translate.position(position(0), T0))
    o = translate.order(order(8, status=STATUS_FILLED), T0)
    assert state.apply(o) and not state.apply(o)
    assert isinstance(o, OrderUpdate) and state.orders == {}


def test_a_suspended_bracket_child_stays_working_across_a_reconcile():
    state = MarketState()
    state.apply(translate.order(order(5, status=8), T0))
    out = publish_all(state, diff(state, snap(orders=[order(5, status=8)])))
    assert out == [] and set(state.orders) == {5}
    # listed only among today's orders (a REST read that hid it): still not cancelled
    out = publish_all(state, diff(state, snap(day_orders=[order(5, status=8)])))
    assert out == [] and set(state.orders) == {5}
