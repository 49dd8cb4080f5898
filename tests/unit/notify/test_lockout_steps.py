"""A lockout that starts inside a longer one never reads as the account's end, and one risk step
makes one alert per account (fresh-user trial: "🔒 Lockout started: Demo 1 until Mon 17:00 CST"
then, 20 ms later, "🔒 Lockout started: Demo 1 until 03:32:43 CST", the cooldown the same losing
trade started; in a market-wide move 21 alerts in 90 ms for 3 accounts)."""
from services.notify.steps import by_step, step_alert
from services.notify.templates import Context, build
from tests.unit.risk.desk import CHI, MNQ, NQ, NS, SIDE_SELL, Desk, chi

CTX = Context(tz=CHI, accounts={1001: "Demo 1"})
RULES = dict(daily_realized_loss={"limit": 500},
             cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 300}], "flatten": True})


def losing_step():
    desk = Desk(start=chi(2026, 11, 27, 3, 27, 43), **RULES)     # a Friday: the roll 17:00
    desk.long(1, MNQ, 21000)
    return desk, desk.trade("-611.18", contract=NQ, side=SIDE_SELL)


def test_a_shorter_lockout_started_inside_a_longer_one_names_the_longer_end():
    desk, out = losing_step()
    daily, cooldown = out.lockouts
    assert daily.lockout.rule == "daily_realized_loss" and daily.over is None
    assert cooldown.lockout.rule == "cooldown_after_loss"
    assert cooldown.over is not None and cooldown.over.id == daily.lockout.id
    alert = build(cooldown, CTX)
    assert alert.title == ("🔒 Demo 1 (id 1001) locked until Fri 17:00 CST (daily_realized_loss); "
                           "cooldown_after_loss also until Fri 03:32:43 CST"), alert.title


def test_one_step_of_one_account_is_one_alert_leading_with_when_the_account_is_free():
    desk, out = losing_step()
    msgs = [*out.lockouts, *out.decisions]            # as risk publishes a step
    [group] = by_step(msgs)
    alert = step_alert(group, CTX)
    assert alert.title == ("🔒 Demo 1 (id 1001) locked until Fri 17:00 CST (daily_realized_loss); "
                           "cooldown_after_loss also until Fri 03:32:43 CST"), alert.title
    assert "⚠️ Breach daily_realized_loss on Demo 1 (id 1001)" in alert.lines
    assert "⚠️ Breach cooldown_after_loss on Demo 1 (id 1001)" in alert.lines
    assert "value -611.18 vs limit -500.00" in alert.lines
    assert alert.kind == "breach" and alert.severity == "warning"


def test_steps_of_other_accounts_or_times_stay_apart_and_a_lone_message_is_built_as_ever():
    desk, out = losing_step()
    later = desk.trade("-5", contract=NQ, side=SIDE_SELL, trade_id=77)
    desk.now += NS
    groups = by_step([*out.lockouts, *out.decisions, *later.decisions])
    assert [len(g) for g in groups] == [len(out.lockouts) + len(out.decisions)] + (
        [len(later.decisions)] if later.decisions else [])
    [single] = out.decisions[:1]
    assert step_alert([single], CTX) == build(single, CTX)


def test_a_lockout_ending_under_a_longer_one_says_the_account_is_still_locked():
    desk, out = losing_step()
    out = desk.wait(301)                               # the cooldown's end
    [ended] = out.lockouts
    assert ended.lockout.rule == "cooldown_after_loss" and ended.over is not None
    alert = build(ended, CTX)
    assert alert.title == ("🔒 cooldown_after_loss ended on Demo 1 (id 1001): still locked until "
                           "Fri 17:00 CST (daily_realized_loss)"), alert.title


def test_a_step_is_held_until_its_hold_is_over_then_given_whole_in_order():
    from services.notify.steps import StepHold
    desk, out = losing_step()
    hold = StepHold(hold_s=0.1)
    first, *rest = [*out.lockouts, *out.decisions]
    assert hold.add(first, 10.0) is True          # a new step: the caller sets a timer
    assert hold.due(10.05) == []
    assert [hold.add(m, 10.06) for m in rest] == [False] * len(rest)
    other = later_step(desk)
    assert hold.add(other, 10.07) is True
    assert hold.due(10.11) == [[first, *rest]]    # the first step's hold is over
    assert hold.due(10.11, everything=True) == [[other]] and len(hold) == 0


def later_step(desk):
    desk.now += NS
    desk.engine.unlock(1001, None, "admin", "t", desk.now)
    return desk.trade("-5", contract=NQ, side=SIDE_SELL, trade_id=78).decisions[0]


def test_an_unlock_of_two_lockouts_is_one_alert_that_warns_of_the_limit_still_past():
    """The trial's `riskctl unlock 1001`: "2 lockout(s) ended", each its own alert, and
    nothing said of the daily loss still past its limit."""
    desk, out = losing_step()
    out, _ = desk.engine.unlock(1001, None, "admin:ana", "checked", desk.now)
    [group] = by_step(out.lockouts)
    alert = step_alert(group, CTX)
    assert alert.title == ("🔓 Lockouts ended on Demo 1 (id 1001): daily_realized_loss, "
                           "cooldown_after_loss: ⚠️ the account is still past "
                           "daily_realized_loss"), alert.title
    assert alert.severity == "warning" and alert.kind == "lockout_end"
    assert any(line.startswith("still past daily_realized_loss (-611.18 vs -500.00)")
               for line in alert.lines), alert.lines

