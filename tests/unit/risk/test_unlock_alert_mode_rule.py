"""Fresh-user trial 18a, finding 7: daily_realized_loss past its limit locked Demo 2 to the
roll (and cooldown_after_loss for 30 minutes); the rule was then switched to alert mode (`rules
set 1002 daily_realized_loss mode alert`, `rules override`), and

- `status` showed "daily_realized_loss -366.44/-300.00 122% (alert)" while that rule's own
  lockout still held the account: the row dropped "locked by this rule" (docs/rules.md);
- `unlock 1002 --rule daily_realized_loss` answered only "1 lockout ended": not that the
  cooldown still locked the account, nor that the account was still past the limit of a rule
  now in alert mode (what its next trade does: it is neither flattened nor locked).

The real RiskWorker (tests/unit/risk/worker_rig.py) on etc/riskd.toml's shipped rules and two
accounts (Demo 2's daily_realized_loss 300, as shipped); only daily_realized_loss's mode is
changed, with the function `riskctl rules set` uses, then overridden as the trial did. On
main's code each test fails (checked): the row reads "... 122% (alert)", the answer "1 lockout
ended" alone."""
from __future__ import annotations

from decimal import Decimal

import pytest

from cli.watch.model import _rule_lines
from shared import showtime
from shared.clock import FakeClock
from shared.config.edit import set_rule_param
from shared.messages.market import SIDE_SELL, Fill
from shared.messages.risk import RiskStatusRequest, RulesOverrideRequest, UnlockRequest
from tests.unit.risk.desk import CHI, NQ, chi
from tests.unit.risk.test_disable_now import DEMO2, ETC_ACCOUNTS
from tests.unit.risk.worker_rig import reload, risk_worker


@pytest.fixture
def switched(tmp_path):
    """Demo 2 locked by daily_realized_loss (to the roll) and cooldown_after_loss (30 min),
    then daily_realized_loss switched to alert mode."""
    with risk_worker(tmp_path, ETC_ACCOUNTS, clock=FakeClock(chi(2026, 12, 2, 10, 0))) as rig:
        w, path, backups, _sent = rig
        w._event(Fill(account_id=DEMO2, trade_id=1, contract_id=NQ, ts_ns=w.clock.now_ns(),
                      price=Decimal("21000"), pnl=Decimal("-366.44"), fees=Decimal(0),
                      side=SIDE_SELL, size=1))
        assert {lk.rule for lk in w.engine.lockouts.all(DEMO2)} == {
            "daily_realized_loss", "cooldown_after_loss"}
        w.clock.advance(10)
        set_rule_param(path, str(DEMO2), "daily_realized_loss", "mode", "alert", backups)
        reload(w, path)
        reply = w._handlers[RulesOverrideRequest](RulesOverrideRequest(
            reason="try alert mode", by="admin:root", account=str(DEMO2),
            rule="daily_realized_loss"))
        assert reply.ok, reply.reason
        w.clock.advance(10)
        yield w


def test_the_row_of_a_rule_in_alert_mode_keeps_locked_by_this_rule(switched):
    w = switched
    [status] = w._handlers[RiskStatusRequest](RiskStatusRequest(account=str(DEMO2))).body.accounts
    [line] = [ln for ln in _rule_lines(status, CHI, w.clock.now_ns())
              if ln.rule == "daily_realized_loss"]
    assert line.text == "-366.44/-300.00 122% (alert) locked by this rule", line.text


def test_the_unlock_says_the_cooldown_still_holds_and_the_limit_still_past(switched):
    w = switched
    cooldown = [lk for lk in w.engine.lockouts.all(DEMO2) if lk.rule == "cooldown_after_loss"]
    until = showtime.at(cooldown[0].until_ns, CHI, w.clock.now_ns())
    reply = w._handlers[UnlockRequest](UnlockRequest(
        account=str(DEMO2), reason="trial", rule="daily_realized_loss", by="admin:ana"))
    assert reply.ok, reply.reason
    first, *rest = reply.reason.splitlines()
    assert first == (f"1 lockout ended; Demo 2 (strict, id 1002) stays locked until {until} by "
                     f"cooldown_after_loss"), reply.reason
    assert rest == ["WARNING: still past daily_realized_loss (-366.44 vs -300.00), a rule in "
                    "alert mode: its next trade is neither flattened nor locked (at most an "
                    "alert of what enforce mode would do)"], reply.reason
    assert [lk.rule for lk in w.engine.lockouts.all(DEMO2)] == ["cooldown_after_loss"]


def test_an_unlock_that_frees_the_account_says_no_stays(switched):
    w = switched
    reply = w._handlers[UnlockRequest](UnlockRequest(account=str(DEMO2), reason="trial",
                                                     by="admin:ana"))
    assert reply.ok, reply.reason
    assert reply.reason.splitlines()[0] == "2 lockouts ended", reply.reason
    assert "a rule in alert mode" in reply.reason
