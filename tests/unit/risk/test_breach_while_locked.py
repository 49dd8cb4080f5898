"""A rule that breaches under a lockout another rule holds is recorded once, with no new
action (RULES.md: each breach records rule, numbers, action and lockout; a breach while the
same lockout is active does not stack a second action). Fresh-user trial: Demo 1 showed
daily_realized_loss at 122 % with no history line or alert (daily_net_loss held the lockout
until the roll), and a self-lockout's flatten realized a -102.80 loss on 1003 (cooldown tier
100) with no cooldown line, while a cooldown shorter than an until-reset lockout was recorded
and alerted: the same kind of breach, recorded or not by which lockout happened to hold."""
from services.notify.templates import Context, build
from tests.unit.risk.desk import CHI, MNQ, NQ, NS, SIDE_SELL, Desk

COOLDOWN = {"tiers": [{"loss": 100, "seconds": 300}], "flatten": True}


def test_a_loss_rule_past_its_limit_under_another_rules_lockout_is_recorded_once():
    desk = Desk(daily_realized_loss={"limit": 500}, daily_net_loss={"limit": 400})
    desk.long(1, MNQ, 21000)
    out = desk.trade("-450", contract=NQ, side=SIDE_SELL)     # daily_net_loss: flatten, lock
    assert [d.rule for d in out.decisions] == ["daily_net_loss"]
    out = desk.trade("-161.18", contract=NQ, side=SIDE_SELL)  # realized -611.18 vs -500
    [d] = out.decisions
    assert d.rule == "daily_realized_loss" and d.suppressed.startswith(
        "locked already, no new action"), d
    assert "daily_net_loss" in d.suppressed
    assert out.commands == [] and out.lockouts == []
    # no lockout was taken (out.lockouts is empty), so history's WHAT does not name one (trial
    # 2026-12-05: "flatten not sent: locked already ...; lock the account until the roll")
    assert d.what.startswith("flatten not sent: locked already") and "; lock" not in d.what, d
    assert str(d.value) == "-611.18" and str(d.limit) == "-500"
    alert = build(d, Context(tz=CHI, accounts={1001: "Demo 1"}))
    assert "value -611.18 vs limit -500.00" in alert.lines
    assert any(line.startswith("nothing sent: locked already") for line in alert.lines)
    out = desk.trade("-5", contract=NQ, side=SIDE_SELL)        # the same breach: not again
    assert out.decisions == [] and out.commands == []


def test_a_cooldown_from_a_self_lockouts_flatten_is_recorded_under_the_longer_self_lockout():
    desk = Desk(cooldown_after_loss=COOLDOWN)
    desk.long(1, MNQ, 21000)
    out, _ = desk.engine.self_lock(1001, desk.now, until_ns=desk.now + 3600 * NS)
    [flatten] = out.commands
    out = desk.trade("-102.80", contract=MNQ, side=SIDE_SELL)  # the flatten's close
    [d] = out.decisions
    assert d.rule == "cooldown_after_loss" and "self_lockout" in d.what, d
    assert d.suppressed and out.commands == []
    # the cooldown is a row of its own under the self-lockout, as under a rule's until-reset
    # lockout; the self-lockout's row is left as it was
    mine, cooldown = desk.engine.lockouts.all()
    assert (mine.rule, mine.until_ns, mine.reason) == \
        ("self_lockout", desk.now + 3600 * NS, "locked by the trader")
    assert (cooldown.rule, cooldown.until_ns) == ("cooldown_after_loss", desk.now + 300 * NS)
    [change] = out.lockouts
    assert change.lockout == cooldown and change.over == mine


def restarted_under_a_lockout(tmp_path):
    """daily_net_loss locked the account, daily_realized_loss's breach was recorded under it;
    then risk restarted from its store: (the new desk, its open store; the caller closes it)."""
    from services.risk.store import Store
    rules = dict(daily_realized_loss={"limit": 500}, daily_net_loss={"limit": 400})
    desk = Desk(**rules)
    store, _ = Store.open(str(tmp_path))
    desk.long(1, MNQ, 21000)
    store.commit(desk.trade("-450", contract=NQ, side=SIDE_SELL), desk.engine)
    store.commit(desk.trade("-161.18", contract=NQ, side=SIDE_SELL), desk.engine)
    store.close()
    later = Desk(**rules)
    store, _ = Store.open(str(tmp_path))
    store.load(later.engine, later.now)
    return later, store


def test_a_recorded_breach_under_a_lockout_is_not_recorded_again_after_a_restart(tmp_path):
    later, store = restarted_under_a_lockout(tmp_path)
    out = later.trade("-5", contract=NQ, side=SIDE_SELL, trade_id=99)
    assert out.decisions == [] and out.commands == []
    store.close()


def test_status_says_why_a_limit_past_100_percent_has_no_action_while_locked():
    from services.risk.views import rule_values
    desk = Desk(daily_realized_loss={"limit": 500}, daily_net_loss={"limit": 400})
    desk.long(1, MNQ, 21000)
    desk.trade("-450", contract=NQ, side=SIDE_SELL)
    desk.trade("-161.18", contract=NQ, side=SIDE_SELL)
    values = {v.rule: v for v in rule_values(desk.engine, 1001, desk.now)}
    assert values["daily_realized_loss"].progress > 1
    assert values["daily_realized_loss"].detail.endswith("; locked already, no new action")
    # the rule whose lockout that is says so (trial: "locked already" against it too)
    assert values["daily_net_loss"].detail.endswith("; locked by this rule"), values
    desk.engine.unlock(1001, None, "admin", "test", desk.now)
    values = {v.rule: v for v in rule_values(desk.engine, 1001, desk.now)}
    assert "locked already" not in values["daily_realized_loss"].detail


def test_the_alert_of_a_breach_under_a_longer_lockout_does_not_give_its_own_end_as_the_end():
    desk = Desk(cooldown_after_loss=COOLDOWN)
    desk.long(1, MNQ, 21000)
    desk.engine.self_lock(1001, desk.now, until_ns=desk.now + 3600 * NS)
    out = desk.trade("-102.80", contract=MNQ, side=SIDE_SELL)
    # the cooldown is a lockout of its own (as under a rule's lockout): the step's one alert
    # leads with the account's real end, the self-lockout's, and the cooldown's as "also"
    from services.notify.steps import step_alert
    alert = step_alert([*out.lockouts, *out.decisions],
                       Context(tz=CHI, accounts={1001: "Demo 1"}))
    assert alert.title == ("🔒 Demo 1 (id 1001) locked until Wed 10:00 CST (self_lockout); "
                           "cooldown_after_loss also until Wed 09:05 CST"), alert.title
    [change] = out.lockouts                          # alone, its alert says the same
    alone = build(change, Context(tz=CHI, accounts={1001: "Demo 1"}))
    assert alone.title.startswith("🔒 Demo 1 (id 1001) locked until Wed 10:00 CST (self_lockout)"), alone
