"""A close enforcement never answered (stopped or down), of a rule that set no lockout, is
withdrawn once that rule no longer breaches; while it still does, it runs when enforcement is
back.

Fresh-user trial 2026-12-06 (trial11, finding 1, twice): Demo 2 long MNQ 1; `riskctl stop
enforcement`; MNQ to 20850 (daily_unrealized_loss decided close_position: held in risk's
outbox, "pending"); MNQ to 21050 (the position in profit); `riskctl start enforcement`: riskd
closed the winning position ("done ... (8s after the decision): MNQ closed"). A close held by
enforcement for the market was already judged again (waitjudge.py); one nobody answered was
not. Shipped rules (etc/riskd.toml, account 1001), risk's engine with its injected clock and
the worker's 0.1 s tick and re-sends (the outbox's due commands).
"""
from __future__ import annotations

from shared.messages.enforce import WITHDRAWN, CommandResult
from tests.unit.risk.engine_run import ACCOUNT
from tests.unit.risk.test_waiting_close_no_longer_needed import BACK, Run


def breach_unanswered(run: Run):
    """MNQ falls to 20840 (open PnL -240.00): daily_unrealized_loss closes MNQ; enforcement
    is stopped: the close is sent, and sent again, with no answer."""
    run.price(20840)
    (close,) = run.sent()
    assert close.action == "close_position" and close.rule == "daily_unrealized_loss"
    run.wait(2.5)
    assert [c.id for c in run.sent()] == [close.id]        # sent again: nobody answered
    return close


def test_a_price_that_came_back_withdraws_the_close_nobody_answered():
    run = Run()
    close = breach_unanswered(run)
    mark = len(run.outs)
    run.price(21050)                                       # back in profit: breach over
    (w,) = run.withdraws(mark)
    assert (w.command_id, w.reason) == (close.id, BACK.replace("20.00", "600.00"))
    run.wait(5)
    # enforcement back: what it gets is the withdraw, never the close
    assert [type(m).__name__ for m in run.sent()] == ["WithdrawCommand"]
    out = run.engine.on_result(CommandResult(
        command_id=close.id, account_id=ACCOUNT, status=WITHDRAWN, finished_ns=run.now,
        reason=w.reason), run.now)
    run.outs.append(out)
    assert close.id in out.finished and not run.engine.outbox.unanswered
    run.wait(60)
    assert run.sent() == []


def test_a_price_still_past_the_line_keeps_the_close_for_when_enforcement_is_back():
    run = Run()
    close = breach_unanswered(run)
    mark = len(run.outs)
    for p in (20845, 20830, 20849):                        # moves, stays past -200.00
        run.price(p)
        run.wait(3)
        assert [c.id for c in run.sent()] in ([close.id], [])
    assert run.withdraws(mark) == []
    assert close.id in run.engine.outbox.entries and not run.engine.withdrawing


def test_an_answered_close_is_not_judged_as_unanswered():
    """Enforcement took it ('accepted', then running): it is its to finish."""
    run = Run()
    run.price(20840)
    (close,) = run.sent()
    run.engine.on_result(CommandResult(command_id=close.id, account_id=ACCOUNT,
                                       status="accepted", action=close.action,
                                       rule=close.rule), run.now)
    run.wait(2.5)
    run.sent()
    mark = len(run.outs)
    run.price(21050)
    assert run.withdraws(mark) == [] and not run.engine.outbox.unanswered
