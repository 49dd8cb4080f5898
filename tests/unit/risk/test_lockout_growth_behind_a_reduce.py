"""A lockout's growth put on a rule's reduce in flight, which then cut only its own contracts:
the account is judged again once that reduce's unmet expectation is forgotten.

Trial 2026-12-06 (Demo 2: max_contracts 2, per_minute 3): five buys of 1 MNQ ten ms apart.
The third started the cooldown and made max_contracts reduce by 1; the 4th and 5th, bought
under the lockout, were each to be cut by the lockout's reduce, which the reduce in flight
stood for (the same action in flight; its exits were told to expect them). Enforcement read
the position after all five and cut 1 ("reduced MNQ from 5 to 4 contracts", done); the
contracts expected of it never came, and nothing judged the account again: 4 held against 2
through the lockout's end. Now the forgotten expectation (15 s after the result) judges the
account's position rules, and max_contracts reduces to its limit.

Shipped rules (etc/riskd.toml: max_contracts 5 reducing, trade_frequency_limit per_minute 3),
one account on risk's engine with its injected clock and the worker's 0.1 s tick.
"""
from __future__ import annotations

from decimal import Decimal

from shared.messages.market import POSITION_LONG, SIDE_BUY, SIDE_SELL, Fill, PositionUpdate
from shared.messages.risk import REDUCE_POSITION
from tests.unit.risk.desk import MNQ
from tests.unit.risk.engine_run import ACCOUNT, EngineRun


class Run(EngineRun):
    held = 0
    trade = 0

    def fill(self, qty, order_id=None):
        self.trade += 1
        self.held += qty
        out = self.on(Fill(account_id=ACCOUNT, trade_id=self.trade, contract_id=MNQ,
                           ts_ns=self.now, price=Decimal(21000),
                           pnl=None if qty > 0 else Decimal(0), fees=Decimal("0.37"),
                           side=SIDE_BUY if qty > 0 else SIDE_SELL, size=abs(qty),
                           order_id=order_id))
        self.on(PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ,
                               ts_ns=self.now, type=POSITION_LONG, size=self.held,
                               average_price=Decimal(21000)))
        return out

    def reduces(self, since=0):
        return [c for o in self.outs[since:] for c in o.commands if c.action == REDUCE_POSITION]


def test_the_growth_a_reduce_in_flight_did_not_cut_is_reduced_once_its_exit_is_forgotten():
    r = Run()
    r.price(21000)
    r.fill(4)
    r.fill(2)                     # 6 of 5: max_contracts reduces 1; the 2nd trade
    [first] = r.reduces()
    assert first.size == 1
    r.fill(1)                     # the 3rd trade: the cooldown; 7 of 5, bought under it
    r.fill(1)                     # 8: the lockout's cut of it stands behind the reduce
    assert r.reduces() == [first], "a second reduce beside the one in flight"
    answered = set()
    for _ in range(250):          # 25 s: enforcement cuts each reduce's size (it read the
        r.wait(0.1)               # position after the growth), answers done
        for cmd in r.reduces():
            if cmd.id not in answered:
                answered.add(cmd.id)
                r.fill(-cmd.size, order_id=1000 + len(answered))
                r.result(cmd, "done", detail=f"reduced MNQ by {cmd.size}")
    assert r.held == 5, (r.held, [(c.rule, c.size) for c in r.reduces()])
