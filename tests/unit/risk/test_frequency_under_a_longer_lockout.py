"""trade_frequency_limit's breach under a longer lockout: what its words say (trial15a,
finding 3; which lockouts risk takes is unchanged, docs/rules.md section 6 says it).

(a) Under daily_realized_loss's lockout to the roll and cooldown_after_loss's timer, the 3rd
trade in a minute is "locked already" (its cooldown falls in the timer row, which lasts
longer): the words named the cooldown ("locked (timer) by cooldown_after_loss"), not the
lockout that holds the account longest.
(b) Under the trader's own lockout to the roll its cooldown is taken beside it, and the one
alert whose lockout enforcement closed the position said "action: lock the account (positions
stay)" and "locked until 11:57:50" under that lockout to Monday.
Rules: etc/riskd.toml's shipped parameters of the rules the story needs (per_minute = 3 with
its 60 s cooldown, daily_realized_loss 500, cooldown_after_loss's tiers), the rest off."""
import pytest

from services.notify.steps import step_alert
from services.notify.templates import Context, build
from tests.unit.risk.desk import CHI, MNQ, SIDE_SELL, Desk

pytestmark = pytest.mark.timeout(30)

TF = {"per_minute": 3, "per_hour": 10, "per_session": 50, "per_minute_cooldown": 60,
      "per_hour_cooldown": 1800, "per_session_cooldown": 3600}
COOLDOWN = {"tiers": [{"loss": 100, "seconds": 300}, {"loss": 200, "seconds": 900},
                      {"loss": 300, "seconds": 1800}], "flatten": True}
CTX = Context(tz=CHI, accounts={1001: "Demo 1"})


def _step_of(desk: Desk, since: int) -> list:
    return [m for o in desk.history[since:] for m in (*o.lockouts, *o.decisions)]


def test_locked_already_names_the_lockout_that_holds_the_account_longest():
    desk = Desk(trade_frequency_limit=TF, daily_realized_loss={"limit": 500},
                cooldown_after_loss=COOLDOWN)
    desk.trade(pnl="-550", side=SIDE_SELL)         # past both: to the roll, and 30 min
    desk.wait(2)
    desk.trade(side=SIDE_SELL)
    desk.wait(1)
    before = len(desk.history)
    desk.trade(side=SIDE_SELL)                     # the 3rd in a minute
    [d] = [d for d in desk.decisions(acted=False) if d.rule == "trade_frequency_limit"]
    assert d.suppressed == ("locked already, no new action: account SIM-1 (id 1001) locked until the "
                            "roll by daily_realized_loss"), d.suppressed
    text = step_alert(_step_of(desk, before), CTX).text
    assert "by cooldown_after_loss" not in text, text


def test_under_the_traders_own_lockout_its_cooldown_says_no_flatten_of_its_own():
    desk = Desk(trade_frequency_limit=TF)
    desk.engine.self_lock(1001, desk.now, session=True)     # to the roll
    desk.wait(1)
    for _ in range(2):
        desk.filled(1, MNQ, 21000)
        desk.wait(1.5)
        desk.flat(MNQ)
        desk.wait(1)
    before = len(desk.history)
    desk.filled(1, MNQ, 21000)                     # the 3rd: closed, and its cooldown taken
    alert = step_alert(_step_of(desk, before), CTX)
    assert "trade_frequency_limit also until Wed 09:01" in alert.title, alert.title
    assert "action: close the position MNQ" in alert.lines, alert.text
    assert "positions stay" not in alert.text, alert.text
    assert "action: lock the account (no flatten of its own)" in alert.lines, alert.text
    # its end is not the account's: the line says which holds longer
    [own] = [x for x in alert.lines if x.startswith("locked until Wed 09:01")]
    assert own.endswith("; a longer lockout already holds the account: still locked until "
                        "Wed 17:00 CST (self_lockout)"), own


def test_a_cooldown_alone_still_says_positions_stay():
    desk = Desk(trade_frequency_limit=TF)
    for _ in range(3):
        desk.trade()
        desk.wait(1)
    [d] = [d for d in desk.decisions(acted=False) if d.rule == "trade_frequency_limit"]
    assert "action: lock the account (positions stay)" in build(d, CTX).lines


def test_beside_an_alert_mode_flatten_a_cooldown_still_says_positions_stay():
    """Trial17a section 9: a trade_frequency_limit cooldown at the same fill as an alert-mode
    cooldown_after_loss ("would have flattened") read "action: lock the account (no flatten of
    its own)", the words for an alert whose step closes a position; nothing was closed."""
    desk = Desk(trade_frequency_limit=TF, cooldown_after_loss={**COOLDOWN, "mode": "alert"})
    desk.trade(side=SIDE_SELL)
    desk.wait(1)
    desk.trade(side=SIDE_SELL)
    desk.wait(1)
    before = len(desk.history)
    desk.trade(pnl="-150", side=SIDE_SELL)         # the 3rd in a minute, and a loss of 150
    step = _step_of(desk, before)
    assert {getattr(m, "rule", "") for m in step} >= {"trade_frequency_limit",
                                                      "cooldown_after_loss"}, step
    alert = step_alert(step, CTX)
    assert "action: lock the account (positions stay)" in alert.lines, alert.text
    assert "no flatten of its own" not in alert.text, alert.text
