"""A lockout that leaves positions open does not silence the warning of a rule that can still
act on them (docs/rules.md, warn_at): its warning comes as it would unlocked, once a trading
day; a warning whose breach could only lock the account again waits for the lockout's end.

Fresh-user trial 20a, section 5: Demo 1 was in trade_frequency_limit's cooldown (it keeps
positions). MNQ long 2 went to 74 %, then 94 % of daily_unrealized_loss and was closed at its
line: no warning at all, because warnings were held back "while the account is locked out".

Each rule kind, under that cooldown (three trades in a minute, 60 s), with a position the
lockout left open (warns) and with nothing left open (no warning while locked: the account
flat, or riskd's own flatten closing what was held), except the limits whose breach locks the
account until the roll, past the cooldown: a trade made while locked still counts, so they
warn also flat, saying why (warn21: daily_realized_loss, daily_realized_profit,
daily_net_loss, drawdown_guard stayed quiet on a flat account under a cooldown, and the next
trade made while locked could lock the account to the roll unwarned); under a lockout lasting
to the roll or longer they stay quiet. The engine with an injected clock; only
the rules each scenario needs are on (tests/unit/risk/desk.py), at the shipped limits
(etc/riskd.toml: warn_at 0.8)."""
from __future__ import annotations

import pytest

from tests.unit.risk.desk import ACCOUNT, MNQ, NQ, NS, SIDE_SELL, Desk
from tests.unit.risk.test_riskd_closes_in_a_burst import result

# the shipped per-minute window and cooldown; the others off: one lockout in each scenario
COOLDOWN = {"per_minute": 3, "per_minute_cooldown": 60, "per_hour": 0, "per_session": 0}
NO_STOP = {"grace_seconds": 10}


def desk_with(**rules) -> Desk:
    """The rules under test beside trade_frequency_limit's cooldown (its own settings given
    in rules win); prices quoted."""
    tf = {**COOLDOWN, **rules.pop("trade_frequency_limit", {})}
    desk = Desk(trade_frequency_limit=tf, **rules)
    desk.price(MNQ, 21000)
    desk.price(NQ, 20000)
    return desk


def cooldown_keeping_mnq(desk: Desk, pnl: str = "-5") -> None:
    """MNQ long 2 at 21000 bought, NQ in and out (its exit realizes `pnl`): the third trade
    in a minute starts the cooldown, MNQ long 2 stays open."""
    desk.filled(2, MNQ, 21000)
    desk.wait(1)
    desk.filled(1, NQ, 20000)
    desk.wait(1)
    desk.trade(pnl, contract=NQ, side=SIDE_SELL, price="20000")
    desk.flat(NQ)
    assert_cooling(desk)


def three_trades_flat(desk: Desk, pnl: str = "-5") -> None:
    """NQ bought, added to, sold (its exit realizes `pnl`): three trades in a minute, the
    account flat."""
    desk.filled(1, NQ, 20000)
    desk.wait(1)
    desk.filled(2, NQ, 20000)
    desk.wait(1)
    desk.trade(pnl, contract=NQ, side=SIDE_SELL, size=2, price="20000")
    desk.flat(NQ)
    assert not desk.account.positions


def cooldown_flat(desk: Desk, pnl: str = "-5") -> None:
    """three_trades_flat: the third starts the cooldown."""
    three_trades_flat(desk, pnl)
    assert_cooling(desk)


def assert_cooling(desk: Desk) -> None:
    """A cooldown that keeps positions holds the account (trade_frequency_limit's, or
    cooldown_after_loss's with flatten = false)."""
    assert [lk.rule for lk in desk.engine.lockouts.all(ACCOUNT)] in (
        ["trade_frequency_limit"], ["cooldown_after_loss"]), desk.engine.lockouts.all(ACCOUNT)


def warned(desk: Desk, rule: str) -> list:
    return [w for w in desk.warnings() if w.rule == rule]


def until_free(desk: Desk, to_the_roll: bool = False, minutes: int = 10) -> None:
    """The clock runs until the cooldown ends by itself (5 s steps, up to `minutes`);
    to_the_roll: until only a lockout to the roll holds the account."""
    for _ in range(12 * minutes):
        desk.wait(5)
        if [lk.kind for lk in desk.engine.lockouts.all(ACCOUNT)] == (
                ["until_reset"] if to_the_roll else []):
            return
    raise AssertionError("the cooldown did not end")


def self_locked_with_mnq_closing(desk: Desk) -> None:
    """MNQ long 2 held; the trader locks the account for an hour: riskd's flatten closes MNQ
    (its close still without an answer)."""
    desk.filled(2, MNQ, 21000)
    out, refusal = desk.engine.self_lock(ACCOUNT, desk.now, until_ns=desk.now + 3600 * 10**9)
    assert refusal == ""
    desk.history.append(out)
    assert [c.action for c in out.commands] == ["flatten"], out.commands


# -- daily_unrealized_loss, max_unrealized_profit: a position's open PnL closes that position

@pytest.mark.parametrize("scope", ["position", "account"])
def test_a_position_the_cooldown_keeps_is_warned_of_before_its_close(scope):
    desk = desk_with(daily_unrealized_loss={"limit": 200, "scope": scope})
    cooldown_keeping_mnq(desk)
    desk.wait(1)
    assert desk.price(MNQ, "20963.25").warnings == []        # -147.00: 74 %
    desk.wait(1)
    [w] = desk.price(MNQ, "20953").warnings                  # -188.00: 94 %, still locked
    assert_cooling(desk)
    assert w.rule == "daily_unrealized_loss" and "at 94% of its limit" in w.reason, w.reason
    desk.wait(1)
    desk.price(MNQ, "20946")                                 # -216.00: past the line
    assert [d.action for d in desk.decisions("daily_unrealized_loss")] == [
        "close_position" if scope == "position" else "flatten"]
    assert len(warned(desk, "daily_unrealized_loss")) == 1


def test_the_warning_given_while_locked_is_not_given_again_that_day():
    desk = desk_with(daily_unrealized_loss={"limit": 200})
    cooldown_keeping_mnq(desk)
    desk.wait(1)
    [w] = desk.price(MNQ, "20955").warnings                  # -180.00: 90 %, while locked
    assert_cooling(desk)
    desk.wait(1)
    desk.price(MNQ, "20990")                                 # back to -40.00
    until_free(desk)
    desk.wait(1)
    desk.price(MNQ, "20955")                                 # 90 % again, unlocked
    assert len(warned(desk, "daily_unrealized_loss")) == 1, warned(desk, "daily_unrealized_loss")


def test_max_unrealized_profit_warns_of_the_position_the_cooldown_keeps():
    desk = desk_with(max_unrealized_profit={"target": 300})
    cooldown_keeping_mnq(desk)
    desk.wait(1)
    [w] = desk.price(MNQ, "21065").warnings                  # +260.00: 87 %
    assert w.rule == "max_unrealized_profit", w


def test_no_warning_of_a_position_riskds_flatten_is_closing():
    desk = desk_with(daily_unrealized_loss={"limit": 200})
    self_locked_with_mnq_closing(desk)
    desk.wait(1)
    assert desk.price(MNQ, "20953").warnings == []           # 94 %: riskd closes it already


# -- daily_realized_loss, daily_realized_profit: a fill's realized PnL flattens ---------------

def test_the_loss_of_the_fill_that_starts_the_cooldown_warns_while_a_position_stays():
    desk = desk_with(daily_realized_loss={"limit": 500})
    cooldown_keeping_mnq(desk, pnl="-410")                   # 82 %; MNQ long 2 stays open
    [w] = warned(desk, "daily_realized_loss")
    assert "at 82% of its limit" in w.reason, w.reason


def test_the_loss_that_leaves_the_account_flat_warns_while_locked():
    """warn21: flat under the cooldown, the next trade, made while locked, still counts: riskd
    closes it, realizing its loss, and daily_realized_loss flattens and locks the account
    until the roll, past the cooldown. Its warning comes first, while locked, and says why;
    once a trading day (not again at the cooldown's end)."""
    desk = desk_with(daily_realized_loss={"limit": 500})
    cooldown_flat(desk, pnl="-410")
    [w] = warned(desk, "daily_realized_loss")                # in the step the cooldown starts
    assert w.reason == (
        "daily_realized_loss at 82% of its limit: realized -410.00 of -500.00; the account is "
        "locked (timer, trade_frequency_limit), but a trade made while locked still counts: "
        "reaching this limit flattens it and locks it until the roll"), w.reason
    desk.wait(5)
    losing_trade_while_locked(desk, "-100")                 # realized -510.00
    [d] = desk.decisions("daily_realized_loss")
    assert d.action == "flatten" and w.ts_ns < d.ts_ns
    until_free(desk, to_the_roll=True)
    assert len(warned(desk, "daily_realized_loss")) == 1     # once a trading day


def test_the_warning_given_while_locked_is_not_given_again_at_the_cooldowns_end():
    desk = desk_with(daily_realized_loss={"limit": 500})
    cooldown_flat(desk, pnl="-410")
    until_free(desk)
    desk.wait(5)
    desk.trade("-1", contract=NQ)
    assert len(warned(desk, "daily_realized_loss")) == 1     # once a trading day


def test_the_loss_under_cooldown_after_loss_warns_while_locked():
    """The loss that starts cooldown_after_loss's cooldown (flatten = true: the account is
    flat) leaves the account at 82 % of daily_realized_loss: warned in that step."""
    desk = desk_with(trade_frequency_limit={"per_minute": 0},
                     cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 300}]},
                     daily_realized_loss={"limit": 500})
    three_trades_flat(desk, pnl="-410")
    assert_cooling(desk)
    [w] = warned(desk, "daily_realized_loss")
    assert w.reason.endswith(
        "; the account is locked (timer, cooldown_after_loss), but a trade made while locked "
        "still counts: reaching this limit flattens it and locks it until the roll"), w.reason


def test_a_limit_in_alert_mode_says_its_breach_is_only_recorded():
    """Alert mode closes and locks nothing: its warning under the cooldown says so, never
    "flattens it and locks it"."""
    desk = desk_with(daily_realized_loss={"limit": 500, "mode": "alert"})
    cooldown_flat(desk, pnl="-410")
    [w] = warned(desk, "daily_realized_loss")
    assert w.reason.endswith(
        "a trade made while locked still counts: reaching this limit is recorded (alert "
        "mode: nothing is closed or locked)"), w.reason


def test_daily_realized_profit_of_a_flat_account_warns_while_locked():
    desk = desk_with(daily_realized_profit={"target": 1000})
    cooldown_flat(desk, pnl="850")
    [w] = warned(desk, "daily_realized_profit")
    assert "at 85% of its target" in w.reason and "still counts" in w.reason, w.reason
    assert "reaching this target flattens it" in w.reason, w.reason


@pytest.mark.parametrize("hours,warns", [(1, True), (48, False)])
def test_under_the_traders_own_lockout_only_one_ending_before_the_roll_warns(hours, warns):
    """No cooldown: the trader locks the flat account; a trade made while locked, closed by
    riskd at a loss, brings 84 % of daily_realized_loss. Locked for an hour, its breach would
    lock the account longer: warned, saying so. Locked for two days, past the roll: its breach
    would lock it no longer, no warning while locked."""
    desk = desk_with(trade_frequency_limit={"per_minute": 0},
                     daily_realized_loss={"limit": 500})
    three_trades_flat(desk, pnl="-300")                     # 60 %: no warning
    out, refusal = desk.engine.self_lock(ACCOUNT, desk.now, until_ns=desk.now + hours * 3600 * NS)
    assert refusal == ""
    desk.history.append(out)
    desk.wait(1)
    losing_trade_while_locked(desk, "-120")                 # realized -420.00: 84 %
    said = [w.reason for w in warned(desk, "daily_realized_loss")]
    assert said == ([
        "daily_realized_loss at 84% of its limit: realized -420.00 of -500.00; the account "
        "is locked (self-lockout), but a trade made while locked still counts: reaching this "
        "limit flattens it and locks it until the roll"] if warns else []), said


def test_no_warning_in_the_step_that_locks_to_the_roll():
    """The fill that breaches daily_realized_loss locks the account until the roll: the
    daily_net_loss warning that fill brings is not given while locked (its breach would lock
    the account no longer)."""
    desk = desk_with(trade_frequency_limit={"per_minute": 0},
                     daily_realized_loss={"limit": 500}, daily_net_loss={"limit": 600})
    three_trades_flat(desk, pnl="-510")                     # net -510.00: 85 % of 600
    assert [d.action for d in desk.decisions("daily_realized_loss")] == ["flatten"]
    assert warned(desk, "daily_net_loss") == []


def losing_trade_while_locked(desk: Desk, pnl: str) -> None:
    """NQ bought 1 while the account is locked: lockout enforcement closes it, and riskd's
    close realizes `pnl` (a trade made while locked still counts)."""
    desk.filled(1, NQ, 20000)
    [close] = [c for c in desk.commands() if c.action == "close_position"][-1:]
    result(desk, close.id, close.action)
    assert desk.trade(pnl, contract=NQ, side=SIDE_SELL).fills[0].by_riskd
    desk.flat(NQ)


def test_daily_realized_profit_warns_while_a_position_stays():
    desk = desk_with(daily_realized_profit={"target": 1000})
    cooldown_keeping_mnq(desk, pnl="850")
    [w] = warned(desk, "daily_realized_profit")
    assert "at 85% of its target" in w.reason, w.reason


# -- daily_net_loss, drawdown_guard: the account's figure flattens ---------------------------

def test_daily_net_loss_warns_of_the_open_loss_the_cooldown_keeps():
    desk = desk_with(daily_net_loss={"limit": 600})
    cooldown_keeping_mnq(desk)                               # realized -5.00
    desk.wait(1)
    [w] = desk.price(MNQ, "20880").warnings                  # open -480.00: net -485.00, 81 %
    assert w.rule == "daily_net_loss" and "at 81% of its limit" in w.reason, w.reason


def test_daily_net_loss_of_a_flat_account_warns_while_locked():
    desk = desk_with(daily_net_loss={"limit": 600})
    cooldown_flat(desk, pnl="-500")                          # 83 %, flat
    [w] = warned(desk, "daily_net_loss")
    assert "at 83% of its limit" in w.reason and "still counts" in w.reason, w.reason
    until_free(desk)
    assert len(warned(desk, "daily_net_loss")) == 1


# the firm's line given: no note asking to check it (a warning of its own)
DRAWDOWN = {"max_loss": 2000, "buffer": 100, "starting_balance": 50000, "line": 48000}


def test_drawdown_guard_warns_of_the_open_loss_the_cooldown_keeps():
    desk = desk_with(drawdown_guard=DRAWDOWN)
    cooldown_keeping_mnq(desk, pnl="0")
    desk.wait(1)
    [w] = desk.price(MNQ, "20600").warnings                  # open -1,600.00: 84 % of its room
    assert w.rule == "drawdown_guard" and "at 84% of its limit" in w.reason, w.reason


def test_drawdown_guard_of_a_flat_account_warns_while_locked():
    desk = desk_with(drawdown_guard=DRAWDOWN)
    cooldown_flat(desk, pnl="0")
    desk.wait(1)
    desk.can_trade(True, balance=48400)                      # 84 % of its room, flat
    [w] = warned(desk, "drawdown_guard")
    assert "at 84% of its limit" in w.reason and "still counts" in w.reason, w.reason
    until_free(desk)
    assert len(warned(desk, "drawdown_guard")) == 1


def test_the_phone_says_the_account_is_locked_and_why_the_warning_matters():
    """The warning's alert: its reading, then a line saying the account is locked and that a
    trade made while locked still counts (docs/alerts.md, the yellow row)."""
    from services.notify.templates import Context, warning_alert
    from tests.unit.risk.desk import CHI
    desk = desk_with(drawdown_guard=DRAWDOWN)
    cooldown_flat(desk, pnl="0")
    desk.wait(1)
    desk.can_trade(True, balance=48400)
    [w] = warned(desk, "drawdown_guard")
    alert = warning_alert(w, Context(tz=CHI, accounts={ACCOUNT: "Demo 1"}))
    assert alert.title == "🟡 drawdown_guard at 84% of its limit on Demo 1 (id 1001)"
    assert alert.lines == (
        "equity 48,400.00, acts at 48,100.00 (line 48,000.00 + buffer 100.00)",
        "the account is locked (timer, trade_frequency_limit), but a trade made while locked "
        "still counts: reaching this limit flattens it and locks it until the roll"), alert.lines


# -- no_stop_loss_grace: a position with no stop is closed at the grace's end ----------------

def test_a_position_the_cooldown_keeps_is_warned_of_before_its_grace_ends():
    desk = desk_with(no_stop_loss_grace=NO_STOP)
    opened = desk.now
    cooldown_keeping_mnq(desk)                               # MNQ long 2, no stop, 2 s old
    for _ in range(9):
        desk.wait(1)
    [w] = warned(desk, "no_stop_loss_grace")
    assert_cooling(desk)
    assert w.ts_ns - opened == 8 * 10**9, "at 8 s of the 10"
    desk.wait(2)
    assert [d.action for d in desk.decisions("no_stop_loss_grace")] == ["close_position"]


def test_no_grace_warning_of_a_position_riskds_flatten_is_closing():
    desk = desk_with(no_stop_loss_grace=NO_STOP)
    self_locked_with_mnq_closing(desk)
    for _ in range(12):
        desk.wait(1)
    assert warned(desk, "no_stop_loss_grace") == []


# -- max_contracts, max_contracts_per_instrument: a lockout cuts what is added ---------------

@pytest.mark.parametrize("rule,params", [
    ("max_contracts", {"limit": 5}),
    ("max_contracts_per_instrument", {"limits": {"NQ": 5}}),
])
def test_a_size_rule_waits_for_the_cooldowns_end(rule, params):
    """Its count cannot grow while locked (lockout enforcement cuts every contract added), so
    nothing it could act on: its warning comes when the cooldown ends."""
    desk = desk_with(**{rule: params})
    desk.filled(1, NQ, 20000)
    desk.wait(1)
    desk.filled(2, NQ, 20000)
    desk.wait(1)
    desk.filled(4, NQ, 20000)          # the 3rd trade: the cooldown; 4 of 5 held
    assert_cooling(desk)
    assert warned(desk, rule) == []
    until_free(desk)
    [w] = warned(desk, rule)
    assert "at 80% of its limit" in w.reason, w.reason


# -- trade_frequency_limit: the day's limit flattens, a window's cooldown only locks ----------

# a 5-minute cooldown, the 4th trade made when the minute's window has moved on: a trade
# past the minute's limit is a breach of the rule, and no window warns with its own breach
LONG_COOLDOWN = {"per_minute_cooldown": 300}


def test_the_days_trade_count_warns_while_a_position_stays():
    desk = desk_with(trade_frequency_limit={"per_day": 5, **LONG_COOLDOWN})
    cooldown_keeping_mnq(desk)
    desk.wait(61)
    desk.filled(1, MNQ, 21000)         # the 4th trade, a partial close made while locked
    assert_cooling(desk)
    [w] = [w for w in warned(desk, "trade_frequency_limit") if "per day" in w.reason]
    assert "4 of 5 trades per day" in w.reason, w.reason


def test_the_days_trade_count_of_a_flat_account_warns_while_locked():
    """Flat, nothing left open: the next trade made during the cooldown still counts, and
    the 5th flattens and locks the account until the roll, past the cooldown (warnwin20:
    tests/unit/risk/test_each_window_warns.py). Once: not again at the cooldown's end."""
    desk = desk_with(trade_frequency_limit={"per_day": 5, **LONG_COOLDOWN})
    cooldown_flat(desk)
    desk.wait(61)
    desk.filled(1, NQ, 20000)          # the 4th trade, made while locked: riskd closes it
    [close] = [c for c in desk.commands() if c.action == "close_position"]
    result(desk, close.id, close.action)
    assert desk.trade("-5", contract=NQ, side=SIDE_SELL).fills[0].by_riskd
    desk.flat(NQ)
    [w] = [w for w in warned(desk, "trade_frequency_limit") if "per day" in w.reason]
    assert "4 of 5 trades per day" in w.reason, w.reason
    until_free(desk)
    assert len([w for w in warned(desk, "trade_frequency_limit") if "per day" in w.reason]) == 1


def hour_desk(hour_cooldown: int, flatten: bool = False) -> Desk:
    """per_hour 5 (its warning at the 4th trade), flatten = false (shipped): the hour's 5th
    trade only starts its cooldown; cooldown_after_loss's cooldown (30 minutes, flatten =
    true) holds the account, as in trial21c."""
    return desk_with(trade_frequency_limit={"per_minute": 0, "per_hour": 5,
                                            "per_hour_cooldown": hour_cooldown,
                                            "flatten": flatten},
                     cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 1800}]})


def hours_fourth_trade_while_locked(desk: Desk) -> None:
    """Three trades, the third's loss starting cooldown_after_loss's cooldown (the account
    flat), then the hour's 4th: NQ bought while locked, closed by riskd (not counted)."""
    three_trades_flat(desk, pnl="-150")
    assert_cooling(desk)
    desk.wait(60)
    losing_trade_while_locked(desk, "-5")
    assert_cooling(desk)


def test_a_windows_cooldown_past_the_lockout_warns_while_locked():
    """Trial21c, finding 5: under cooldown_after_loss's cooldown the hour's 10th trade, made
    while locked, started the hour's 30-minute cooldown and lengthened the lockout by 6
    minutes, with no warning at 8 or 9 of 10. A trade made while locked still counts: the
    hour's next breach would lock the account past the cooldown in force (30 minutes from
    that trade, 29 minutes left of this one), so its warning comes while locked, saying so,
    once (not again at the lockout's end)."""
    desk = hour_desk(1800)
    hours_fourth_trade_while_locked(desk)
    said = [w.reason for w in warned(desk, "trade_frequency_limit")]
    assert said == [
        "trade_frequency_limit at 80% of its limit: 4 of 5 trades per hour; the account is "
        "locked (timer, cooldown_after_loss), but a trade made while locked still counts: "
        "reaching this limit locks it longer"], said
    desk.wait(5)
    losing_trade_while_locked(desk, "-5")            # the hour's 5th, while locked
    [d] = desk.decisions("trade_frequency_limit", acted=False)
    assert d.reason.startswith("5 trades this hour reached the limit of 5"), d.reason
    ends = [lk.until_ns for lk in desk.engine.lockouts.all(ACCOUNT)]
    assert max(ends) == d.ts_ns + 1800 * NS, ends    # past cooldown_after_loss's end
    until_free(desk, minutes=35)
    assert len(warned(desk, "trade_frequency_limit")) == 1


def test_a_window_with_flatten_says_it_flattens_too():
    """flatten = true: the hour's 5th trade would also flatten the account."""
    desk = hour_desk(1800, flatten=True)
    hours_fourth_trade_while_locked(desk)
    [w] = warned(desk, "trade_frequency_limit")
    assert w.reason.endswith("reaching this limit flattens it and locks it longer"), w.reason


def test_a_windows_cooldown_ending_before_the_lockout_waits_for_its_end():
    """The hour's cooldown of 10 minutes would end before the 29 minutes left of the
    cooldown in force: its breach would lock the account no longer, so its warning waits for
    the lockout's end, if still due (warn_freed)."""
    desk = hour_desk(600)
    hours_fourth_trade_while_locked(desk)
    assert warned(desk, "trade_frequency_limit") == []
    until_free(desk, minutes=30)
    assert [w.reason for w in warned(desk, "trade_frequency_limit")] == [
        "trade_frequency_limit at 80% of its limit: 4 of 5 trades per hour"]


def test_a_windows_cooldown_under_a_lockout_to_the_roll_stays_quiet():
    """Locked until the roll by daily_realized_loss: the hour's cooldown would lock the
    account no longer."""
    desk = desk_with(trade_frequency_limit={"per_minute": 0, "per_hour": 5,
                                            "per_hour_cooldown": 1800},
                     daily_realized_loss={"limit": 500})
    three_trades_flat(desk, pnl="-510")
    assert [lk.kind for lk in desk.engine.lockouts.all(ACCOUNT)] == ["until_reset"]
    desk.wait(60)
    losing_trade_while_locked(desk, "-5")            # the hour's 4th
    assert warned(desk, "trade_frequency_limit") == []


def test_a_window_that_flattens_warns_while_cooldown_after_loss_keeps_a_position():
    """flatten = true: the hour's 5th trade would flatten MNQ, which cooldown_after_loss's
    cooldown (flatten = false) keeps open."""
    desk = desk_with(trade_frequency_limit={"per_minute": 0, "per_hour": 5,
                                            "per_hour_cooldown": 1800, "flatten": True},
                     cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 300}],
                                          "flatten": False})
    cooldown_keeping_mnq(desk, pnl="-150")   # the NQ loss starts cooldown_after_loss's
    desk.wait(1)
    desk.filled(1, MNQ, 21000)               # the 4th this hour, a partial close while locked
    assert_cooling(desk)
    assert [w for w in warned(desk, "trade_frequency_limit")
            if "4 of 5 trades per hour" in w.reason], desk.warnings()


def test_a_would_be_cooldown_of_alert_mode_holds_back_no_warning():
    """Alert mode locks nothing (docs/rules.md): a flat account's warning comes at once."""
    desk = desk_with(trade_frequency_limit={"mode": "alert"},
                     daily_realized_loss={"limit": 500})
    three_trades_flat(desk, pnl="-410")
    assert desk.decisions("trade_frequency_limit"), "its would-be cooldown is recorded"
    assert not desk.engine.lockouts.all(ACCOUNT)
    [w] = warned(desk, "daily_realized_loss")
    assert "at 82% of its limit" in w.reason, w.reason
