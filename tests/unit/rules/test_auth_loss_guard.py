"""auth_loss_guard: the broker stops the account from trading -> flatten and hold the lock."""
from tests.unit.risk.desk import MNQ, Desk


def test_can_trade_false_flattens_and_locks_until_the_broker_says_true_again():
    desk = Desk(auth_loss_guard={})
    desk.long(1, MNQ, 21000)
    [d] = desk.can_trade(False).decisions
    assert d.action == "flatten" and d.lock.kind == "manual" and d.lock.clears_on == "can_trade"
    assert desk.can_trade(False).decisions == []            # no second flatten
    out = desk.can_trade(True)
    assert [c.change for c in out.lockouts] == ["cleared"]
    assert desk.engine.lockouts.all() == []


def test_a_balance_update_with_can_trade_true_is_a_near_miss():
    desk = Desk(auth_loss_guard={})
    assert desk.can_trade(True, balance=49_000).decisions == []


def test_an_account_update_without_cantrade_changes_nothing_only_false_locks():
    from shared.messages.market import AccountUpdate
    from tests.unit.risk.desk import ACCOUNT, D
    desk = Desk(auth_loss_guard={})
    out = desk.feed(AccountUpdate(account_id=ACCOUNT, name="SIM-1", balance=D(50_010),
                                  can_trade=None))
    assert out.decisions == [] and desk.account.can_trade is True
    [d] = desk.can_trade(False).decisions
    assert d.action == "flatten"


def test_its_end_says_the_broker_allows_trading_again_never_can_trade_cleared():
    """trial23a finding 2: the end read "ended by broker / can_trade cleared", which a trader
    takes for the right to trade removed. The lockout change risk publishes, and the phone's
    alert made of it, say the broker allows trading again."""
    from zoneinfo import ZoneInfo

    from services.notify.templates import Context, build
    from tests.unit.risk.desk import ACCOUNT
    desk = Desk(auth_loss_guard={})
    desk.long(1, MNQ, 21000)
    desk.can_trade(False)
    [change] = desk.can_trade(True).lockouts
    assert change.reason == "the broker allows trading again (canTrade = true)"
    alert = build(change, Context(tz=ZoneInfo("America/Chicago"), accounts={ACCOUNT: "Demo 1"}))
    assert "ended by the broker\nthe broker allows trading again (canTrade = true)" in alert.text
    assert "cleared" not in alert.text and "by broker" not in alert.text
