"""An admin ends one rule's lockout and keeps the others (`riskctl unlock ACCOUNT --rule R`).

A trader locked by cooldown_after_loss's timer and by daily_realized_loss until the roll: the
admin who finds the cooldown wrongful could only end both before, taking the daily loss
limit's lockout away with it."""
import pytest

from tests.unit.risk.desk import MNQ, NQ, SIDE_SELL, Desk

pytestmark = pytest.mark.timeout(30)


def locked_twice() -> Desk:
    desk = Desk(daily_realized_loss={"limit": 500},
                cooldown_after_loss={"tiers": [{"loss": 100, "seconds": 300}]})
    desk.long(1, MNQ, 21000)
    desk.trade("-614.03", contract=NQ, side=SIDE_SELL)
    assert sorted(lk.rule for lk in desk.engine.lockouts.all()) == [
        "cooldown_after_loss", "daily_realized_loss"]
    return desk


def test_unlock_of_one_rule_ends_only_its_lockout():
    desk = locked_twice()
    out, refusal = desk.engine.unlock(1001, None, "admin:ana", "cooldown was wrong", desk.now,
                                      rule="cooldown_after_loss")
    assert refusal == ""
    assert [(c.change, c.lockout.rule) for c in out.lockouts] == [
        ("cleared", "cooldown_after_loss")]
    assert [lk.rule for lk in desk.engine.lockouts.all()] == ["daily_realized_loss"]
    # the account is still locked: the answer names what still holds it, no "still past"
    [ended] = out.lockouts
    assert ended.over is not None and ended.over.rule == "daily_realized_loss"
    assert ended.still_past == []


def test_unlock_of_a_rule_that_holds_no_lockout_is_refused_and_says_which_do():
    desk = locked_twice()
    out, refusal = desk.engine.unlock(1001, None, "admin:ana", "x", desk.now,
                                      rule="trade_frequency_limit")
    assert out.lockouts == []
    assert refusal.startswith("no lockout of account SIM-1 (id 1001) is held by "
                              "trade_frequency_limit to end; its lockouts: "), refusal
    assert "daily_realized_loss" in refusal and "cooldown_after_loss" in refusal
    assert ("`riskctl unlock 1001 --rule daily_realized_loss --reason TEXT` ends "
            "daily_realized_loss's only") in refusal
    assert len(desk.engine.lockouts.all()) == 2


def test_unlock_of_a_rule_on_an_account_not_locked_says_so():
    desk = Desk(daily_realized_loss={"limit": 500})
    _out, refusal = desk.engine.unlock(1001, None, "admin:ana", "x", desk.now,
                                       rule="daily_realized_loss")
    assert refusal == "account SIM-1 (id 1001) is not locked"


def taken_over() -> Desk:
    """trade_frequency_limit's 1-minute cooldown, then a losing close inside it: cooldown_after_loss
    extends the same lockout (one row: one key) to 5 minutes (test_lockout_reason.py)."""
    from tests.unit.risk.test_lockout_reason import three_trades_then_a_loss
    desk = three_trades_then_a_loss()
    [held] = desk.engine.lockouts.all(1001)
    assert held.rule == "cooldown_after_loss"
    return desk


def test_unlock_of_a_rule_says_it_ends_the_cooldown_it_took_over_and_warns_still_past():
    """Fresh-user trial 15b, finding 7: `unlock 1002 --rule cooldown_after_loss` also ended
    trade_frequency_limit's minute, which the same lockout held, without a word, and without
    the "still past trade_frequency_limit" warning a plain unlock gives."""
    from services.notify.templates import Context, lockout_alert
    from shared import showtime
    from tests.unit.risk.desk import CHI, NS
    desk = taken_over()
    # the losing close was the 4th trade this minute: trade_frequency_limit's cooldown ran
    # from it first, then cooldown_after_loss took the row over
    frequency_end = desk.now + 60 * NS
    out, refusal = desk.engine.unlock(1001, None, "admin:ana", "reviewed loss", desk.now,
                                      rule="cooldown_after_loss")
    assert refusal == ""
    [ended] = out.lockouts
    assert (ended.also_rule, ended.also_until_ns) == ("trade_frequency_limit", frequency_end)
    assert [p.rule for p in ended.still_past] == ["trade_frequency_limit"]
    alert = lockout_alert(ended, Context(tz=CHI, accounts={1001: "Demo 1"}))
    shown = "\n".join((alert.title, *alert.lines))
    assert "still past trade_frequency_limit" in shown, shown
    assert ("this lockout also held trade_frequency_limit's cooldown until "
            + showtime.at(frequency_end, CHI, ended.ts_ns) + ", which ends with it") in shown, \
        shown
    # an unlock of every lockout asked for all of them: nothing to add
    desk = taken_over()
    out, _ = desk.engine.unlock(1001, None, "admin:ana", "all", desk.now)
    assert [c.also_rule for c in out.lockouts] == [""]
