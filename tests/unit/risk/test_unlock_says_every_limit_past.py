"""Every unlock says every daily limit the account is still past, not only the one whose
lockout it ends; and a lockout that ends by its time says it too (docs/rules.md, Lockouts: "An
unlock ends lockouts, not limits ... The unlock's answer and its alert say so first").

Fresh-user trial 19a, finding 1: one fill put Demo 2 past daily_net_loss (-502.91 vs -400) and
daily_realized_loss (-502.91 vs -250); daily_net_loss took the lockout to the roll,
daily_realized_loss's breach was "locked already, no new action" (no lockout of its own), and
cooldown_after_loss held the account. `riskctl unlock 1002 --rule daily_net_loss` warned only
"still past daily_net_loss"; ending the cooldown first then left daily_realized_loss unsaid
until the last unlock. When the cooldown ended by its time, "🔓 Lockout ended" said nothing,
and the trader's next buy was flattened and the account locked to the roll.

The same shape on the engine with an injected clock: daily_realized_loss 500, daily_net_loss
400 (so one fill of -542.84 crosses both; daily_net_loss, which reads the whole account,
holds the lockout: tests/unit/risk/test_both_loss_lines_one_fill.py), the shipped
cooldown_after_loss tier of 300 for 30 minutes."""
from __future__ import annotations

from services.notify.templates import Context, build
from shared.messages.market import SIDE_SELL
from shared.messages.risk import LOCKED_ALREADY
from tests.unit.risk.desk import CHI, NQ, NS, Desk

NET = ("still past daily_net_loss (-542.84 vs -400.00): its next trade or price move will be "
       "flattened and the account locked again until Wed 17:00 CST")
REALIZED = ("still past daily_realized_loss (-542.84 vs -500.00): its next trade will be "
            "flattened and the account locked again until Wed 17:00 CST")


def past_both() -> Desk:
    desk = Desk(daily_realized_loss={"limit": 500}, daily_net_loss={"limit": 400},
                cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 300},
                                               {"loss": 300, "seconds": 1800}]})
    desk.trade("-542.84", contract=NQ, side=SIDE_SELL)
    assert {lk.rule for lk in desk.engine.lockouts.all(1001)} == {
        "daily_net_loss", "cooldown_after_loss"}
    [absorbed] = desk.decisions("daily_realized_loss", acted=False)
    assert LOCKED_ALREADY in absorbed.what, absorbed.what     # no lockout of its own
    return desk


def said(changes) -> list[str]:
    return [p.rule for c in changes for p in c.still_past]


def test_unlocking_one_daily_limit_says_the_other_one_still_past():
    desk = past_both()
    out, refusal = desk.engine.unlock(1001, None, "admin:ana", "x", desk.now,
                                      rule="daily_net_loss")
    assert refusal == ""
    assert sorted(said(out.lockouts)) == ["daily_net_loss", "daily_realized_loss"], \
        out.lockouts
    [c] = out.lockouts
    alert = build(c, Context(tz=CHI, accounts={1001: "Demo 1"}))
    assert alert.title.endswith("⚠️ the account is still past daily_realized_loss, "
                                "daily_net_loss"), alert.title
    assert NET in alert.lines and REALIZED in alert.lines, alert.lines


def test_unlocking_the_cooldown_under_the_roll_lockout_says_nothing_new():
    desk = past_both()
    out, _ = desk.engine.unlock(1001, None, "admin:ana", "x", desk.now,
                                rule="cooldown_after_loss")
    assert said(out.lockouts) == [], "the lockout to the roll still holds: nothing new"


def test_unlocking_every_lockout_says_both():
    desk = past_both()
    out, _ = desk.engine.unlock(1001, None, "admin:ana", "x", desk.now)
    assert sorted(said(out.lockouts)) == ["daily_net_loss", "daily_realized_loss"]


def test_a_cooldown_that_ends_by_its_time_says_the_limits_still_past():
    desk = past_both()
    desk.engine.unlock(1001, None, "admin:ana", "x", desk.now, rule="daily_net_loss")
    desk.wait(1800)
    assert not desk.engine.lockouts.all(1001), "the cooldown ended by the clock"
    [c] = [c for c in desk.history[-1].lockouts if c.change == "cleared"]
    assert c.by == "clock" and c.lockout.rule == "cooldown_after_loss"
    assert sorted(said([c])) == ["daily_net_loss", "daily_realized_loss"], c
    alert = build(c, Context(tz=CHI, accounts={1001: "Demo 1"}))
    assert alert.title == ("🔓 Lockout ended: Demo 1 (id 1001), rule cooldown_after_loss: ⚠️ "
                           "the account is still past daily_realized_loss, daily_net_loss"), \
        alert.title
    assert alert.severity == "warning", alert
    assert NET in alert.lines and REALIZED in alert.lines, alert.lines


def test_a_cooldown_ending_by_its_time_under_the_roll_lockout_says_nothing():
    desk = past_both()
    desk.wait(1800)
    [c] = [c for c in desk.history[-1].lockouts if c.change == "cleared"]
    assert c.lockout.rule == "cooldown_after_loss" and c.still_past == []


def test_a_cooldown_ending_by_its_time_within_the_limits_says_nothing():
    desk = Desk(daily_realized_loss={"limit": 500},
                cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 300}]})
    desk.trade("-150", contract=NQ, side=SIDE_SELL)
    desk.wait(300)
    [c] = [c for c in desk.history[-1].lockouts if c.change == "cleared"]
    assert c.still_past == [] and build(c, Context(tz=CHI)).severity == "info"
