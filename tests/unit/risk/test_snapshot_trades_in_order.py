"""A re-sync snapshot's trades are recorded as they would have been live, fill by fill.

Round 17 (flake17): trades made while risk re-synced reach it as market's snapshot, the
position after all of them and the fills. The snapshot's position went first: a burst of buys
made while a cooldown locked the account then read as no growth at all ("live up to" the
second trade: no lockout line in history, max_contracts reducing the total at once), or as one
growth for two buys (up to the third: one line "the 4 contracts"). docs/rules.md: each buy
made while locked is cut, and history says each one and its cut, whether risk saw it live or
in a snapshot (services/risk/snapsteps.py).

The shipped rules (etc/riskd.toml): trade_frequency_limit 3 trades a minute (its cooldown
locks the account) and max_contracts 5, driven as the worker drives the engine
(tests/unit/risk/engine_run.py), after the account's first snapshot (its starting point).
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from shared.messages.market import (POSITION_LONG, SIDE_BUY, SIDE_SELL, AccountUpdate, Fill,
                                    MarketSnapshot, PositionUpdate)
from tests.unit.risk.desk import MNQ
from tests.unit.risk.engine_run import ACCOUNT, EngineRun

MS = 1_000_000
BURST = [(SIDE_BUY, 4), (SIDE_BUY, 1), (SIDE_BUY, 2), (SIDE_BUY, 2), (SIDE_BUY, 2)]


def account() -> AccountUpdate:
    return AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=Decimal(50_000),
                         can_trade=True)


def position(ts: int, size: int) -> PositionUpdate:
    return PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ, ts_ns=ts,
                          type=POSITION_LONG if size else 0, size=size,
                          average_price=Decimal(21000))


def records(trades: list[tuple[int, int]], live_up_to: int) -> list[tuple]:
    """What risk decided (history's lines) when it saw the first live_up_to trades live
    (their Trade, then their Position) and the rest in a re-sync snapshot."""
    run = EngineRun()
    run.outs.append(run.engine.apply_snapshot(
        MarketSnapshot(seq=1, epoch=1, accounts=[account()]), run.now))
    run.price(21000)
    fills, held, opened = [], 0, 0
    for n, (side, size) in enumerate(trades, 1):
        run.now += MS
        fill = Fill(account_id=ACCOUNT, trade_id=n, contract_id=MNQ, ts_ns=run.now,
                    price=Decimal(21000), pnl=None if side == SIDE_BUY else Decimal(0),
                    fees=Decimal("0.37"), side=side, size=size, order_id=9000 + n)
        fills.append(fill)
        held += size if side == SIDE_BUY else -size
        opened = opened or run.now
        if n <= live_up_to:
            run.on(fill)
            run.on(position(opened, held))
    if live_up_to < len(trades):
        run.now += MS
        snap = MarketSnapshot(seq=100, epoch=1, accounts=[account()],
                              positions=[position(opened, held)] if held else [], fills=fills)
        run.outs.append(run.engine.apply_snapshot(snap, run.now))
    run.wait(1)
    return [(d.rule, d.action, d.size, d.target, d.reason, d.suppressed)
            for out in run.outs for d in out.decisions]


@pytest.mark.parametrize("live_up_to", [0, 1, 2, 3, 4])
def test_a_burst_of_buys_in_a_snapshot_is_recorded_as_live(live_up_to):
    live = records(BURST, len(BURST))
    cuts = [r for r in live if r[0] == "lockout"]
    assert [(r[1], r[2]) for r in cuts] == [("reduce_position", 2)] * 2, \
        "live, each of the two buys made while locked has its own cut"
    assert records(BURST, live_up_to) == live


@pytest.mark.parametrize("live_up_to", [0, 2, 4])
def test_a_sell_between_the_buys(live_up_to):
    trades = [(SIDE_BUY, 2), (SIDE_BUY, 1), (SIDE_BUY, 1), (SIDE_SELL, 1), (SIDE_BUY, 2),
              (SIDE_BUY, 1)]
    assert records(trades, live_up_to) == records(trades, len(trades))


def test_a_position_the_new_fills_do_not_explain_still_goes_first():
    """The fills lead nowhere near the snapshot's position (risk's book lagged): it is taken
    as before, the position first."""
    from services.risk.snapsteps import in_broker_order
    fill = Fill(account_id=ACCOUNT, trade_id=1, contract_id=MNQ, ts_ns=5, price=Decimal(1),
                pnl=None, fees=Decimal(0), side=SIDE_BUY, size=1)
    pos = position(5, 3)
    assert in_broker_order([pos], [fill], set(), lambda f: False,
                           lambda a, c: (0, Decimal(0), 0, 0)) == [pos, fill]
    assert in_broker_order([pos], [fill], set(), lambda f: False,
                           lambda a, c: (2, Decimal(1), 1, 5)) == [fill, pos]
    assert in_broker_order([pos], [fill], {ACCOUNT}, lambda f: False,          # first one
                           lambda a, c: (2, Decimal(1), 1, 5)) == [pos, fill]
