"""A close the broker refused because the market is closed is said to the phone once.

Trial 2026-12-06: with the sim's market closed, the breach's close of MNQ stayed pending in
enforcement ("planned, not done yet (pending): close_position waits for the market to open" in
riskctl history) and the phone heard nothing after the breach. Enforcement's 'accepted' results
of a pending command say what it waits for (waits_for, from its journal); risk, which knows the
action in words, sends one "⏳ Waiting" notice per command, not one per retry of enforcement's.
Shipped rules on risk's engine (tests/unit/risk/test_failed_action_tried_again.py's Run)."""
from __future__ import annotations

from shared.messages.enforce import MARKET_OPEN, CommandResult
from tests.unit.risk.test_failed_action_tried_again import ACCOUNT, Run


def pending(run, cmd, waits_for=MARKET_OPEN):
    out = run.engine.on_result(CommandResult(
        command_id=cmd.id, account_id=ACCOUNT, status="accepted", attempts=1,
        detail=f"close_position on account SIM-1 waits for the market to open "
               f"(OrderRejected (market closed?)); done so far: nothing",
        action=cmd.action, rule=cmd.rule, waits_for=waits_for), run.now)
    run.outs.append(out)
    return out


def test_a_close_waiting_for_the_market_is_said_once_per_action():
    run = Run()
    close = run.buy_mnq()
    mark = len(run.outs)
    pending(run, close)
    (alert,) = run.notices(mark)
    assert alert.kind == "action_waiting" and alert.account_id == ACCOUNT
    assert alert.title.startswith("⏳ Waiting: close MNQ long 1 on ")
    assert alert.title.endswith(" waits for the market to open"), alert.title
    assert alert.lines[0].startswith("the broker refused it: market closed; riskd sends it "
                                     "again when it opens")
    assert f"command {close.id}" in alert.lines[-1]
    mark = len(run.outs)
    run.wait(2.0)
    pending(run, close)                      # enforcement's retry, still closed
    pending(run, close)
    assert run.notices(mark) == []


def test_an_accepted_result_that_does_not_wait_says_nothing():
    run = Run()
    close = run.buy_mnq()
    mark = len(run.outs)
    pending(run, close, waits_for="")
    assert run.notices(mark) == []
