"""The trader reverses while riskd's close of the position is held at the broker: risk's book
and market's state hold the reversed position in whatever order the fill's events come.

Fresh-user trial20b section 7: riskd's daily_unrealized_loss close of MNQ long 1 was held at
the sim; the trader sold 3 (short 2 at the sim for 6 s, until cooldown_after_loss's flatten
closed it), and the trial read "no open positions" from `riskctl positions` and status in
that window. If risk's book had gone flat there, no rule could act on the short. This checks
the broker's events of that sell (its Trade, the Position now short 2 under the same position
id, the filled Order, the Account) in all 24 orders: after each, risk's book and market's
state hold MNQ short 2, and risk's rules act on it (cooldown_after_loss's flatten, as in the
trial). It passes on main's code as on this branch: the fault was not found in risk's or
market's handling of these events (see the branch's report).

The shipped rules (etc/riskd.toml, account 1001), with an injected clock.
"""
from __future__ import annotations

import itertools

import pytest

from services.market.state import MarketState
from shared.config.load import load_config
from shared.messages.market import POSITION_SHORT, AccountUpdate
from tests.unit.risk.desk import MNQ, SHIPPED, chi, shipped_engine
from tests.unit.risk.test_both_loss_lines_one_fill import (ACCOUNT, NS, START, TRADE_FIRST,
                                                           Broker, commands)

ORDERS = list(itertools.permutations(TRADE_FIRST))


class Both(Broker):
    """The broker's events to risk's engine and to market's state alike."""

    def __init__(self, engine, now):
        super().__init__(engine, now)
        self.market = MarketState()

    def feed(self, event):
        super().feed(event)
        self.market.apply(event)


@pytest.mark.parametrize("order", ORDERS, ids=["-".join(o) for o in ORDERS])
def test_the_reversed_short_is_held_by_risk_and_market_in_every_event_order(order):
    now = chi(2026, 11, 25, 9, 0)
    engine = shipped_engine(load_config(SHIPPED), now)
    broker = Both(engine, now)
    broker.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1", balance=START,
                              can_trade=True))
    broker.price(MNQ, "21000")
    broker.fill(MNQ, 1, "21000", None, 1, "21000")              # long 1
    broker.now += NS
    broker.price(MNQ, "20880")                                  # -240 open: past -200
    [close] = commands(broker.outs)
    assert (close.action, close.rule) == ("close_position", "daily_unrealized_loss")
    # riskd's close is held at the broker (no result); the trader sells 3 at the price
    broker.now += NS
    broker.fill(MNQ, -3, "20880", "-240", -2, "20880", order=order)
    book = engine.accounts[ACCOUNT]
    assert book.signed(MNQ) == -2, order
    assert MNQ in book.positions and book.positions[MNQ].signed == -2, order
    [held] = broker.market.positions.values()
    assert (held.contract_id, held.size, held.type) == (MNQ, 2, POSITION_SHORT), order
    # and risk's rules act on it: the sell's loss (-240 and fees, cooldown_after_loss's 200
    # tier) flattens the account, the short included, once, whatever the order
    assert [(c.action, c.rule) for c in commands(broker.outs)] == [
        ("close_position", "daily_unrealized_loss"), ("flatten", "cooldown_after_loss")], order
    # the held close's late answer (it closed nothing: the trader's sell did) leaves the short
    broker.done([close])
    assert book.signed(MNQ) == -2 and len(broker.market.positions) == 1, order
