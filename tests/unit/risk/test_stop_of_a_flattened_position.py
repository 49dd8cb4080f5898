"""A stop riskd's flatten is about to cancel is not moved, whatever order the close's events
come in.

Round 13's event-order model (every rule on): a trader short 1 MNQ at 21000, 10 ticks in
profit, with a buy stop at 21007.50, and long 4 NQ that fall 42 ticks (-840). The loss closes
NQ (daily_unrealized_loss) and flattens the account (daily_net_loss). In TopstepX's order the
NQ close's Trade and Position came first: trade_management judged the short on that Position
event and moved its stop to breakeven, a stop the flatten closing the short was cancelling
(closing a contract closes its orders). When the short's own events came first there was no
position left to judge and nothing moved: the decision depended on the event order. A flatten
in flight, issued after the stop was placed, now covers the stop's move as a close of its
contract in flight does (services/risk/acting.py _closing_its_contract).

etc/riskd.toml as shipped (daily_unrealized_loss 200 per position, daily_net_loss 600, both
on), with trade_management enabled at its shipped parameters (breakeven after 10 ticks): it
ships off, and the story is its decision. One account on risk's engine, injected clock.
MNQ: 0.25 a tick, 0.50 a tick; NQ: 0.25 a tick, 5.00 a tick.
"""
from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from shared.config.load import load_config
from shared.messages.market import (ORDER_STOP, POSITION_LONG, POSITION_SHORT, SIDE_BUY,
                                    SIDE_SELL, STATUS_CANCELLED, STATUS_OPEN, AccountUpdate,
                                    Fill, OrderUpdate, PositionUpdate, Quote)
from shared.messages.risk import CLOSE_POSITION, FLATTEN, MODIFY_STOP
from tests.unit.risk.desk import MNQ, NQ, NS, SHIPPED, chi, shipped_engine

ACCOUNT = 1001
FEE = Decimal("0.37")
STOP_ID = 15


def with_trade_management():
    loaded = load_config(SHIPPED)
    config = loaded.config
    profile = config.profiles["default"]
    rules = attrs.evolve(profile.rules, trade_management=attrs.evolve(
        profile.rules.trade_management, enabled=True))
    profile = attrs.evolve(profile, rules=rules)
    return attrs.evolve(loaded, config=attrs.evolve(
        config, profiles={**config.profiles, "default": profile}))


LOADED = with_trade_management()


class Run:
    def __init__(self):
        self.now = chi(2026, 11, 25, 9, 0)                     # a Wednesday morning
        self.engine = shipped_engine(LOADED, self.now)
        self.outs = []
        self.trade_id = 100
        self.on(AccountUpdate(account_id=ACCOUNT, name="SIM-DEMO-1", balance=Decimal(50_000),
                              can_trade=True))

    def on(self, event):
        out = self.engine.on_event(event, self.now)
        self.outs.append(out)
        return out

    def wait(self, seconds):
        self.now += int(seconds * NS)
        self.outs.append(self.engine.tick(self.now))

    def price(self, cid, p):
        return self.on(Quote(contract_id=cid, ts_ns=self.now, last=Decimal(p)))

    def fill(self, cid, side, size, price, pnl=None):
        self.trade_id += 1
        return Fill(account_id=ACCOUNT, trade_id=self.trade_id, contract_id=cid,
                    ts_ns=self.now, price=Decimal(price), pnl=pnl, fees=FEE * size,
                    side=side, size=size, order_id=self.trade_id + 1000)

    def position(self, cid, signed, avg, pid):
        return PositionUpdate(account_id=ACCOUNT, position_id=pid, contract_id=cid,
                              ts_ns=self.now,
                              type=POSITION_LONG if signed > 0 else POSITION_SHORT,
                              size=abs(signed), average_price=Decimal(avg))

    def moves(self, since=0):
        return [(d.rule, d.order_id, d.stop_price) for o in self.outs[since:]
                for d in o.decisions if d.action == MODIFY_STOP and not d.suppressed]


STOP = OrderUpdate(account_id=ACCOUNT, order_id=STOP_ID, contract_id=MNQ, created_ns=0,
                   updated_ns=0, status=STATUS_OPEN, type=ORDER_STOP, side=SIDE_BUY, size=1,
                   stop_price=Decimal("21007.50"))


def short_with_its_stop_and_a_long_nq():
    """MNQ short 1 at 21000 now at 20997.50 (10 ticks in profit) with its buy stop placed
    after the move, NQ long 4 at 20000."""
    r = Run()
    r.price(MNQ, "21000")
    r.price(NQ, "20000")
    r.on(r.fill(MNQ, SIDE_SELL, 1, "21000"))
    r.on(r.position(MNQ, -1, "21000", pid=1))
    r.wait(11)
    r.on(r.fill(NQ, SIDE_BUY, 4, "20000"))
    r.on(r.position(NQ, 4, "20000", pid=2))
    r.wait(0.5)
    r.price(MNQ, "20997.50")            # no stop yet: nothing to move
    r.stop = attrs.evolve(STOP, created_ns=r.now, updated_ns=r.now)
    r.on(r.stop)
    assert r.moves() == []
    return r


def test_the_stop_is_moved_when_nothing_is_closing():
    """The story's stop is one trade_management moves: MNQ's next price does (11 ticks)."""
    r = short_with_its_stop_and_a_long_nq()
    r.price(MNQ, "20997.25")
    assert r.moves() == [("trade_management", STOP_ID, Decimal(21000))]


def the_loss_closes_and_flattens(r):
    out = r.price(NQ, "19989.50")       # 4 NQ lose 42 ticks: -840
    assert sorted((c.rule, c.action) for c in out.commands) == \
        [("daily_net_loss", FLATTEN), ("daily_unrealized_loss", CLOSE_POSITION)]


def nq_close(r):
    return [r.fill(NQ, SIDE_SELL, 4, "19989.50", pnl=Decimal(-840)),
            r.position(NQ, 0, "0", pid=2)]


def short_close(r):
    return [r.fill(MNQ, SIDE_BUY, 1, "20997.50", pnl=Decimal(5)),
            r.position(MNQ, 0, "0", pid=1)]


def stop_cancelled(r):
    return [attrs.evolve(r.stop, updated_ns=r.now, status=STATUS_CANCELLED)]


ORDERS = {
    "NQ close first (TopstepX's order)": (nq_close, short_close, stop_cancelled),
    "the short's close first": (short_close, nq_close, stop_cancelled),
    "the stop cancelled first": (stop_cancelled, nq_close, short_close),
}


@pytest.mark.parametrize("order", list(ORDERS))
def test_a_stop_the_flatten_is_cancelling_is_not_moved_in_any_order(order):
    r = short_with_its_stop_and_a_long_nq()
    the_loss_closes_and_flattens(r)
    mark = len(r.outs)
    for events in ORDERS[order]:
        for ev in events(r):
            r.on(ev)
    assert r.moves(mark) == []
    assert not r.engine.accounts[ACCOUNT].positions
