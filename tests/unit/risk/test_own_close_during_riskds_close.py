"""The trader's own close while riskd's close is in flight, that close then finding no position
(its result names no order): the trader's trade, counted from its own time (docs/rules.md
"Whose trade it is": "yours when the result names none").

Trial22a F1 (3 of 3 on the sim): MNQ long 2, daily_unrealized_loss's close held 3 s at the
broker, the trader's market sell of 2 meanwhile. History said "closed by a market sell of 2
... not this close", yet trades_today and trade_frequency_limit never counted it. The cause:
the sell's working Order event (the sim sends one before the fill) was taken for riskd's
close order by expectation (exits.py claim_order), so its fill counted as riskd's "by order"
and was never checked against the close's result. Now such an order is a guess (exits.py
guessed), its fill checked as any fill claimed by expectation.

Every order of the sell's events (its Order working, its Trade, its Position, its Order
filled; the filled Order after the working one) and the close's result (before, between,
after each), and a kill -9 of risk just before that result (what is pending is saved with
riskd's state).
The shipped rules (etc/riskd.toml): the sell is the trader's 3rd trade of the minute, and
trade_frequency_limit's cooldown (60 s, positions stay) starts from the sell's own time.
Every case fails on the code before this fix but those with the result before the working
Order event (checked with the fix stashed)."""
from __future__ import annotations

import itertools
from decimal import Decimal

import attrs
import pytest

from services.risk.store import Store
from services.risk.views import account_status
from shared.messages.market import STATUS_OPEN, Quote
from tests.unit.risk.desk import MNQ, shipped_engine
from tests.unit.risk.test_reversed_during_held_close import ACCOUNT, LOADED, NS, Broker

RULE = "trade_frequency_limit"


def breached(b: Broker):
    """Two buys of 1 (long 2: trades 1 and 2 of the minute); the price past
    daily_unrealized_loss's limit (-480 vs -200): riskd's close, in flight."""
    for _ in range(2):
        for ev in b.fill(1, None):
            b.feed(ev)
    b.feed(Quote(contract_id=MNQ, ts_ns=b.now, last=Decimal(20880)))
    [cmd] = [c for o in b.outs for c in o.commands]
    assert (cmd.action, cmd.rule) == ("close_position", "daily_unrealized_loss")
    b.feed(Quote(contract_id=MNQ, ts_ns=b.now, last=Decimal(21000)))
    b.now += NS // 2
    return cmd


def own_sell(b: Broker) -> list:
    """The trader's market sell of 2: its Order working, Trade, Position (flat), Order filled."""
    trade, position, filled = b.fill(-2, "0")
    working = attrs.evolve(filled, status=STATUS_OPEN, fill_volume=0, filled_price=None)
    return [working, trade, position, filled]


def orders():
    """Every order of the sell's 4 events with the working Order before the filled one."""
    return [p for p in itertools.permutations(range(4)) if p.index(0) < p.index(3)]


def restart(b: Broker, store: Store, tmp_path, done: int) -> tuple[Store, int]:
    """risk killed -9 and started again: what it committed, read by a new engine."""
    for out in b.outs[done:]:
        store.commit(out, b.engine)
    store.close()
    b.engine = shipped_engine(LOADED, b.now)
    store, _ = Store.open(str(tmp_path))
    store.load(b.engine, b.now)
    return store, len(b.outs)


def run(order, result_at: int, restart_at: int = -1, tmp_path=None):
    b = Broker()
    store = Store.open(str(tmp_path))[0] if tmp_path is not None else None
    cmd = breached(b)
    sell = own_sell(b)
    sold_at = b.now
    steps = [sell[i] for i in order]
    steps.insert(result_at, "result")
    done = 0
    for i, ev in enumerate(steps + [None]):
        if i == restart_at:
            store, done = restart(b, store, tmp_path, done)
        if ev == "result":
            b.result(cmd)                        # done; it found no position: no order named
        elif ev is not None:
            b.feed(ev)
    b.now += NS
    b.engine.tick(b.now)
    if store is not None:
        store.close()
    return b, sell, sold_at


def check(b: Broker, sell, sold_at: int) -> None:
    acct = b.account
    assert acct.trades[sell[1].trade_id].by_riskd is False      # the trader's sell
    assert acct.trades_today == 3                               # two buys and the sell
    [lk] = b.frequency_lockouts()                               # the 3rd of the minute
    # from the sell's own time: 60 s, its end on a whole second (as every lockout's)
    assert lk.since_ns == sold_at and 60 * NS <= lk.until_ns - sold_at < 61 * NS, lk
    status = account_status(b.engine, ACCOUNT, b.now)
    assert status.trades_today == 3
    [row] = [r for r in status.rules if r.rule == RULE]
    assert row.value == 3, row
    assert sell[0].order_id not in acct.riskd.orders
    assert acct.riskd.held == {} and acct.riskd.claimed == {} and acct.riskd.guessed == {}


@pytest.mark.parametrize("order", orders())
def test_the_traders_own_close_is_counted_in_every_order(order):
    for result_at in range(5):
        check(*run(order, result_at))


@pytest.mark.parametrize("order", orders())
def test_the_same_across_a_restart_of_risk_at_any_point(order, tmp_path):
    for result_at in range(5):
        # just before the result: what the sell's events left pending (the guessed order,
        # the claimed fill, or nothing when it came after) is what the new engine reads
        where = tmp_path / f"r{result_at}"
        where.mkdir()
        check(*run(order, result_at, result_at, where))
