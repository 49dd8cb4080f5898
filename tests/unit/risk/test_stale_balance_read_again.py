"""The broker's balance and the fills disagreeing for longer than the window (ahead.py
WINDOW_NS) are read as the positions are (tests/unit/risk/test_stale_position_read_again.py):
risk keeps the balance the fills make and asks for the broker read afresh; it never takes the
disagreeing balance as the truth on its own after 10 s.

An account update with a balance from before a loss (market's copy from a read begun before
the fill, or a late update) that arrived after the loss's fill was taken as true 10 s later:
the loss left the balance riskd judges, and drawdown_guard (on as shipped, its line 48,000
with a 100 buffer) missed a breach by exactly that loss. The shipped rules (etc/riskd.toml).
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from shared.config.load import load_config
from shared.messages.market import (POSITION_LONG, SIDE_BUY, SIDE_SELL, AccountUpdate, Fill,
                                    MarketSnapshot, PositionUpdate, Quote)
from tests.unit.risk.desk import MNQ, NS, SHIPPED, chi, shipped_engine

ACCOUNT = 3005              # not listed in etc/riskd.toml: guarded by the default profile
LOADED = load_config(SHIPPED)


class Story:
    def __init__(self) -> None:
        self.now = chi(2026, 11, 25, 9, 0)
        self.risk = shipped_engine(LOADED, self.now)
        self.outs: list = []

    def on(self, event):
        self.outs.append(self.risk.on_event(event, self.now))

    def wait(self, seconds: float) -> None:
        for _ in range(int(seconds * 10)):           # the worker's 0.1 s tick
            self.now += NS // 10
            self.outs.append(self.risk.tick(self.now))

    def balance(self, amount) -> AccountUpdate:
        return AccountUpdate(account_id=ACCOUNT, name="SIM-3005", balance=Decimal(amount),
                             can_trade=True)

    def long(self, size: int) -> PositionUpdate:
        return PositionUpdate(account_id=ACCOUNT, position_id=7, contract_id=MNQ,
                              ts_ns=self.now, type=POSITION_LONG, size=size,
                              average_price=Decimal(21000))

    def fill(self, tid: int, side: int, size: int, price, pnl=None) -> Fill:
        return Fill(account_id=ACCOUNT, trade_id=tid, contract_id=MNQ, ts_ns=self.now,
                    price=Decimal(price), pnl=None if pnl is None else Decimal(pnl),
                    fees=Decimal(0), side=side, size=size, order_id=20 + tid)

    def flattened(self) -> bool:
        return any(d.rule == "drawdown_guard" and d.action == "flatten" and not d.suppressed
                   for o in self.outs for d in o.decisions)


def stale_balance(position_first: bool) -> Story:
    """Balance 48,290; long 2 MNQ at 21000; the trader sells 1 at 20955 (-90, under
    cooldown_after_loss's first tier: the broker's balance is 48,200, its update lost); then
    an update still saying 48,290."""
    s = Story()
    s.on(s.balance(48_290))
    s.on(s.fill(1, SIDE_BUY, 2, 21000))
    s.on(s.long(2))
    sale = [s.fill(2, SIDE_SELL, 1, 20955, pnl="-90"), s.long(1)]
    for ev in sale if not position_first else sale[::-1]:
        s.on(ev)
    s.wait(1)
    s.on(s.balance(48_290))                         # from before the sale
    assert s.risk.accounts[ACCOUNT].book_balance() == 48_200
    return s


@pytest.mark.parametrize("position_first", [False, True], ids=["fill-first", "position-first"])
def test_a_stale_balance_is_not_the_truth_after_the_window(position_first):
    s = stale_balance(position_first)
    s.wait(11)
    assert not s.flattened()
    s.on(Quote(contract_id=MNQ, ts_ns=s.now, last=Decimal(20950)))   # equity 48,100
    assert s.flattened(), [(d.rule, d.action) for o in s.outs for d in o.decisions]
    acct = s.risk.accounts[ACCOUNT]
    assert acct.book_balance() == 48_200, acct.book_balance()   # the fills' balance stood
    assert s.risk.read_after() > 0                  # risk asks for a fresh broker read


@pytest.mark.parametrize("position_first", [False, True], ids=["fill-first", "position-first"])
@pytest.mark.parametrize("fresh", [48_200, 48_250], ids=["agrees", "broker-differs"])
def test_a_fresh_read_settles_the_balance(position_first, fresh):
    """The read begun after the disagreement went stale: its balance is the truth, whatever
    the fills make (a fee or cash adjustment the fills do not carry)."""
    s = stale_balance(position_first)
    s.wait(11)
    want = s.risk.read_after()
    s.outs.append(s.risk.apply_snapshot(MarketSnapshot(
        seq=1, epoch=1, complete=True, read_ns=want, accounts=[s.balance(fresh)],
        positions=[s.long(1)]), s.now))
    acct = s.risk.accounts[ACCOUNT]
    assert acct.book_balance() == fresh and acct.balance_since == 0
    assert s.risk.read_after() == 0
