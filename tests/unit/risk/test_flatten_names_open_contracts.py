"""Risk's flatten names the contracts risk knows open (Command.contracts): enforcement closes
them before its first read of the broker (services/enforcement/actions/flatten.py; issue 21,
the unlocked account's flatten). Shipped rules on risk's engine (tests/unit/risk/
engine_run.py). Fails on main (checked at e66a846f: Command has no `contracts`)."""
from __future__ import annotations

from decimal import Decimal

from shared.messages.market import (POSITION_LONG, POSITION_SHORT, SIDE_BUY, SIDE_SELL, Fill,
                                    PositionUpdate)
from tests.unit.risk.desk import MNQ
from tests.unit.risk.engine_run import ACCOUNT, EngineRun

ES = "CON.F.US.EP.Z26"


def held(run: EngineRun, contract: str, kind: int, size: int, trade_id: int) -> None:
    run.on(Fill(account_id=ACCOUNT, trade_id=trade_id, contract_id=contract, ts_ns=run.now,
                price=Decimal("21000"), pnl=None, fees=Decimal("0.37"), side=SIDE_BUY,
                size=size))
    run.on(PositionUpdate(account_id=ACCOUNT, position_id=trade_id, contract_id=contract,
                          ts_ns=run.now, type=kind, size=size, average_price=Decimal("21000")))


def lock(run: EngineRun):
    out, why = run.engine.self_lock(ACCOUNT, run.now, reason="done", session=True)
    assert not why
    (flatten,) = out.commands
    assert flatten.action == "flatten"
    return flatten


def test_a_flatten_names_every_contract_risk_knows_open():
    run = EngineRun()
    run.price(21000)
    held(run, MNQ, POSITION_LONG, 1, 77)
    held(run, ES, POSITION_SHORT, 2, 78)
    assert lock(run).contracts == tuple(sorted((MNQ, ES)))


def test_a_flatten_of_a_flat_account_names_none():
    run = EngineRun()
    assert lock(run).contracts == ()


def test_a_contract_whose_closing_fill_came_before_its_position_is_not_named():
    """The trader's sale closed MNQ; its Trade is in, its Position (size 0) still to come:
    named, enforcement's blind close would find no position (a call refused)."""
    run = EngineRun()
    run.price(21000)
    held(run, MNQ, POSITION_LONG, 1, 77)
    held(run, ES, POSITION_SHORT, 2, 78)
    run.on(Fill(account_id=ACCOUNT, trade_id=79, contract_id=MNQ, ts_ns=run.now,
                price=Decimal("20990"), pnl=Decimal("-10"), fees=Decimal("0.37"), side=SIDE_SELL,
                size=1))
    assert lock(run).contracts == (ES,)


def test_a_contract_riskds_own_close_still_expects_fills_on_is_left_to_the_read():
    """daily_unrealized_loss's close of MNQ is out (its fill not in): the trader's lockout's
    flatten names ES only; enforcement reads before it closes anything else (riskd's close
    may have closed MNQ already)."""
    run = EngineRun()
    run.price(21000)
    held(run, MNQ, POSITION_LONG, 1, 77)
    held(run, ES, POSITION_SHORT, 2, 78)
    run.price(20880)                               # open PnL -240.00 vs -200.00
    (close,) = run.sent()
    assert close.action == "close_position" and close.contract_id == MNQ
    assert lock(run).contracts == (ES,)
