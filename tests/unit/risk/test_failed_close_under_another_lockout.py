"""A failed close of a rule that set no lockout is judged by that rule, never by the end of an
unrelated lockout that happened to cover the account (trial20b section 3).

Trial20b: a trade_frequency_limit cooldown (1 minute, the 3rd buy of a minute) held Demo 2
while daily_unrealized_loss's close of MNQ long 1 failed; when the cooldown ended riskd said
"✅ No longer needed ...: the lockout ended; riskd does not close it", and history "FAILED
..., then the lockout ended", while the position was at -274.50 against -200.00. The shipped
rules (etc/riskd.toml, account 1001: trade_frequency_limit per_minute 3 with a 60 s cooldown,
daily_unrealized_loss limit 200 of scope position) on risk's engine with its injected clock.
"""
from __future__ import annotations

from decimal import Decimal

from services.risk.views import account_status
from shared.messages.market import POSITION_LONG, SIDE_BUY, Fill, PositionUpdate
from tests.unit.risk.desk import MNQ
from tests.unit.risk.engine_run import ACCOUNT, EngineRun


class Run(EngineRun):
    """Three buys of 1 MNQ in a minute (the 3rd starts trade_frequency_limit's 60 s
    cooldown): long 3 at 21000."""
    http_status = 503

    def __init__(self):
        super().__init__()
        self.price(21000)
        for n in (1, 2, 3):
            self.on(Fill(account_id=ACCOUNT, trade_id=70 + n, contract_id=MNQ, ts_ns=self.now,
                         price=Decimal("21000"), pnl=None, fees=Decimal("0.37"),
                         side=SIDE_BUY, size=1))
            self.on(PositionUpdate(account_id=ACCOUNT, position_id=5, contract_id=MNQ,
                                   ts_ns=self.now, type=POSITION_LONG, size=n,
                                   average_price=Decimal("21000")))
            self.wait(1)
        assert [lk.rule for lk in self.engine.lockouts.all()] == ["trade_frequency_limit"]
        self.locked_until = self.engine.lockouts.all()[0].until_ns
        assert self.sent() == []

    def result(self, cmd, status, detail="", attempts=4):
        return super().result(cmd, status, detail, attempts)

    def fail_what_is_sent(self):
        for cmd in self.sent():
            self.result(cmd, "failed")


def test_the_end_of_an_unrelated_lockout_does_not_end_a_close_its_rule_still_wants():
    run = Run()
    run.price(20950)                      # long 3: open PnL -300.00 past -200.00
    (close,) = run.sent()
    assert close.rule == "daily_unrealized_loss"
    mark = len(run.outs)
    run.result(close, "failed")
    (f,) = run.failing()
    assert f.still == "MNQ long 3 still open (daily_unrealized_loss)"     # not "on a locked account"
    while run.now < run.locked_until + 2 * 10**9:     # the cooldown ends; the price stays
        run.wait(1)
        run.fail_what_is_sent()
    assert run.engine.lockouts.all() == []
    said = [n.title for n in run.notices(mark)]
    assert not [t for t in said if "No longer needed" in t or "Resolved" in t], said
    assert run.failing(), "riskd stopped trying a close its rule still decides"
    assert account_status(run.engine, ACCOUNT, run.now).ended == {}
    run.wait(61)                          # the next try goes out: the rule still breaches
    assert [c.decision_id for c in run.sent()] == [close.decision_id]


def test_it_ends_when_its_own_rule_no_longer_breaches_said_so():
    run = Run()
    run.price(20950)
    (close,) = run.sent()
    run.result(close, "failed")
    run.wait(2)
    mark = len(run.outs)
    run.price(20990)                      # open PnL -60.00: back within, the cooldown still on
    assert run.engine.lockouts.all()
    (said,) = run.notices(mark)
    assert said.title.startswith("✅ No longer needed on ")
    assert "MNQ long 3 is back within daily_unrealized_loss" in said.title
    assert account_status(run.engine, ACCOUNT, run.now).ended == {
        close.decision_id: "no longer needed"}
