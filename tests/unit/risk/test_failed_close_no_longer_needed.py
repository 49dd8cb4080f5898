"""A failed action of a rule that set no lockout is tried again only while that rule still
breaches for its target; one that ends without riskd is said on the phone.

Trial 2026-12-06 (main e3d24f5): closeContract failed (sim 503); MNQ long 1 fell to 20880
(daily_unrealized_loss: open PnL -241.00 vs -200.00) and its close FAILED. The price came back
to 21010 (open PnL +19.00): the status still said "ENFORCEMENT FAILED ... act now", and once
the sim answered again riskd's 3rd try closed a winning position for a breach that was over.
Before retries.py such a rule decided again on the next quote: a recovered price closed
nothing. And when the trader closed the position himself while riskd was trying, the status
line went away but the phone's last word stayed "🚨 ... act now".

The shipped rules (etc/riskd.toml, account 1001, default profile: daily_unrealized_loss limit
200, scope position) on risk's engine with its injected clock; no lockout is involved.
"""
from __future__ import annotations

from decimal import Decimal

from shared.messages.market import POSITION_LONG, SIDE_BUY, Fill, PositionUpdate
from services.risk.views import account_status
from tests.unit.risk.desk import MNQ
from tests.unit.risk.engine_run import ACCOUNT, EngineRun


class Run(EngineRun):
    """Demo 1 long MNQ 1 at 21000, unlocked; its closes fail with HTTP 503."""
    http_status = 503
    failed_for_s = 1.8

    def __init__(self):
        super().__init__()
        self.price(21000)
        self.on(Fill(account_id=ACCOUNT, trade_id=77, contract_id=MNQ, ts_ns=self.now,
                     price=Decimal("21000"), pnl=None, fees=Decimal("0.37"), side=SIDE_BUY,
                     size=1))
        self.on(PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ,
                               ts_ns=self.now, type=POSITION_LONG, size=1,
                               average_price=Decimal("21000")))
        assert self.sent() == []

    def result(self, cmd, status, detail="", attempts=4):
        return super().result(cmd, status, detail, attempts)

    def breach_fails(self):
        """The price falls to 20880: daily_unrealized_loss closes MNQ; the close fails."""
        self.price(20880)
        (close,) = self.sent()
        assert close.action == "close_position" and close.rule == "daily_unrealized_loss"
        self.result(close, "failed")
        (f,) = self.failing()
        assert f.still == "MNQ long 1 still open (daily_unrealized_loss)"
        return close


def test_a_recovered_price_drops_the_waiting_try_and_says_so():
    run = Run()
    close = run.breach_fails()
    run.wait(2)
    mark = len(run.outs)
    run.price(21010)                              # open PnL 20.00 (before fees): the breach is over
    assert run.failing() == []
    (said,) = run.notices(mark)
    assert said.severity == "info" and said.account_id == ACCOUNT
    assert said.title.startswith("✅ No longer needed on ")
    assert "MNQ long 1 is back within daily_unrealized_loss (open PnL 20.00 vs -200.00)" \
        in said.title
    assert said.title.endswith("riskd does not close it")
    assert any(run.outs[i].finished for i in range(mark, len(run.outs)))   # the try left
    assert account_status(run.engine, ACCOUNT, run.now).ended == {
        close.decision_id: "no longer needed"}    # LAST ACTIONS: "failed, then no longer needed"
    run.wait(120)
    assert run.sent() == []                       # a winning position is not closed
    assert run.failing() == []


def test_the_try_goes_out_while_the_rule_still_breaches():
    run = Run()
    close = run.breach_fails()
    run.price(20870)                              # still past the limit
    run.wait(5)
    (second,) = run.sent()
    assert second.id == f"{close.decision_id}.2"
    assert run.failing()


def test_a_failure_of_a_later_try_after_the_price_came_back_ends_it():
    """The try was on its way when the price came back: its result tells; a failure then
    ends the action (no new FAILED alert, no further try)."""
    run = Run()
    run.breach_fails()
    run.wait(5)
    (second,) = run.sent()
    run.price(21010)
    assert run.failing()                          # on its way: its result tells
    mark = len(run.outs)
    run.result(second, "failed")
    (said,) = run.notices(mark)
    assert said.title.startswith("✅ No longer needed on ")
    assert run.failing() == []
    run.wait(120)
    assert run.sent() == []


def test_the_trader_closing_it_while_riskd_waits_is_said_once():
    run = Run()
    close = run.breach_fails()
    run.wait(2)
    mark = len(run.outs)
    run.on(PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ, ts_ns=run.now,
                          type=0, size=0, average_price=Decimal(0)))
    run.wait(0.1)
    assert run.failing() == []
    (said,) = run.notices(mark)
    assert said.severity == "info"
    assert said.title.startswith("✅ Resolved on ")
    assert "MNQ long 1 was closed outside riskd; riskd stops trying" in said.title
    run.wait(120)
    assert run.sent() == [] and run.notices(mark) == [said]
    # LAST ACTIONS' row of the decision says how it ended, not its last failed attempt
    status = account_status(run.engine, ACCOUNT, run.now)
    assert status.ended == {close.decision_id: "closed outside riskd"}


def test_a_position_another_riskd_action_closes_is_not_said_closed_outside_riskd():
    """A flatten of riskd's (here the trader's self-lockout) is on its way when the position
    goes flat: the failing close ends, and the phone does not say someone else closed it."""
    run = Run()
    run.breach_fails()
    run.wait(1)
    out, why = run.engine.self_lock(ACCOUNT, run.now, session=True, reason="done today")
    assert not why and [c.action for c in out.commands] == ["flatten"]
    mark = len(run.outs)
    run.on(PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ, ts_ns=run.now,
                          type=0, size=0, average_price=Decimal(0)))
    run.wait(0.1)
    assert run.failing() == []
    (said,) = run.notices(mark)
    assert "MNQ long 1 is flat now; riskd stops trying" in said.title
    assert "outside riskd" not in said.title
