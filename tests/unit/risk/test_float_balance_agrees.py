"""Plain trading never makes risk's fills and the broker's position or balance "disagree for
10 s" (trial23a finding 9), in any order of each fill's Trade, Position and account events.

The broker (TopstepX, and the sim that models it) keeps an average price of exact decimals,
sends it, the balance and each fill's profitAndLoss as JSON floats, and risk reads them as
Decimal(str(float)) (shared/projectx/models.py). After three contracts bought at two prices,
a partial close realizes -0.1666...: the balance the fills make and the broker's float balance
differ by ~1e-11, an exact comparison read that as a balance ahead of a fill still to come, and
10 s later the WARNING asked market to read the broker again (four times in the trial's plain
trading). The broker's model here is the sim's own arithmetic (services/simbroker/accounts.py
_fill); the rules are the shipped ones (etc/riskd.toml), on an account it does not list.
"""
from __future__ import annotations

from decimal import Decimal

from hypothesis import example, given, settings, strategies as st

from shared.config.load import load_config
from shared.messages.market import (POSITION_LONG, POSITION_SHORT, SIDE_BUY, SIDE_SELL,
                                    AccountUpdate, Fill, PositionUpdate)
from tests.unit.risk.desk import MNQ, NS, SHIPPED, chi, shipped_engine

ACCOUNT = 3005              # not listed in etc/riskd.toml: guarded by the default profile
LOADED = load_config(SHIPPED)
TICK, TICK_VALUE, FEE = Decimal("0.25"), Decimal("0.50"), Decimal("0.37")   # MNQ, as the sim


def wire(x: Decimal) -> Decimal:
    """A number as it crosses the broker's JSON: a float, read back as Decimal(str(float))."""
    return Decimal(str(float(x)))


class Broker:
    """The sim's fill arithmetic (services/simbroker/accounts.py _fill), one contract."""

    def __init__(self, balance: Decimal) -> None:
        self.balance, self.size, self.avg, self.trade_id = balance, 0, Decimal(0), 0

    def fill(self, qty: int, price: Decimal, ts: int) -> list:
        pnl = None
        if self.size == 0 or (self.size > 0) == (qty > 0):
            total = abs(self.size) + abs(qty)
            self.avg = (self.avg * abs(self.size) + price * abs(qty)) / total
        else:
            closing, direction = min(abs(self.size), abs(qty)), 1 if self.size > 0 else -1
            pnl = (price - self.avg) * closing * direction / TICK * TICK_VALUE
            if abs(qty) > abs(self.size):                   # flipped
                self.avg = price
        side = POSITION_LONG if (self.size + qty > 0 if self.size + qty else self.size > 0) \
            else POSITION_SHORT
        self.size += qty
        fees = FEE * abs(qty)
        self.balance += (pnl or Decimal(0)) - fees
        self.trade_id += 1
        return [Fill(account_id=ACCOUNT, trade_id=self.trade_id, contract_id=MNQ, ts_ns=ts,
                     price=wire(price), pnl=None if pnl is None else wire(pnl),
                     fees=wire(fees), side=SIDE_BUY if qty > 0 else SIDE_SELL,
                     size=abs(qty), order_id=100 + self.trade_id),
                PositionUpdate(account_id=ACCOUNT, position_id=7, contract_id=MNQ, ts_ns=ts,
                               type=side, size=abs(self.size), average_price=wire(self.avg)),
                AccountUpdate(account_id=ACCOUNT, name="SIM-3005", balance=wire(self.balance),
                              can_trade=True)]


trades = st.lists(st.tuples(st.integers(-4, 4).filter(bool), st.integers(-12, 12)),
                  min_size=1, max_size=8)


@settings(max_examples=80, deadline=None)
@example(trades=[(2, 12), (1, 13), (-1, 12)], orders=[[0, 1, 2]] * 8)   # the trial's 17:02
@given(trades=trades, orders=st.lists(st.permutations([0, 1, 2]), min_size=8, max_size=8))
def test_plain_trading_never_leaves_fills_and_broker_disagreeing(trades, orders):
    now = chi(2026, 11, 25, 9, 0)
    risk = shipped_engine(LOADED, now)
    broker = Broker(Decimal("50000"))
    risk.on_event(AccountUpdate(account_id=ACCOUNT, name="SIM-3005", balance=Decimal("50000"),
                                can_trade=True), now)
    for (qty, ticks), order in zip(trades, orders):
        now += NS
        events = broker.fill(qty, Decimal(21000) + ticks * TICK, now)
        for i in order:                              # the broker's events in any order
            risk.on_event(events[i], now)
    acct = risk.accounts[ACCOUNT]
    assert not acct.pending, acct.stale_words(now + 11 * NS)
    for _ in range(12):
        now += NS
        risk.tick(now)
    assert risk.read_after() == 0
    assert risk.stale_words(now) == []


def test_the_warning_names_the_account_contract_and_both_figures():
    """A Position whose fill never comes, and a balance the fills do not make, 10 s on."""
    now = chi(2026, 11, 25, 9, 0)
    risk = shipped_engine(LOADED, now)
    broker = Broker(Decimal("50000"))
    risk.on_event(AccountUpdate(account_id=ACCOUNT, name="SIM-3005", balance=Decimal("50000"),
                                can_trade=True), now)
    fill, position, account = broker.fill(2, Decimal(21000), now)
    for event in (fill, position, account):
        risk.on_event(event, now)
    _, position, account = broker.fill(1, Decimal(21000), now + NS)     # its Trade lost
    risk.on_event(position, now + NS)
    risk.on_event(account, now + NS)
    risk.tick(now + 12 * NS)
    assert risk.read_after() > 0
    assert risk.stale_words(now + 12 * NS) == [
        "SIM-3005 (id 3005): MNQ: the fills make long 2, the broker's position long 3",
        "SIM-3005 (id 3005): balance: the fills make 49,999.26, the broker's 49,998.89"]
