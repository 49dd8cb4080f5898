"""Every rule number has a sane range (shared/config/bounds.py): `rules set` refuses a value
outside it with the range named and writes nothing, and a hand edit of the file is refused the
same way by the load riskd's reload runs (which keeps the last good rules). Round 21 (admin21):
`rules set ... max_contracts limit 1000000000` and a loss limit of 1e9 were accepted. Run on a
copy of etc/riskd.toml as shipped; each value is the only change."""
from __future__ import annotations


import pytest

from shared.config.edit import set_rule_param
from shared.config.errors import ConfigError
from shared.config.load import load_config

REFUSED = [
    ("max_contracts", "limit", "1000000000", "expected a whole number from 1 to 1000"),
    ("max_contracts", "limit", "0", "expected a whole number from 1 to 1000"),
    ("max_contracts", "limit", "2.5", "expected a whole number"),
    ("max_contracts_per_instrument", "limits", "{MNQ = 5000}",
     "expected whole numbers from 1 to 1000"),
    ("max_contracts_per_instrument", "unknown_symbol", "2000", "or a whole number from 1 to 1000"),
    ("daily_realized_loss", "limit", "1e9", "expected an amount from 0.01 to 1000000"),
    ("daily_realized_loss", "limit", "0.001", "expected an amount from 0.01 to 1000000"),
    ("daily_unrealized_loss", "limit", "-200", "expected an amount from 0.01 to 1000000"),
    ("daily_net_loss", "limit", "nan", "a finite number"),
    ("daily_net_loss", "limit", "inf", "a finite number"),
    ("max_unrealized_profit", "target", "5000000", "expected an amount from 0.01 to 1000000"),
    ("trade_frequency_limit", "per_minute", "1000000", "expected a whole number from 0 to 10000"),
    ("trade_frequency_limit", "per_hour_cooldown", "0", "expected a whole number from 1 to 604800"),
    ("cooldown_after_loss", "tiers", "[{loss = 100, seconds = 99999999}]",
     "expected a whole number from 1 to 604800"),
    ("no_stop_loss_grace", "grace_seconds", "100000", "expected a whole number from 0 to 86400"),
    ("trade_management", "trail_distance_ticks", "0", "expected a whole number from 1 to 10000"),
    ("drawdown_guard", "starting_balance", "1e12", "expected an amount from 1 to 10000000"),
]


@pytest.mark.parametrize("rule,param,value,why", REFUSED)
def test_a_value_out_of_range_is_refused_naming_the_range(shipped, rule, param, value, why):
    path, backups = shipped
    with open(path) as fh:
        before = fh.read()
    with pytest.raises(ConfigError) as refused:
        set_rule_param(path, "profile:default", rule, param, value, backups)
    assert why in str(refused.value), str(refused.value)
    with open(path) as fh:
        assert fh.read() == before


@pytest.mark.parametrize("rule,param,value,why", REFUSED)
def test_a_hand_edit_out_of_range_is_refused_by_the_load(shipped, rule, param, value, why):
    path, _ = shipped
    with open(path, "a") as fh:       # a profile of its own, as a text editor adds it
        fh.write(f"\n[profiles.hand.rules.{rule}]\n{param} = {value}\n")
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    text = refused.value.render()
    assert f"profiles.hand.rules.{rule}" in text and why in text, text


def test_the_widest_sane_values_are_taken(shipped):
    path, backups = shipped
    for rule, param, value in (("max_contracts", "limit", "1000"),
                               ("daily_realized_loss", "limit", "1000000"),
                               ("daily_net_loss", "limit", "0.01"),
                               ("trade_frequency_limit", "per_session", "10000"),
                               ("no_stop_loss_grace", "grace_seconds", "0")):
        set_rule_param(path, "profile:default", rule, param, value, backups)
    load_config(path)
