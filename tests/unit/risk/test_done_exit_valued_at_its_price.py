"""Contracts riskd's done close or reduce still expects fills for are no longer open, and are
worth the price when "done" came until their fills say exactly, not every later price.

Round 11's event-order model: enforcement's "done" may come before the close's Trade and
Position events. Until they come risk's book still holds the contracts; a quote in that window
valued them at the new price, so a position-scope loss rule saw the loss of contracts already
closed (8 held, 3 reduced: the loss of 8 where 5 are left) and closed the rest. The broker
closed them at about the price of the moment enforcement was answered: the position's open PnL
leaves them out (as it does once their fills come), and the figures read with realized PnL
(daily_net_loss, equity) count them at that price until the fills realize them.

Shipped rules (etc/riskd.toml: max_contracts 5 reducing, daily_unrealized_loss 200 per
position), one account on risk's engine with its injected clock and the worker's 0.1 s tick.
MNQ: 0.25 a tick, 0.50 a tick: 2.00 a point a contract.
"""
from __future__ import annotations

from decimal import Decimal

from services.risk.pnl import net_open_pnl, position_unrealized
from shared.messages.market import POSITION_LONG, SIDE_BUY, SIDE_SELL, Fill, PositionUpdate
from shared.messages.risk import CLOSE_POSITION, REDUCE_POSITION
from tests.unit.risk.desk import MNQ
from tests.unit.risk.engine_run import ACCOUNT, EngineRun


class Run(EngineRun):
    def position(self, size, price, trade_id, side=SIDE_BUY, pnl=None, order_id=None):
        self.on(Fill(account_id=ACCOUNT, trade_id=trade_id, contract_id=MNQ, ts_ns=self.now,
                     price=Decimal(price), pnl=pnl, fees=Decimal("0.37"), side=side,
                     size=abs(size - self.held) if side == SIDE_SELL else size - self.held,
                     order_id=order_id))
        self.held = size
        return self.on(PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ,
                                      ts_ns=self.now, type=POSITION_LONG, size=size,
                                      average_price=Decimal(21000)))

    held = 0

    def book(self):
        acct = self.engine.accounts[ACCOUNT]
        return position_unrealized(acct, self.engine.market, acct.positions[MNQ])

    def net_open(self):
        acct = self.engine.accounts[ACCOUNT]
        return net_open_pnl(acct, self.engine.market)[0]

    def acted(self, since):
        return [(c.rule, c.action) for o in self.outs[since:] for c in o.commands]


def reduced_by_3_done():
    r = Run()
    r.price(21000)
    first = r.position(8, 21000, trade_id=1)
    reduce = [c for c in first.commands if c.action == REDUCE_POSITION]
    assert [(c.rule, c.size) for c in reduce] == [("max_contracts", 3)]
    r.wait(0.3)
    r.result(reduce[0], "done", detail="reduced by 3")   # before the reduce's fills
    return r, reduce[0]


def test_a_price_after_a_done_reduce_values_the_reduced_contracts_at_the_done_price():
    r, _ = reduced_by_3_done()
    mark = len(r.outs)
    r.price(20985)          # 5 left lose 150 (the line is 200); 8 would lose 240
    r.wait(0.5)
    assert r.book() == Decimal(-150)
    assert r.net_open() == Decimal(-150)      # the 3 closed at 21000: 0
    assert r.acted(mark) == []


def test_the_contracts_left_are_still_closed_when_they_reach_the_line():
    r, _ = reduced_by_3_done()
    mark = len(r.outs)
    out = r.price(20979.75)  # 5 left lose 202.50: past the line on their own
    assert [(d.rule, d.value) for d in out.decisions] \
        == [("daily_unrealized_loss", Decimal("-202.50"))]
    assert r.acted(mark) == [("daily_unrealized_loss", CLOSE_POSITION)]
    assert r.book() == Decimal("-202.50")     # the reduced 3 are not open


def test_the_fills_take_over_from_the_done_price():
    r, _ = reduced_by_3_done()
    r.price(20985)
    r.position(5, 20990, trade_id=2, side=SIDE_SELL, pnl=Decimal(-60), order_id=77)
    assert r.book() == Decimal(-150)          # 5 at 20985, the 3 realized at their fill
    mark = len(r.outs)
    r.price(20980)          # 5 lose 200: the line
    assert r.acted(mark) == [("daily_unrealized_loss", CLOSE_POSITION)]


def test_a_done_close_of_the_whole_position_holds_its_value_until_its_fills():
    r = Run()
    r.price(21000)
    r.position(2, 21000, trade_id=1)
    r.wait(1)
    out = r.price(20949.75)  # 2 lose 201
    closes = [c for c in out.commands if c.action == CLOSE_POSITION]
    assert len(closes) == 1
    r.result(closes[0], "done", detail="closed")
    r.price(20500)          # the close was done at 20949.75: its fills will say about that
    assert r.book() == 0                      # nothing of it is open
    assert r.net_open() == Decimal(-201)      # not realized yet: at the done price


def test_a_position_event_before_the_fills_keeps_the_closed_part_at_the_done_price():
    r, _ = reduced_by_3_done()
    r.on(PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ, ts_ns=r.now,
                        type=POSITION_LONG, size=5, average_price=Decimal(21000)))
    r.price(20985)
    assert r.book() == Decimal(-150)          # the 5 the broker still holds
    assert r.net_open() == Decimal(-150)      # + the 3 it closed, at the done price: 0


def test_a_done_reduce_leaves_what_it_cut_out_of_the_position_at_any_price():
    """The model's example (every rule on): MNQ 4 bought at 21000, reduced by 2 done at
    20986, a price of 20964 before the fills: the 2 left lose 144 (the line is 200); the 2 cut
    are realized at about 20986 (-56), not part of the position's open PnL."""
    r = Run()
    r.price(21000)
    r.position(4, 21000, trade_id=1)
    r.wait(1)
    r.price(20986)
    acct = r.engine.accounts[ACCOUNT]
    acct.riskd.expect(MNQ, 4, 2, "reduce-1", r.now)
    acct.riskd.settle("reduce-1", r.now, closed=True, price_of=r.engine.market.price)
    mark = len(r.outs)
    r.price(20964)
    assert r.book() == Decimal(-144)
    assert r.net_open() == Decimal(-200)
    assert r.acted(mark) == []
