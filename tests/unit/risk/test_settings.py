"""Tightening is instant, loosening waits for the roll (unless an admin overrides)."""
import attrs

from services.risk.settings import RuleSettings, merge
from services.risk.state import AccountState
from shared.config import Config
from shared.config.accounts import AccountConfig
from tests.unit.risk.desk import only


def test_lowering_the_loss_limit_applies_now_raising_it_waits_for_the_roll():
    old = only(daily_realized_loss={"limit": 500})
    lower = only(daily_realized_loss={"limit": 300})
    now, later, names = merge(old, lower)
    assert now.daily_realized_loss.limit == 300 and later is None and names == []
    higher = only(daily_realized_loss={"limit": 1000})
    now, later, names = merge(old, higher)
    assert now.daily_realized_loss.limit == 500 and later.daily_realized_loss.limit == 1000
    assert names == ["daily_realized_loss"]


def test_disabling_or_switching_to_alert_waits_enabling_is_instant():
    old = only(daily_realized_loss={"limit": 500})
    off = only()
    now, later, names = merge(old, off)
    assert now.daily_realized_loss.enabled and names == ["daily_realized_loss"]
    alert = only(daily_realized_loss={"limit": 500, "mode": "alert"})
    assert merge(old, alert)[0].daily_realized_loss.mode == "enforce"
    now, later, names = merge(off, old)
    assert now.daily_realized_loss.enabled and later is None


def test_a_mixed_change_applies_its_stricter_half_now():
    old = only(trade_frequency_limit={"per_minute": 3, "per_minute_cooldown": 60})
    new = only(trade_frequency_limit={"per_minute": 5, "per_minute_cooldown": 300})
    now, later, names = merge(old, new)
    tf = now.trade_frequency_limit
    assert (tf.per_minute, tf.per_minute_cooldown) == (3, 300)
    assert later.trade_frequency_limit.per_minute == 5


def test_the_pending_loosening_lands_at_the_roll_and_override_applies_at_once():
    acct = AccountState(1001, name="SIM-1")
    s = RuleSettings(only(daily_realized_loss={"limit": 500}), resolve=lambda c, a: c)
    assert s.for_account(acct).daily_realized_loss.limit == 500
    waiting = s.update(only(daily_realized_loss={"limit": 900}), [acct])
    assert waiting == ["1001: daily_realized_loss"]
    assert s.for_account(acct).daily_realized_loss.limit == 500
    assert s.pending_for(1001) == ["daily_realized_loss"]
    s.roll(0)
    assert s.for_account(acct).daily_realized_loss.limit == 900 and s.pending_for(1001) == []
    s.update(only(daily_realized_loss={"limit": 2000}), [acct], override=True)
    assert s.for_account(acct).daily_realized_loss.limit == 2000


def test_accounts_resolve_through_the_config_and_a_disabled_account_is_not_guarded():
    override = {"daily_realized_loss": {"limit": 250}}
    config = Config(accounts=[AccountConfig(id=1001, name="SIM-1", enabled=False),
                              AccountConfig(id=1002, rules=override)])
    s = RuleSettings(config)
    assert s.for_account(AccountState(1001, name="SIM-1")) is None
    assert s.for_account(AccountState(1002)).daily_realized_loss.limit == 250
    assert s.for_account(AccountState(4242)).daily_realized_loss.limit == 500   # default profile
    assert attrs.has(type(s.for_account(AccountState(4242))))
