"""A close withdrawn while its call got no answer (enforcement's result: `withdrawn`, the call
listed as unsettled: services/enforcement/withdrawnlost.py) is still riskd's close: when the
broker carries it out within 2 minutes, closing what is open then (the trader's post-unlock buy
too), risk takes that fill as riskd's late close, says so (history WHO `riskd (late close)`, the
alert), and never counts it as the trader's trade; the trader's own buy stays theirs (trial25b
F0: after `riskctl unlock`, the held close closed MNQ long 2 with no line anywhere and the fill
counted as a trade).

Shipped rules (etc/riskd.toml) on risk's engine with its injected clock (test_withdraw.py's
Run): the trader's lockout, MNQ 1 bought while locked (lockout enforcement's close), the
admin's unlock (its withdraw); then every order of the trader's next buy of 1, enforcement's
withdrawn result and the late close's fill, each fill with its Trade before or after its
Position.
"""
from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from shared.latewords import LATE_CLOSE, TIMED_OUT
from shared.messages.enforce import WITHDRAWN, CommandResult, LostCall
from shared.messages.market import (POSITION_LONG, SIDE_BUY, SIDE_SELL, Fill,
                                    PositionUpdate)
from tests.unit.risk.desk import MNQ, NS
from tests.unit.risk.test_withdraw import DEMO1, Run

ORDERS = list(itertools.permutations(("buy", "result", "late")))


def fill(run, trade_id, order_id, side, size, pnl=None):
    run.on(Fill(account_id=DEMO1, trade_id=trade_id, contract_id=MNQ, ts_ns=run.now,
                price=Decimal("21000"), pnl=pnl, fees=Decimal("0.37"), side=side, size=size,
                order_id=order_id))


def position(run, size):
    run.on(PositionUpdate(account_id=DEMO1, position_id=7 if size else 0, contract_id=MNQ,
                          ts_ns=run.now, type=POSITION_LONG if size else 0, size=size,
                          average_price=Decimal("21000") if size else Decimal(0)))


@pytest.mark.parametrize("order", ORDERS, ids="-".join)
@pytest.mark.parametrize("trade_first", (True, False), ids=("trade first", "position first"))
def test_the_withdrawn_close_carried_out_late_is_riskds_late_close(order, trade_first):
    run = Run()
    out, why = run.engine.self_lock(DEMO1, run.now, until_ns=run.now + 1800 * NS)
    assert not why
    run.outs.append(out)
    (flatten,) = out.commands
    run.result(flatten, "done", detail="account Demo 1 was already flat")
    run.long_mnq(DEMO1, 1)                     # bought while locked
    (close,) = [c for c in run.sent() if c.action == "close_position"]
    assert close.rule == "lockout"
    run.result(close, "accepted")
    sent = run.now
    run.wait(1)
    out, why = run.engine.unlock(DEMO1, None, "admin:root", "unlock4", run.now)
    assert not why
    (w,) = out.withdraws
    assert w.command_id == close.id
    held = {"n": 1}

    def moved(trade_id, order_id, side, size, pnl=None):
        held["n"] += size if side == SIDE_BUY else -size
        if not trade_first:
            position(run, held["n"])
        fill(run, trade_id, order_id, side, size, pnl)
        if trade_first:
            position(run, held["n"])

    for step in order:
        run.wait(3)
        if step == "buy":                    # the trader's market buy after the unlock
            moved(2, 9000098, SIDE_BUY, 1)
        elif step == "late":                 # the held close, carried out: all that is open
            moved(3, 9000099, SIDE_SELL, held["n"], pnl=Decimal("-5"))
        else:
            run.outs.append(run.engine.on_result(CommandResult(
                command_id=close.id, account_id=DEMO1, status=WITHDRAWN,
                detail="withdrawn: close MNQ long 1 was stopped while it ran: ...",
                attempts=1, finished_ns=run.now, action=close.action, rule=close.rule,
                orders_known=True,
                unsettled=[LostCall(contract_id=MNQ, size=0, lost_ns=sent + 10 * NS,
                                    how=TIMED_OUT)]), run.now))
    run.wait(1)
    acct = run.engine.accounts[DEMO1]
    theirs = {t for t, f in acct.trades.items() if not f.by_riskd}
    assert theirs == {1, 2}, (order, {t: f.by_riskd for t, f in acct.trades.items()})
    assert acct.trades_today == 2, order        # the trader's two buys, never riskd's close
    notes = [wn for o in run.outs for wn in o.warnings if wn.rule == LATE_CLOSE]
    assert len(notes) == 1, (order, [wn.reason for o in run.outs for wn in o.warnings])
    assert "riskd's earlier close of MNQ (timed out at " in notes[0].reason, notes[0].reason
    assert "not counted as your trade" in notes[0].reason, notes[0].reason
