"""Every rule's parameters survive TOML -> model -> TOML, defaults match RULES.md."""
from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
import tomlkit

from shared.config.convert import config_converter, to_toml_data
from shared.config.rules import (RULE_CLASS, RULE_NAMES, CooldownAfterLoss, DrawdownGuard,
                                 RulesConfig, enabled_rules)

# A non-default value for every parameter of every rule (what a trader might write).
CUSTOM = {
    "max_contracts": {"limit": 3, "count": "net", "action": "flatten"},
    "max_contracts_per_instrument": {"limits": {"MNQ": 2, "CON.F.US.EP.Z26": 1},
                                     "unknown_symbol": 1, "action": "close"},
    "daily_realized_loss": {"limit": 350.5, "include_fees": False},
    "daily_unrealized_loss": {"limit": "125.25", "scope": "account"},
    "max_unrealized_profit": {"target": 450, "scope": "account"},
    "trade_frequency_limit": {"per_minute": 2, "per_hour": 8, "per_session": 30,
                              "per_minute_cooldown": 90, "per_hour_cooldown": 1200,
                              "per_session_cooldown": 7200, "per_day": 40, "per_week": 150,
                              "flatten": True},
    "cooldown_after_loss": {"tiers": [{"loss": 50, "seconds": 120}, {"loss": 150, "seconds": 600}],
                            "flatten": False},
    "no_stop_loss_grace": {"grace_seconds": 30},
    "session_block_outside": {
        "default": {"start": "08:00", "end": "15:15", "timezone": "America/New_York",
                    "days": ["mon", "tue", "wed"]},
        "sessions": {"CL": {"start": "17:00", "end": "16:00", "timezone": "America/Chicago",
                            "days": ["mon", "tue", "wed", "thu", "fri"]}},
        "holidays_file": "holidays.txt", "close_at_session_end": False},
    "auth_loss_guard": {},
    "symbol_blocks": {"symbols": ["CL", "F.US.GCE"]},
    "trade_management": {"breakeven_after_ticks": 8, "trail_after_ticks": 16,
                         "trail_distance_ticks": 6},
    "daily_realized_profit": {"target": 1500, "include_fees": False},
    "daily_net_loss": {"limit": 700, "trailing": "unrealized", "include_fees": False},
    "drawdown_guard": {"max_loss": 2500, "trailing": "intraday", "buffer": 150,
                       "starting_balance": 50000, "line": 48000},
}


def test_registry_lists_the_15_rules_in_rules_md_order():
    assert len(RULE_NAMES) == 15
    assert RULE_NAMES[0] == "max_contracts" and RULE_NAMES[-1] == "drawdown_guard"
    assert set(CUSTOM) == set(RULE_NAMES)


def test_defaults_follow_rules_md():
    r = RulesConfig()
    assert r.max_contracts.limit == 5 and r.max_contracts.count == "gross"
    assert r.daily_realized_loss.limit == Decimal(500)
    assert r.daily_unrealized_loss.limit == Decimal(200)
    assert r.max_unrealized_profit.target == Decimal(300)
    assert (r.trade_frequency_limit.per_minute, r.trade_frequency_limit.per_hour,
            r.trade_frequency_limit.per_session) == (3, 10, 50)
    assert [(t.loss, t.seconds) for t in r.cooldown_after_loss.tiers] == [
        (100, 300), (200, 900), (300, 1800)]
    assert r.no_stop_loss_grace.grace_seconds == 10
    assert r.session_block_outside.default.start == "08:30"
    assert r.daily_realized_profit.target == Decimal(1000)
    assert r.daily_net_loss.limit == Decimal(600)
    assert r.drawdown_guard.max_loss == Decimal(2000) and r.drawdown_guard.buffer == Decimal(100)
    for name in RULE_NAMES:
        params = getattr(r, name)
        assert params.mode == "enforce" and params.warn_at == 0.8
    assert "drawdown_guard" not in enabled_rules(r)       # needs starting_balance
    assert "daily_realized_loss" in enabled_rules(r)


@pytest.mark.parametrize("name", RULE_NAMES)
def test_each_rule_round_trips_through_toml(name):
    data = {name: {"enabled": True, "mode": "alert", "warn_at": 0.9, **CUSTOM[name]}}
    text = tomlkit.dumps(data)
    rules = config_converter.structure(tomlkit.parse(text).unwrap(), RulesConfig)
    params = getattr(rules, name)
    assert params.mode == "alert" and params.warn_at == 0.9 and params.enabled
    again = tomlkit.dumps({name: to_toml_data(params)})
    back = config_converter.structure(tomlkit.parse(again).unwrap(), RulesConfig)
    assert getattr(back, name) == params
    # every written key comes back with the value the trader wrote (money as Decimal)
    written = to_toml_data(params)
    for key, value in CUSTOM[name].items():
        if isinstance(value, (int, float, str)) and not isinstance(value, bool) and \
                isinstance(getattr(params, key), Decimal):
            assert getattr(params, key) == Decimal(str(value))
        else:
            assert written[key] == value


def test_whole_rules_config_round_trips():
    data = {n: {"enabled": True, **CUSTOM[n]} for n in RULE_NAMES}
    rules = config_converter.structure(data, RulesConfig)
    assert config_converter.structure(
        tomlkit.parse(tomlkit.dumps(to_toml_data(rules))).unwrap(), RulesConfig) == rules


def test_money_accepts_int_float_and_string_and_evolve_converts():
    tiers = config_converter.structure({"tiers": [{"loss": "10.5", "seconds": 1}]},
                                       CooldownAfterLoss).tiers
    assert tiers[0].loss == Decimal("10.5")
    g = DrawdownGuard(enabled=True, starting_balance="50000")
    assert g.starting_balance == Decimal(50000)
    assert attrs.evolve(g, max_loss=3000).max_loss == Decimal(3000)
    assert RULE_CLASS["daily_realized_loss"](limit=12.25).limit == Decimal("12.25")
