"""Each window of trade_frequency_limit warns on its own, also in the step another window's
breach locks the account (docs/rules.md trade_frequency_limit, "Warnings"; warn_at: every limit
rule warns before it acts).

warn20 found it: the 4th trade in a minute (per_minute = 4) started the minute's cooldown and
also made 4 of 5 trades per day, but no per-day warning came in that step; the 5th trade,
made during the cooldown (a trade made while locked still counts), flattened and locked the
account until the roll with no warning at all. The day's and week's windows lock the account
past a cooldown, so a trade made while locked can bring their breach: they warn while locked,
also with the account flat. Still once per trading day per window.

The engine with an injected clock; trade_frequency_limit alone at the shipped limits
(etc/riskd.toml: warn_at 0.8, per_minute_cooldown 60), per_minute 4 (its warning at the 3rd,
not the same trade as the day's) and per_day 5 (off by default) set for the scenario."""
from __future__ import annotations

from tests.unit.risk.desk import ACCOUNT, NQ, SIDE_SELL, Desk, NS

WINDOWS = {"per_minute": 4, "per_minute_cooldown": 60, "per_hour": 0, "per_session": 0,
           "per_day": 5}


def desk_with(**tf) -> Desk:
    desk = Desk(trade_frequency_limit={**WINDOWS, **tf})
    desk.price(NQ, 20000)
    return desk


def three_trades(desk: Desk) -> None:
    """NQ bought 1, then 2, then 3 within two seconds: 3 of 4 per minute (warned), 3 of 5 per
    day (not yet)."""
    for size in (1, 2, 3):
        desk.filled(size, NQ, 20000)
        desk.wait(1)
    assert [w.reason for w in desk.warnings()] == [
        "trade_frequency_limit at 75% of its limit: 3 of 4 trades per minute"]


def per(window: str, desk: Desk) -> list:
    return [w for w in desk.warnings() if f"trades per {window}" in w.reason]


def cooling(desk: Desk) -> bool:
    return [lk.rule for lk in desk.engine.lockouts.all(ACCOUNT)] == ["trade_frequency_limit"]


def test_the_day_warns_in_the_step_the_minutes_breach_locks_a_position_open():
    desk = desk_with()
    three_trades(desk)
    desk.filled(2, NQ, 20000)                # the 4th trade: a partial close, NQ long 2 stays
    assert cooling(desk)
    assert [d.reason for d in desk.decisions("trade_frequency_limit")] == [
        "4 trades this minute reached the limit of 4"]
    [w] = [w for o in desk.history[-2:] for w in o.warnings]   # its Trade step, or Position's
    assert "at 80% of its limit: 4 of 5 trades per day" in w.reason, w.reason


def test_the_day_warns_in_that_step_with_the_account_flat_before_the_5th_trade_flattens():
    """Flat: nothing is left open, but the 5th trade, made during the cooldown, counts and
    flattens and locks the account until the roll: its warning comes first."""
    desk = desk_with()
    three_trades(desk)
    desk.trade("-5", contract=NQ, side=SIDE_SELL, size=3, price="20000")   # the 4th trade
    desk.flat(NQ)
    assert cooling(desk) and not desk.account.positions
    [w] = per("day", desk)
    assert "4 of 5 trades per day" in w.reason, w.reason
    desk.wait(5)
    desk.filled(1, NQ, 20000)                 # the 5th, during the cooldown
    [day] = [d for d in desk.decisions("trade_frequency_limit") if "this day" in d.reason]
    assert day.reason == "5 trades this day reached the limit of 5" and day.action == "flatten"
    assert w.ts_ns < day.ts_ns
    assert len(per("day", desk)) == 1         # once a trading day: not again at the cooldown's end
    for _ in range(20):
        desk.wait(5)
    assert len(per("day", desk)) == 1


def test_alert_mode_warns_of_the_day_in_the_step_of_the_minutes_would_be_cooldown():
    """Alert mode locks nothing: no lockout decides anything here, only the breach's step."""
    desk = desk_with(mode="alert")
    three_trades(desk)
    desk.trade("-5", contract=NQ, side=SIDE_SELL, size=3, price="20000")   # the 4th trade
    assert desk.decisions("trade_frequency_limit", acted=False), "its would-be cooldown"
    assert not desk.engine.lockouts.all(ACCOUNT)
    [w] = per("day", desk)
    assert "4 of 5 trades per day" in w.reason, w.reason


def test_an_hours_cooldown_past_the_minutes_warns_in_that_step():
    """A per-hour window reached in the same step (4 of 5 per hour) starts a 30-minute
    cooldown at its 5th trade, past the minute's 60 s: a trade made while locked still counts,
    so it warns in that step, flat, saying so (trial21c), once."""
    desk = desk_with(per_day=0, per_hour=5, per_hour_cooldown=1800)
    three_trades(desk)
    desk.trade("-5", contract=NQ, side=SIDE_SELL, size=3, price="20000")   # the 4th trade
    desk.flat(NQ)
    assert cooling(desk)
    [w] = per("hour", desk)
    assert w.reason == (
        "trade_frequency_limit at 80% of its limit: 4 of 5 trades per hour; the account is "
        "locked (timer, trade_frequency_limit), but a trade made while locked still counts: "
        "reaching this limit locks it longer"), w.reason
    for _ in range(20):
        desk.wait(5)
    assert not desk.engine.lockouts.all(ACCOUNT)
    assert len(per("hour", desk)) == 1


def test_an_hours_cooldown_ending_first_waits_for_the_minutes_cooldown_to_end():
    """The hour's cooldown (30 s) would end before the minute's (60 s): under it, on a flat
    account, the hour warns when the minute's cooldown ends, once."""
    desk = desk_with(per_day=0, per_hour=5, per_hour_cooldown=30)
    three_trades(desk)
    desk.trade("-5", contract=NQ, side=SIDE_SELL, size=3, price="20000")   # the 4th trade
    desk.flat(NQ)
    assert cooling(desk)
    assert per("hour", desk) == []
    for _ in range(20):
        desk.wait(5)
        if not desk.engine.lockouts.all(ACCOUNT):
            break
    assert not desk.engine.lockouts.all(ACCOUNT)
    [w] = per("hour", desk)
    assert "4 of 5 trades per hour" in w.reason, w.reason


def test_the_day_stays_quiet_under_a_lockout_that_lasts_past_the_roll():
    """The trader's own lockout for two days holds the account past the roll: the day's breach
    would lock it no longer (lockout enforcement closes what is bought): no warning while
    locked."""
    desk = desk_with(per_minute=0)
    three_trades_flat_unwarned(desk)
    out, refusal = desk.engine.self_lock(ACCOUNT, desk.now, until_ns=desk.now + 2 * 86400 * NS)
    assert refusal == ""
    desk.history.append(out)
    desk.filled(1, NQ, 20000)                 # the 4th trade of the day, while locked
    assert per("day", desk) == []


def three_trades_flat_unwarned(desk: Desk) -> None:
    """NQ bought 1, 2, then sold flat (no minute window): 3 of 5 per day, no warning."""
    desk.filled(1, NQ, 20000)
    desk.wait(1)
    desk.filled(2, NQ, 20000)
    desk.wait(1)
    desk.trade("-5", contract=NQ, side=SIDE_SELL, size=2, price="20000")
    desk.flat(NQ)
    desk.wait(1)
    assert desk.warnings() == []
