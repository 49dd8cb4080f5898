"""Effective rules per account, the rule listing, and secrets masked for `config show`."""
from __future__ import annotations

import attrs
import pytest

from shared.config import effective_rules
from shared.config.load import validate_full
from shared.config.model import Config
from shared.config.secrets import MASK, masked_data, secret_paths
from shared.config.views import rule_rows

DATA = {
    "accounts": [
        {"id": 11, "name": "COMBINE-1", "display_name": "combine", "profile": "strict",
         "rules": {"daily_realized_loss": {"limit": 150}}},
        {"id": 12, "name": "FUNDED-1"},
    ],
    "profiles": {
        "default": {},
        "strict": {"rules": {"daily_realized_loss": {"limit": 250},
                             "max_contracts": {"limit": 1, "mode": "alert"}}},
    },
}


@pytest.fixture
def config():
    return validate_full(DATA, "riskd.toml", env={})[0]


def test_effective_rules_are_profile_then_overrides(config):
    combine = effective_rules(config, "COMBINE-1")
    assert combine.daily_realized_loss.limit == 150          # the account's override
    assert combine.max_contracts.limit == 1                  # its profile
    assert combine.max_contracts.mode == "alert"
    assert effective_rules(config, 11) == combine            # by id, name or display name
    assert effective_rules(config, "combine") == combine
    assert effective_rules(config, "FUNDED-1").daily_realized_loss.limit == 500
    assert effective_rules(config, 99999).max_contracts.limit == 5   # unlisted: default


def test_rule_rows_mark_overrides_and_select_targets(config):
    rows = rule_rows(config, "COMBINE-1")
    assert {r["target"] for r in rows} == {"account:COMBINE-1"}
    loss = next(r for r in rows if r["rule"] == "daily_realized_loss")
    assert loss["params"]["limit"] == "150" and loss["overridden"] == ["limit"]
    assert {r["target"] for r in rule_rows(config, "profile:strict")} == {"profile:strict"}
    everything = rule_rows(config)
    assert {r["target"] for r in everything} == {
        "profile:default", "profile:strict", "account:COMBINE-1", "account:FUNDED-1"}
    with pytest.raises(KeyError, match="no account or profile 'ghost'"):
        rule_rows(config, "ghost")


def test_secrets_are_masked_and_absent_from_repr(config):
    paths = secret_paths(Config)
    assert {"broker.api_key", "admin.password_hash", "ops.password_hash"} <= set(paths)
    assert any(p.startswith("notify.") for p in paths)
    secret = attrs.evolve(config, broker=attrs.evolve(config.broker, api_key="sk-live-123"),
                          admin=attrs.evolve(config.admin, password_hash="$2b$04$" + "a" * 53))
    shown = masked_data(secret)
    assert shown["broker"]["api_key"] == MASK and shown["admin"]["password_hash"] == MASK
    assert shown["ops"]["password_hash"] == ""                # unset stays visibly unset
    assert "sk-live-123" not in repr(secret) and "aaaa" not in repr(secret)
