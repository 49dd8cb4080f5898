"""A close waiting for the market, of a rule that set no lockout, is withdrawn once that rule no
longer breaches for its target; while it still does, it runs at the open.

Trial 2026-12-06 (the worst finding): Demo 1 (id 1001) unlocked; `riskctl sim price MNQ 20900;
riskctl sim buy MNQ 2`; the market closed; MNQ at 20840 put the position at -241:
daily_unrealized_loss (scope position, limit 200, no lockout) decided close_position and
enforcement held it pending ("⏳ Waiting: close MNQ long 2 on Demo 1 waits for the market to
open"). MNQ at 20905 (slightly in profit), the market opened, and 14 s later riskd closed the
winning position ("✅ Done ... done late: 14s after the decision").

Now risk judges the rule again for the waiting close as for a failed one (retries.py
_not_breached, services/risk/waitjudge.py) and takes the close back with a WithdrawCommand
whose reason is in the No-longer-needed words; the phone's one alert of it is enforcement's
'withdrawn' result ("↩️ Withdrawn ... was not carried out: no longer needed: ..."), risk
sends no notice of its own. Shipped rules (etc/riskd.toml, account 1001, default profile) on
risk's engine with its injected clock and the worker's 0.1 s tick; no lockout is involved.
"""
from __future__ import annotations

from decimal import Decimal

from services.enforcement.withdraw import detail
from services.notify.templates import result_alert
from services.risk.store import Store
from services.risk.views import account_status
from shared.messages.enforce import MARKET_OPEN, WITHDRAWN, CommandResult
from shared.messages.market import (POSITION_LONG, SIDE_BUY, AccountUpdate, Fill,
                                    MarketSnapshot, PositionUpdate, Quote)
from tests.unit.risk.desk import MNQ, NS, shipped_engine
from tests.unit.risk.engine_run import ACCOUNT, LOADED, WEDNESDAY, EngineRun

BACK = ("no longer needed: MNQ long 2 is back within daily_unrealized_loss "
        "(open PnL 20.00 vs -200.00)")


class Run(EngineRun):
    """Demo 1 long MNQ 2 at 20900, unlocked."""

    def __init__(self):
        super().__init__()
        self.price(20900)
        self.on(Fill(account_id=ACCOUNT, trade_id=77, contract_id=MNQ, ts_ns=self.now,
                     price=Decimal("20900"), pnl=None, fees=Decimal("0.74"), side=SIDE_BUY,
                     size=2))
        self.on(PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ,
                               ts_ns=self.now, type=POSITION_LONG, size=2,
                               average_price=Decimal("20900")))
        assert self.sent() == []

    def pending(self, cmd):
        """Enforcement's answer while the market is closed (services/enforcement/journal.py)."""
        out = self.engine.on_result(CommandResult(
            command_id=cmd.id, account_id=ACCOUNT, status="accepted", attempts=1,
            detail="close_position on account SIM-1 waits for the market to open "
                   "(OrderRejected (market closed?)); done so far: nothing",
            action=cmd.action, rule=cmd.rule, waits_for=MARKET_OPEN), self.now)
        self.outs.append(out)
        return out

    def breach_waits(self):
        """MNQ falls to 20840 (open PnL -240.00): daily_unrealized_loss closes MNQ; the
        market is closed: the close waits."""
        self.price(20840)
        (close,) = self.sent()
        assert close.action == "close_position" and close.rule == "daily_unrealized_loss"
        assert not self.engine.lockouts.covering(ACCOUNT)           # no lockout
        out = self.pending(close)
        (waiting,) = out.notices
        assert waiting.title.startswith("⏳ Waiting: close MNQ long 2 on ")
        return close

    def sent(self):
        """What the worker publishes now (services/risk/app.py): the due commands, a
        withdrawn one as its withdraw."""
        return [self.engine.withdrawing.get(c.id) or c for c in self.engine.outbox.due(self.now)]

    def withdraws(self, since=0):
        return [w for o in self.outs[since:] for w in o.withdraws]


def test_a_price_that_came_back_withdraws_the_waiting_close_said_once():
    run = Run()
    close = run.breach_waits()
    run.wait(3)
    run.pending(close)                          # enforcement's retry: still closed
    assert run.withdraws() == []
    mark = len(run.outs)
    run.price(20905)                            # open PnL +20.00: the breach is over
    (w,) = run.withdraws(mark)
    assert (w.command_id, w.account_id) == (close.id, ACCOUNT)
    assert w.what == "close MNQ long 2"
    assert w.reason == BACK
    assert run.notices(mark) == []              # risk says nothing: the Withdrawn line does
    # the worker sends the withdraw (again while overdue), never the close
    run.wait(3)
    assert [type(m).__name__ for m in run.sent()] == ["WithdrawCommand"]
    # the market opens: enforcement ends the pending close as withdrawn
    res = CommandResult(command_id=close.id, account_id=ACCOUNT, status=WITHDRAWN,
                        detail=detail(w), finished_ns=run.now, reason=w.reason)
    out = run.engine.on_result(res, run.now)
    run.outs.append(out)
    assert out.notices == [] and close.id in out.finished
    alert = result_alert(res, _Ctx())
    assert alert.title == (f"↩️ Withdrawn on Demo 1 (id 1001): close MNQ long 2 was not carried out: "
                           f"{BACK}"), alert.title
    assert close.id not in run.engine.outbox.entries and not run.engine.withdrawing
    run.wait(120)
    assert run.sent() == [] and run.withdraws(mark + 1) == []   # nothing more, no new close
    assert run.notices(mark) == []


def test_a_price_still_past_the_line_keeps_the_close_and_it_runs_at_the_open():
    run = Run()
    close = run.breach_waits()
    mark = len(run.outs)
    for p in (20845, 20848, 20830, 20849):     # moves, but stays past -200.00
        run.price(p)
        run.wait(2)
        run.pending(close)
    assert run.withdraws(mark) == [] and run.notices(mark) == []
    assert close.id in run.engine.outbox.entries and not run.engine.withdrawing
    # the market opens: the close runs
    out = run.engine.on_result(CommandResult(
        command_id=close.id, account_id=ACCOUNT, status="done", detail="closed MNQ long 2",
        attempts=2, started_ns=run.now, finished_ns=run.now, first_answer_ns=run.now,
        action=close.action, rule=close.rule), run.now)
    run.outs.append(out)
    assert close.id in out.finished
    assert run.withdraws(mark) == []
    assert run.engine.market_waiting == {}


def test_past_the_line_again_while_the_withdraw_is_on_its_way_closes_anew():
    """The price comes back (the close is withdrawn), then goes past the line again before
    enforcement answered: the rule's decision then is not sent (the old close is in flight);
    once the answer comes the rule judges again and a new close goes out, at once."""
    run = Run()
    close = run.breach_waits()
    run.wait(1)
    run.price(20905)
    (w,) = run.withdraws()
    run.sent()
    run.price(20840)                            # past the line again
    assert run.sent() == []                     # the withdrawn close is still in flight
    res = CommandResult(command_id=close.id, account_id=ACCOUNT, status=WITHDRAWN,
                        detail=detail(w), finished_ns=run.now, reason=w.reason)
    run.outs.append(run.engine.on_result(res, run.now))
    (again,) = run.sent()
    assert again.action == "close_position" and again.rule == "daily_unrealized_loss"
    assert again.id != close.id and again.contract_id == MNQ


def test_a_lockouts_waiting_close_is_not_judged_by_the_price():
    """A close under a lockout (here the trader's own, for the session) is not this rule's to
    take back: the lockout's end withdraws it (withdraw.py)."""
    run = Run()
    out, why = run.engine.self_lock(ACCOUNT, run.now, session=True, reason="done today")
    assert not why
    run.outs.append(out)
    (flatten,) = out.commands
    run.sent()
    run.pending(flatten)
    run.price(20905)
    run.wait(2)
    run.price(20950)
    assert run.withdraws() == []
    assert flatten.id in run.engine.outbox.entries


class _Ctx:
    """What notify's result_alert reads of its context for a withdrawn result."""

    def account(self, account_id):
        return "Demo 1"

    def called(self, account_id):
        return "Demo 1 (id 1001)"


def test_a_failed_closes_try_waiting_for_the_market_is_withdrawn_and_ends_the_action():
    """The close failed (HTTP 500), its 2nd try met the closed market; the price came back:
    the try is withdrawn (the phone's one line about it), no "No longer needed" of risk's, and
    LAST ACTIONS says "failed, then no longer needed"."""
    run = Run()
    run.price(20840)
    (close,) = run.sent()
    run.engine.on_result(CommandResult(
        command_id=close.id, account_id=ACCOUNT, status="failed", attempts=4, broker_calls=4,
        started_ns=run.now, finished_ns=run.now, action=close.action, rule=close.rule,
        errors=["HTTP 500"]), run.now)
    run.wait(5.1)
    (second,) = run.sent()
    assert second.id == f"{close.decision_id}.2"
    run.pending(second)
    mark = len(run.outs)
    run.price(20905)
    (w,) = run.withdraws(mark)
    assert w.command_id == second.id and w.reason == BACK
    res = CommandResult(command_id=second.id, account_id=ACCOUNT, status=WITHDRAWN,
                        detail=detail(w), finished_ns=run.now, reason=w.reason)
    run.outs.append(run.engine.on_result(res, run.now))
    assert run.notices(mark) == []
    assert run.failing() == []
    assert account_status(run.engine, ACCOUNT, run.now).ended == {
        close.decision_id: "no longer needed"}
    run.wait(120)
    assert run.sent() == []


def test_after_a_restart_past_the_line_again_closes_at_the_withdraws_answer(tmp_path):
    """As above, with risk restarted while the withdraw is on its way: the restarted risk
    re-sends the withdraw (the store's withdraws), and enforcement's answer judges the rule
    at once. Before, the restarted risk no longer knew the withdraw was a no-longer-needed
    one: the position past the line was closed only at the next price step, however long
    that took (a quiet contract; here none comes)."""
    run = Run()
    close = run.breach_waits()
    run.wait(1)
    run.price(20905)
    (w,) = run.withdraws()
    run.sent()
    run.price(20840)                            # past the line again
    assert run.sent() == []
    store, _ = Store.open(str(tmp_path))
    for out in run.outs:
        store.commit(out, run.engine)
    store.close()
    again = Run.__new__(Run)                    # the next risk, loaded from the store
    again.now, again.outs = run.now + NS, []
    again.engine = shipped_engine(LOADED, again.now, prefix="b")
    store, _ = Store.open(str(tmp_path))
    store.load(again.engine, again.now)
    again.outs.append(again.engine.apply_snapshot(MarketSnapshot(
        seq=1, epoch=1, complete=True, accounts=[AccountUpdate(
            account_id=ACCOUNT, name="SIM-1", balance=Decimal(50_000), can_trade=True)],
        positions=[PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ,
                                  ts_ns=WEDNESDAY, type=POSITION_LONG, size=2,
                                  average_price=Decimal("20900"))],
        orders=[], fills=[], quotes=[Quote(contract_id=MNQ, ts_ns=again.now,
                                           last=Decimal("20840"))]), again.now))
    assert again.sent() == [w]                  # the withdraw again, never the close
    res = CommandResult(command_id=close.id, account_id=ACCOUNT, status=WITHDRAWN,
                        detail=detail(w), finished_ns=again.now, reason=w.reason)
    again.outs.append(again.engine.on_result(res, again.now))
    (anew,) = again.sent()
    assert anew.action == "close_position" and anew.rule == "daily_unrealized_loss"
    assert anew.id != close.id and anew.contract_id == MNQ
    store.close()
