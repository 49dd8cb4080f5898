"""The trigger index changes nothing a client sees: the ledger with it emits exactly the events,
and ends in exactly the state, of a ledger that checks every working order on every price.

Random order sets (every order type, both sides, brackets, prices on both sides of the market
and at it) and random price paths, modifies, cancels and closes are run through both; the
reference is the matcher the index replaced (every working order of the contract, in order of
id). A price that lands exactly on a threshold is drawn often: the edges are where an index
goes wrong.
"""
from __future__ import annotations

from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings, strategies as st

from services.simbroker.accounts import Ledger
from services.simbroker.entities import (BUY, JOIN_ASK, JOIN_BID, LIMIT, MARKET, OPEN, SELL, STOP,
                                         STOP_LIMIT, TRAILING_STOP, Event)
from services.simbroker.triggers import TriggerIndex, key_of
from tests.unit.simbroker.conftest import ES, MNQ, make_ledger
from shared.clock import FakeClock


class EveryOrderLedger(Ledger):
    """The matcher before the index: every working order of the contract, in order of id."""

    def on_price(self, contract_id: str) -> list[Event]:
        ids = self._working.get(contract_id)
        if not ids:
            return []
        events: list[Event] = []
        for oid in sorted(ids):
            order = self.orders[oid]
            if order.status == OPEN:
                events += self._check(order)
        return events


CONTRACTS = (MNQ, ES)
TYPES = (LIMIT, MARKET, STOP_LIMIT, STOP, TRAILING_STOP, JOIN_BID, JOIN_ASK)
ticks = st.integers(-6, 6)

place = st.tuples(st.just("place"), st.sampled_from((1, 2)), st.sampled_from(CONTRACTS),
                  st.sampled_from(TYPES), st.sampled_from((BUY, SELL)), st.integers(1, 3),
                  ticks, ticks, st.integers(1, 4), st.sampled_from((None, 2, 5)),
                  st.sampled_from((None, 3, 6)))
move = st.tuples(st.just("move"), st.sampled_from(CONTRACTS), st.integers(-5, 5),
                 st.sampled_from((None, 0, 1, 2)))
modify = st.tuples(st.just("modify"), st.integers(0, 40), st.sampled_from((None, 1, 2)),
                   st.one_of(st.none(), ticks), st.one_of(st.none(), ticks))
cancel = st.tuples(st.just("cancel"), st.integers(0, 40))
close = st.tuples(st.just("close"), st.sampled_from((1, 2)), st.sampled_from(CONTRACTS))
ops = st.lists(st.one_of(place, place, move, move, move, modify, cancel, close), max_size=60)


def run(ledger_class, script) -> list:
    """Every op's answer and events, then the end state, as plain data."""
    clock = FakeClock()
    market, base = make_ledger(clock)
    ledger = ledger_class(market, clock, base.accounts.values())
    for cid in CONTRACTS:
        market.set_last(cid, D(21000) if cid == MNQ else D(6000))
    placed: list[int] = []
    seen: list = []
    for op in script:
        clock.advance(0.001)
        kind = op[0]
        if kind == "place":
            _, acct, cid, type_, side, size, lim, stp, trail, sl, tp = op
            tick, last = market.spec(cid).tick_size, market.last(cid)
            result = ledger.place(acct, cid, type_, side, size,
                                  limit_price=last + lim * tick if type_ in (LIMIT, STOP_LIMIT) else None,
                                  stop_price=last + stp * tick if type_ in (STOP, STOP_LIMIT) else None,
                                  trail_price=trail * tick if type_ == TRAILING_STOP else None,
                                  stop_loss_ticks=sl, take_profit_ticks=tp)
            if result.success:
                placed.append(result.body["orderId"])
        elif kind == "move":
            _, cid, delta, spread = op
            tick = market.spec(cid).tick_size
            last = market.last(cid) + delta * tick
            market.set_last(cid, last, None if spread is None else last,
                            None if spread is None else last + spread * tick)
            result = ledger.on_price(cid)
        elif kind == "modify":
            _, pick, size, lim, stp = op
            if not placed:
                continue
            order = ledger.orders[placed[pick % len(placed)]]
            tick, last = market.spec(order.contract_id).tick_size, market.last(order.contract_id)
            result = ledger.modify(order.account_id, order.id, size=size,
                                   limit_price=None if lim is None else last + lim * tick,
                                   stop_price=None if stp is None else last + stp * tick)
        elif kind == "cancel":
            if not placed:
                continue
            order = ledger.orders[placed[op[1] % len(placed)]]
            result = ledger.cancel(order.account_id, order.id)
        else:
            result = ledger.close_contract(op[1], op[2])
        events = result if isinstance(result, list) else result.events
        answer = None if isinstance(result, list) else (result.code, result.message, result.body)
        seen.append((answer, [(e.target, e.account_id, e.payload, e.action) for e in events]))
    state = ([(o.payload(), o.triggered, o.anchor) for o in ledger.orders.values()],
             [p.payload() for p in ledger.positions.values()],
             [a.payload() for a in ledger.accounts.values()],
             [t.payload() for t in ledger.trades])
    return seen + [state]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_the_indexed_matcher_emits_exactly_what_checking_every_order_did(script):
    assert run(Ledger, script) == run(EveryOrderLedger, script)


@settings(max_examples=200, deadline=None)
@given(ops)
def test_the_index_holds_exactly_the_open_orders_under_their_current_prices(script):
    """After any sequence, what is filed is each open order, where its state says."""
    clock = FakeClock()
    market, base = make_ledger(clock)
    holder = {}

    class Spy(Ledger):
        def __init__(self, *a):
            super().__init__(*a)
            holder["ledger"] = self

    run(Spy, script)
    ledger = holder["ledger"]
    index: TriggerIndex = ledger._triggers
    open_orders = {o.id: o for o in ledger.orders.values() if o.status == OPEN}
    assert len(index) == len(open_orders)
    for o in open_orders.values():
        assert index._filed[o.id] == (o.contract_id, *key_of(o))


def test_candidates_at_a_threshold_include_the_order_and_none_beyond(clock):
    market, ledger = make_ledger(clock)
    market.set_last(MNQ, D("21000"))
    buy_limit = ledger.place(1, MNQ, LIMIT, BUY, 1, limit_price=D("20990")).body["orderId"]
    sell_limit = ledger.place(1, MNQ, LIMIT, SELL, 1, limit_price=D("21010")).body["orderId"]
    buy_stop = ledger.place(2, MNQ, STOP, BUY, 1, stop_price=D("21005")).body["orderId"]
    trail = ledger.place(2, MNQ, TRAILING_STOP, SELL, 1, trail_price=D("50")).body["orderId"]
    idx = ledger._triggers
    assert idx.candidates(MNQ, D("21000")) == [trail]          # nothing else near
    assert idx.candidates(MNQ, D("20990")) == [buy_limit, trail]
    assert idx.candidates(MNQ, D("21005")) == [buy_stop, trail]
    assert idx.candidates(MNQ, D("21010")) == [sell_limit, buy_stop, trail]
    assert idx.candidates(ES, D("6000")) == []


def test_restored_working_orders_still_fill(clock):
    """Orders a previous run saved are filed again: the next price fills them."""
    market, before = make_ledger(clock)
    market.set_last(MNQ, D("21000"))
    oid = before.place(1, MNQ, LIMIT, BUY, 1, limit_price=D("20990")).body["orderId"]
    _, after = make_ledger(clock)
    after.market = market
    after.restore(before.accounts.values(), before.orders.values(), before.positions.values(),
                  before.trades)
    market.set_last(MNQ, D("20990"))
    fills = [e.payload for e in after.on_price(MNQ) if e.target == "GatewayUserTrade"]
    assert [(f["orderId"], f["price"]) for f in fills] == [(oid, 20990.0)]
