"""An unlock says when the account is still past a limit that locks it again at its next trade
(fresh-user trial: `riskctl unlock 1001` answered "2 lockout(s) ended"; six seconds later the
next trade was flattened and re-locked by daily_realized_loss, -614.03 vs -500, until Mon
17:00). Right behaviour (the limit is the trader's; RULES.md: an unlock ends lockouts, not
limits), now said beforehand, in the unlock's change (its alert) and risk's answer."""
from services.notify.templates import Context, build
from services.risk.pastlimits import still_past
from shared.pastwords import past_words
from tests.unit.risk.desk import CHI, MNQ, NQ, SIDE_SELL, Desk


def test_an_unlock_past_the_daily_loss_limit_says_the_next_trade_locks_it_again():
    desk = Desk(daily_realized_loss={"limit": 500},
                cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 300}]})
    desk.long(1, MNQ, 21000)
    desk.trade("-614.03", contract=NQ, side=SIDE_SELL)
    assert len(desk.engine.lockouts.all()) == 2
    out, refusal = desk.engine.unlock(1001, None, "admin:ana", "checked", desk.now)
    assert refusal == ""
    assert [c.still_past for c in out.lockouts][0] == []       # said once, on the last
    [past] = out.lockouts[-1].still_past
    assert (past.rule, str(past.value), str(past.limit)) == (
        "daily_realized_loss", "-614.03", "-500")
    assert past.until_ns == desk.engine.calendar.next_roll(desk.now)
    alert = build(out.lockouts[-1], Context(tz=CHI, accounts={1001: "Demo 1"}))
    assert ("still past daily_realized_loss (-614.03 vs -500.00): its next trade will be "
            "flattened and the account locked again until Wed 17:00 CST") in alert.lines, \
        alert.lines
    assert alert.severity == "warning" and alert.title.endswith(
        "the account is still past daily_realized_loss"), alert.title
    # and it does: the next trade is a breach again, locked until the roll (its flatten is
    # the one still in flight here)
    out = desk.trade("-1", contract=NQ, side=SIDE_SELL)
    assert [(d.rule, d.action) for d in out.decisions][0] == ("daily_realized_loss", "flatten")
    assert [(c.change, c.lockout.rule, c.lockout.until_ns) for c in out.lockouts][0] == (
        "added", "daily_realized_loss", past.until_ns)


def test_an_unlock_within_every_limit_says_nothing_more():
    desk = Desk(daily_realized_loss={"limit": 500},
                cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 300}]})
    desk.trade("-150", contract=NQ, side=SIDE_SELL)
    out, _ = desk.engine.unlock(1001, None, "admin:ana", "checked", desk.now)
    assert [c.still_past for c in out.lockouts] == [[]]
    assert not any("still past" in line for line in build(
        out.lockouts[-1], Context(tz=CHI)).lines)


def test_the_day_trade_count_and_the_net_loss_line_are_limits_past_too():
    desk = Desk(trade_frequency_limit={"per_minute": 0, "per_hour": 0, "per_session": 0,
                                       "per_day": 2},
                daily_net_loss={"limit": 300})
    desk.trade(None, contract=NQ)
    desk.trade("-350", contract=NQ, side=SIDE_SELL)
    rules = {p.rule: p for p in still_past(desk.engine, 1001, desk.now)}
    assert set(rules) == {"trade_frequency_limit", "daily_net_loss"}
    assert rules["daily_net_loss"].on_quote
    assert "its next trade or price move will be flattened" in past_words(
        rules["daily_net_loss"], "")
    assert past_words(rules["trade_frequency_limit"], "Mon 17:00 CST") == (
        "still past trade_frequency_limit (2 vs 2): its next trade will be flattened and the "
        "account locked again until Mon 17:00 CST")
