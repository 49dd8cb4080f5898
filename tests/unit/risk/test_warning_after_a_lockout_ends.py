"""A warning a locked account was not given comes when the lockout ends, if still due
(docs/rules.md, warn_at: "none while the account is locked out: it comes after an unlock if
still due"), also when the clock ends it.

Trial 16a (2026-12-06): Demo 2's 8th and 9th trades of the hour were made while a per-minute
cooldown locked the account; the cooldown ended by the clock with 9 of 10 trades in the hour,
no warning came, and the 10th trade started the 30-minute cooldown with no per-hour warning
that day. A count rule's next event is the trade that breaches it, so the warning has to come
with the lockout's end, not with the next event.

Since trial21c a window whose cooldown would lock the account past the lockout in force warns
while locked (tests/unit/risk/test_warnings_under_a_lockout.py): at the shipped 30-minute
per_hour_cooldown the 8th trade's step warns at once. Here the hour's cooldown is 30 s, ending
before the minute's 60 s: its breach would lock the account no longer, so its warning waits."""
from __future__ import annotations

from shared.messages.market import SIDE_BUY, SIDE_SELL
from tests.unit.risk.desk import NQ, Desk
from tests.unit.risk.test_riskd_closes_in_a_burst import result

RULE = "trade_frequency_limit"
WINDOWS = {"per_minute": 3, "per_hour": 10, "per_session": 0, "per_minute_cooldown": 60,
           "per_hour_cooldown": 30}


def hour_warnings(desk):
    return [w for w in desk.warnings() if w.rule == RULE and "per hour" in w.reason]


def nine_trades_the_last_two_under_a_minute_cooldown() -> Desk:
    desk = Desk(trade_frequency_limit=WINDOWS)
    for i in range(7):                 # 30 s apart: 2 a minute, 7 of 10 this hour
        if i:
            desk.wait(30)
        desk.trade(None, contract=NQ, side=SIDE_SELL if i % 2 else SIDE_BUY)   # in and out
    desk.wait(1)
    desk.trade("10", contract=NQ, side=SIDE_SELL)   # the 3rd within a minute: the cooldown
    desk.wait(1)
    assert desk.engine.lockouts.all(1001), "the minute's cooldown holds the account"
    desk.trade(None, contract=NQ)      # 9 of 10 this hour, made while locked: closed by riskd
    [close] = [c for c in desk.commands() if c.action == "close_position"]
    desk.wait(0.1)
    result(desk, close.id, close.action)
    assert desk.trade("-5", contract=NQ, side=SIDE_SELL).fills[0].by_riskd
    assert desk.account.trades_today == 9
    assert hour_warnings(desk) == [], "no warning while locked"
    return desk


def test_the_hours_warning_comes_when_the_cooldown_ends_by_the_clock():
    desk = nine_trades_the_last_two_under_a_minute_cooldown()
    for _ in range(90):
        desk.wait(1)
        if not desk.engine.lockouts.all(1001):
            break
    assert not desk.engine.lockouts.all(1001), "the cooldown ended by the clock"
    [w] = hour_warnings(desk)
    assert (int(w.value), int(w.limit)) == (9, 10), w
    assert "9 of 10 trades per hour" in w.reason, w.reason


def test_the_hours_warning_comes_with_an_admins_unlock():
    desk = nine_trades_the_last_two_under_a_minute_cooldown()
    out, refusal = desk.engine.unlock(1001, None, "admin:ana", "checked", desk.now)
    assert refusal == ""
    assert [(int(w.value), int(w.limit)) for w in out.warnings if w.rule == RULE
            and "per hour" in w.reason] == [(9, 10)], out.warnings


def test_no_warning_while_another_lockout_still_holds_the_account():
    desk = nine_trades_the_last_two_under_a_minute_cooldown()
    out, refusal = desk.engine.self_lock(1001, desk.now, until_ns=desk.now + 3600 * 10**9)
    assert refusal == ""
    desk.history.append(out)
    desk.wait(90)                     # the cooldown ends; the trader's own lockout holds
    assert hour_warnings(desk) == []
