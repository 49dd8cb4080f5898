"""A decision whose flatten is not sent says so in its own words (fresh-user trial: the
cooldown's history line read "flatten: close 1 position; lock the account
(timer)", a plan with no outcome, when its flatten was not sent because the daily loss
limit's flatten of the same account was already on its way)."""
from __future__ import annotations

from cli.commands.history import rows
from services.notify.templates import Context, build
from shared.messages.risk import HistoryReply
from tests.unit.risk.desk import CHI, MNQ, NQ, SIDE_SELL, Desk


def test_a_cooldown_whose_flatten_is_already_in_flight_says_by_which_decision():
    desk = Desk(daily_realized_loss={"limit": 500},
                cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 300}], "flatten": True})
    desk.long(1, MNQ, 21000)
    out = desk.trade("-600", contract=NQ, side=SIDE_SELL)
    [cmd] = out.commands
    sent = {d.rule: d for d in out.decisions}
    first, cooldown = sent["daily_realized_loss"], sent["cooldown_after_loss"]
    assert cmd.decision_id == first.id and not first.suppressed
    assert cooldown.suppressed.startswith("the same action is in flight")
    assert cooldown.what == (f"flatten not sent: already in flight, by decision {first.id} "
                             f"(daily_realized_loss); lock the account (timer)"), cooldown.what
    row = {r[2]: r for r in rows(HistoryReply(decisions=[first, cooldown]), {})}
    line = row["rule cooldown_after_loss"]
    # named by its rule and time, never by its id (trial: "by decision 520bba36292541dab6a4")
    assert line[3].startswith("flatten not sent: daily_realized_loss's flatten of "), line
    assert "was already under way" in line[3], line
    assert first.id not in line[3] and "its outcome is not known" in line[3], line
    assert "close 1 position" not in line[3]
    alert = build(cooldown, Context(tz=CHI, accounts={1001: "SIM-1"}))
    assert any(x.startswith("nothing sent: the same action is already under way")
               for x in alert.lines), alert.lines


def test_a_decision_that_was_sent_keeps_its_plan_for_enforcement_to_answer():
    desk = Desk(daily_realized_loss={"limit": 500})
    desk.long(1, MNQ, 21000)
    [d] = desk.trade("-600", contract=NQ, side=SIDE_SELL).decisions
    assert d.what == "flatten: close 1 position; lock the account until the roll"
