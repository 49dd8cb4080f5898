"""`riskctl unlock ACCOUNT --rule daily_realized_loss` while the account is still past that
limit and another lockout still holds it: the answer and the alert warn that its next trade
is flattened and the account locked again to the roll (trial15a, finding 6: the warning came
only when the last lockout ended, and an admin ending just that one was not told).

Rules: etc/riskd.toml's shipped daily_realized_loss (500) and cooldown_after_loss (tiers
100/200/300, the 300 tier 1800 s), on the real RiskWorker (tests/unit/risk/worker_rig.py) for
the answer riskctl prints, and on the engine for the alert notify makes of the change."""
from __future__ import annotations

from decimal import Decimal

from services.notify.templates import Context, build
from shared.clock import FakeClock
from shared.messages.market import SIDE_SELL, Fill
from shared.messages.risk import UnlockRequest
from tests.unit.risk.desk import CHI, NQ, Desk, chi
from tests.unit.risk.worker_rig import risk_worker

WARNING = ("still past daily_realized_loss (-542.84 vs -500.00): its next trade will be "
           "flattened and the account locked again until Wed 17:00 CST")


def test_the_answer_warns_while_the_cooldown_still_holds_the_account(tmp_path):
    with risk_worker(tmp_path, [{"id": 1001, "name": "SIM-1", "display_name": "Demo 1"}],
                     clock=FakeClock(chi(2026, 12, 2, 10, 0))) as (w, _path, _b, _sent):
        w._event(Fill(account_id=1001, trade_id=1, contract_id=NQ, ts_ns=w.clock.now_ns(),
                      price=Decimal("21000"), pnl=Decimal("-542.84"), fees=Decimal(0),
                      side=SIDE_SELL, size=1))
        assert {lk.rule for lk in w.engine.lockouts.all(1001)} == {
            "daily_realized_loss", "cooldown_after_loss"}
        reply = w._handlers[UnlockRequest](UnlockRequest(
            account="1001", reason="x", rule="daily_realized_loss", by="admin:ana"))
        assert reply.ok, reply.reason
        assert f"WARNING: {WARNING}" in reply.reason, reply.reason
        assert [lk.rule for lk in w.engine.lockouts.all(1001)] == ["cooldown_after_loss"]


def test_the_alert_warns_while_the_cooldown_still_holds_the_account():
    desk = Desk(daily_realized_loss={"limit": 500},
                cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 300},
                                               {"loss": 300, "seconds": 1800}]})
    desk.trade("-542.84", contract=NQ, side=SIDE_SELL)
    out, refusal = desk.engine.unlock(1001, None, "admin:ana", "x", desk.now,
                                      rule="daily_realized_loss")
    assert refusal == ""
    [c] = out.lockouts
    assert c.over is not None and c.over.rule == "cooldown_after_loss"
    alert = build(c, Context(tz=CHI, accounts={1001: "Demo 1"}))
    assert alert.title.startswith("🔒 daily_realized_loss ended on Demo 1 (id 1001): still "
                                  "locked until Wed 09:30"), alert.title
    assert alert.title.endswith("⚠️ the account is still past daily_realized_loss"), alert.title
    assert WARNING in alert.lines, alert.lines


def test_ending_only_the_cooldown_warns_of_nothing_while_the_daily_lockout_holds():
    desk = Desk(daily_realized_loss={"limit": 500},
                cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 300}]})
    desk.trade("-542.84", contract=NQ, side=SIDE_SELL)
    out, _ = desk.engine.unlock(1001, None, "admin:ana", "x", desk.now,
                                rule="cooldown_after_loss")
    assert [c.still_past for c in out.lockouts] == [[]]
