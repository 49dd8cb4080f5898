"""Extending a lockout keeps the reason it started with (fresh-user trial: a trader's "on tilt"
self-lockout, extended with `riskctl lockout --until 4h` and no --reason, was shown as
"self-lockout by ana": the CLI's default replaced the trader's own words)."""
from __future__ import annotations

from services.notify.templates import Context, build
from services.risk.lockouts import extended_reason
from tests.unit.risk.desk import CHI, MNQ, NQ, NS, SIDE_BUY, SIDE_SELL, Desk


def lock(desk, hours, reason):
    out, refusal = desk.engine.self_lock(1001, desk.now, until_ns=desk.now + hours * 3600 * NS,
                                         reason=reason)
    assert refusal == ""
    return out


def test_an_extension_keeps_the_traders_reason_and_shows_the_new_one_beside_it():
    desk = Desk()
    lock(desk, 1, "on tilt")
    out = lock(desk, 4, "self-lockout by ana")          # riskctl lockout's default reason
    [change] = out.lockouts
    assert change.change == "extended"
    assert change.reason == change.lockout.reason == "on tilt; extended: self-lockout by ana"
    [held] = desk.engine.lockouts.all(1001)
    assert held.reason == "on tilt; extended: self-lockout by ana"
    alert = build(change, Context(tz=CHI, accounts={1001: "SIM-1"}))
    assert "on tilt; extended: self-lockout by ana" in alert.lines, alert.lines
    lock(desk, 5, "still tilted")                       # only the latest extension is kept
    [held] = desk.engine.lockouts.all(1001)
    assert held.reason == "on tilt; extended: still tilted"


def test_the_same_reason_or_none_keeps_the_original_as_it_is():
    assert extended_reason("on tilt", "on tilt") == "on tilt"
    assert extended_reason("on tilt", "") == "on tilt"
    assert extended_reason("on tilt; extended: x", "x") == "on tilt; extended: x"
    assert extended_reason("on tilt; extended: x", "on tilt") == "on tilt; extended: x"
    assert extended_reason("", "why") == "why"


def three_trades_then_a_loss() -> Desk:
    """trade_frequency_limit's 1-minute cooldown (3 buys), then, 10 s later, a close losing
    113.90 inside it: cooldown_after_loss (5 minutes) takes over the same lockout (one key)."""
    desk = Desk(trade_frequency_limit={"per_minute": 3, "per_minute_cooldown": 60},
                cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 300}],
                                     "flatten": False})
    desk.trade(None, contract=NQ, side=SIDE_BUY, size=1, price=20000)
    desk.trade(None, contract=NQ, side=SIDE_BUY, size=1, price=20000)
    desk.trade(None, contract=MNQ, side=SIDE_BUY, size=1, price=20000)
    [held] = desk.engine.lockouts.all(1001)
    assert held.rule == "trade_frequency_limit"
    desk.wait(10)
    desk.trade("-113.90", contract=NQ, side=SIDE_SELL, size=1, price=19990)
    return desk


def test_a_timer_extended_by_another_rule_names_both_rules_the_one_in_force_first():
    """Trial: `riskctl lockouts` showed rule cooldown_after_loss beside "3 trades this minute
    reached the limit of 3; extended: one trade lost 113.90 ..." (trade_frequency_limit's
    words): the row's rule and its reason named different rules."""
    desk = three_trades_then_a_loss()
    [held] = desk.engine.lockouts.all(1001)
    assert held.rule == "cooldown_after_loss" and held.until_ns == desk.now + 300 * NS
    assert held.reason == ("closing fill lost 113.90 (tier 100.00): cooldown 5m00s; started by "
                           "trade_frequency_limit: 3 trades this minute reached the limit of 3")
    change = desk.lockout_changes()[-1]
    assert change.change == "extended" and change.reason == held.reason
    alert = build(change, Context(tz=CHI, accounts={1001: "Demo 1"}))
    assert "rule cooldown_after_loss, by rule" in alert.lines
    assert held.reason in alert.lines


def test_a_rule_extending_a_self_lockout_keeps_the_traders_words_with_the_rule_named():
    from services.risk.lockouts import taken_over_reason
    assert taken_over_reason("self_lockout", "on tilt; extended: still", "cooldown_after_loss",
                             "one trade lost 300") == \
        "one trade lost 300; started by self_lockout: on tilt"
    twice = taken_over_reason("cooldown_after_loss",
                              "one trade lost 300; started by self_lockout: on tilt",
                              "trade_frequency_limit", "10 trades this hour")
    assert twice == "10 trades this hour; started by self_lockout: on tilt"
