"""No warning comes from a step that locks the account: it comes when the lockout ends, if
still due (docs/rules.md, warn_at: "none while the account is locked out").

Fresh-user trial 19a, finding 4: Demo 2's sell stop filled at -502.91, past
daily_realized_loss's -250 (the account locked until the roll) and at 84 % of
daily_net_loss's -600; the phone got "🔒 locked until Mon 17:00" and, 6 ms later, "🟡
daily_net_loss at 84% of its limit". The fill's step judges the rules that read open PnL first
(daily_net_loss among them) and only then the trade's own rules (daily_realized_loss), so the
warning was made before the lockout that step took.

The engine with an injected clock, the strict profile's limits (etc/riskd.toml: realized 250,
net 600, warn_at 0.8)."""
from __future__ import annotations

from shared.messages.market import SIDE_SELL
from tests.unit.risk.desk import NQ, Desk

RULES = {"daily_realized_loss": {"limit": 250, "warn_at": 0.8},
         "daily_net_loss": {"limit": 600, "warn_at": 0.8}}


def test_the_fill_that_locks_the_account_warns_of_nothing():
    desk = Desk(**RULES)
    out = desk.trade("-502.91", contract=NQ, side=SIDE_SELL)
    assert [lk.rule for lk in desk.engine.lockouts.all(1001)] == ["daily_realized_loss"]
    assert out.warnings == [], out.warnings


def test_the_warning_still_due_comes_when_the_lockout_ends():
    desk = Desk(**RULES)
    desk.trade("-502.91", contract=NQ, side=SIDE_SELL)
    out, refusal = desk.engine.unlock(1001, None, "admin:ana", "x", desk.now)
    assert refusal == ""
    [w] = out.warnings
    assert w.rule == "daily_net_loss" and "at 84% of its limit" in w.reason, w.reason


def test_a_warning_of_a_fill_that_locks_nothing_still_comes():
    desk = Desk(**RULES)
    out = desk.trade("-210", contract=NQ, side=SIDE_SELL)
    assert not desk.engine.lockouts.all(1001)
    assert [w.rule for w in out.warnings] == ["daily_realized_loss"], out.warnings
