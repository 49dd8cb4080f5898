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
    assert refusal.startswith("no lockout of account 1001 is held by "
                              "trade_frequency_limit to end; its lockouts: "), refusal
    assert "daily_realized_loss" in refusal and "cooldown_after_loss" in refusal
    assert ("`riskctl unlock 1001 --rule daily_realized_loss --reason TEXT` ends "
            "daily_realized_loss's only") in refusal
    assert len(desk.engine.lockouts.all()) == 2


def test_unlock_of_a_rule_on_an_account_not_locked_says_so():
    desk = Desk(daily_realized_loss={"limit": 500})
    _out, refusal = desk.engine.unlock(1001, None, "admin:ana", "x", desk.now,
                                       rule="daily_realized_loss")
    assert refusal == "account 1001 is not locked"
