"""Bad values give problems people can act on: the exact key path, all at once."""
from __future__ import annotations

import pytest

from shared.config.errors import ConfigError
from shared.config.load import validate_full


def problems_of(data: dict, env: dict | None = None) -> dict[str, str]:
    with pytest.raises(ConfigError) as info:
        validate_full(data, "riskd.toml", env={} if env is None else env)
    return {p.path: p.message for p in info.value.problems if p.severity == "error"}


def rule(name: str, **params) -> dict:
    return {"profiles": {"default": {"rules": {name: params}}}}


R = "profiles.default.rules."

BAD = [
    ("wrong type", rule("max_contracts", limit="five"), R + "max_contracts.limit", "whole number"),
    ("bool for a number", rule("max_contracts", limit=True), R + "max_contracts.limit",
     "whole number"),
    ("bool for money", rule("daily_realized_loss", limit=True), R + "daily_realized_loss.limit",
     "money"),
    ("negative limit", rule("daily_realized_loss", limit=-500), R + "daily_realized_loss.limit",
     "from 0.01 to 1000000"),
    ("zero loss limit", rule("daily_net_loss", limit=0), R + "daily_net_loss.limit",
     "from 0.01 to 1000000"),
    ("text for money", rule("daily_unrealized_loss", limit="lots"),
     R + "daily_unrealized_loss.limit", "money"),
    ("bad mode", rule("max_contracts", mode="shadow"), R + "max_contracts.mode", "'alert'"),
    ("warn_at above 1", rule("daily_net_loss", warn_at=1.5), R + "daily_net_loss.warn_at",
     "fraction"),
    ("unknown time zone", rule("session_block_outside", default={"timezone": "Mars/Olympus"}),
     R + "session_block_outside.default.timezone", "time zone"),
    ("bad session time", rule("session_block_outside", default={"start": "8:30am"}),
     R + "session_block_outside.default.start", "HH:MM"),
    ("bad day", rule("session_block_outside", default={"days": ["monday"]}),
     R + "session_block_outside.default.days", "mon"),
    ("unsorted tiers", rule("cooldown_after_loss", tiers=[{"loss": 200, "seconds": 60},
                                                         {"loss": 100, "seconds": 30}]),
     R + "cooldown_after_loss.tiers", "sorted"),
    ("negative tier", rule("cooldown_after_loss", tiers=[{"loss": -1, "seconds": 60}]),
     R + "cooldown_after_loss.tiers[0].loss", "from 0.01 to 1000000"),
    ("bad symbol", rule("symbol_blocks", symbols=["not a symbol"]),
     R + "symbol_blocks.symbols", "symbols like"),
    ("per-instrument zero", rule("max_contracts_per_instrument", limits={"MNQ": 0}),
     R + "max_contracts_per_instrument.limits", "from 1 to 1000"),
    ("unknown_symbol word", rule("max_contracts_per_instrument", unknown_symbol="deny"),
     R + "max_contracts_per_instrument.unknown_symbol", "block"),
    ("drawdown without balance", rule("drawdown_guard", enabled=True),
     R + "drawdown_guard.starting_balance", "required"),
    ("buffer above max loss", rule("drawdown_guard", buffer=5000),
     R + "drawdown_guard.buffer", "below max_loss"),
    ("misspelt parameter", rule("daily_realized_loss", limt=300),
     R + "daily_realized_loss.limt", "unknown key"),
    ("unknown rule", rule("max_loss_per_day", limit=3), R + "max_loss_per_day", "unknown key"),
    ("unknown profile", {"accounts": [{"id": 1, "profile": "strict"}]}, "accounts[0].profile",
     "unknown profile 'strict'"),
    ("account without id or name", {"accounts": [{"display_name": "x"}]}, "accounts[0].id",
     "neither"),
    ("override of unknown rule", {"accounts": [{"id": 1, "rules": {"nope": {"limit": 1}}}]},
     "accounts[0].rules.nope", "unknown key"),
    ("bad override", {"accounts": [{"id": 1, "rules": {"max_contracts": {"limit": -2}}}]},
     "accounts[0].rules.max_contracts.limit", "from 1 to 1000"),
    ("missing env var", {"broker": {"api_key": "${PROJECTX_API_KEY}"}}, "broker.api_key",
     "PROJECTX_API_KEY is not set"),
    ("stale wait zero", {"broker": {"stale_after": 0}}, "broker.stale_after", "from 1 to 3600"),
    ("bad roll time", {"trading_day": {"roll": "5pm"}}, "trading_day.roll", "HH:MM"),
    ("bad trading-day zone", {"trading_day": {"timezone": "Chicago"}}, "trading_day.timezone",
     "time zone"),
    ("bad holiday", {"trading_day": {"holidays": ["2026-02-30"]}}, "trading_day.holidays",
     "YYYY-MM-DD"),
    ("not a bcrypt hash", {"admin": {"password_hash": "hunter2"}}, "admin.password_hash",
     "bcrypt"),
    ("session minutes zero", {"ops": {"session_minutes": 0}}, "ops.session_minutes", "from 0.05"),
    ("string for a list", {"profiles": {"default": {"rules": {"symbol_blocks": {
        "symbols": "CL"}}}}}, R + "symbol_blocks.symbols", "expected a list"),
    ("number for a table", {"accounts": [{"id": 1, "rules": {"max_contracts": 3}}]},
     "accounts[0].rules.max_contracts", "expected a table"),
    ("remote bus address", {"bus": {"control": "tcp://10.1.2.3:5570"}}, "bus.control",
     "loopback"),
    ("duplicate worker", {"supervisor": {"workers": ["risk", "risk"]}}, "supervisor.workers",
     "once"),
    ("unknown process in logging.levels", {"logging": {"levels": {"markt": "DEBUG"}}},
     "logging.levels.markt", "process name"),
    ("bad level in logging.levels", {"logging": {"levels": {"risk": "LOUD"}}},
     "logging.levels.risk", "'DEBUG'"),
    ("duplicate account", {"accounts": [{"id": 7}, {"id": 7}]}, "accounts[1]", "once"),
]


@pytest.mark.parametrize("data, path, expected", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_value_names_its_key_path(data, path, expected):
    found = problems_of(data)
    assert path in found, f"expected a problem at {path}, got {found}"
    assert expected in found[path]


def test_every_problem_is_listed_at_once():
    data = {"profiles": {"default": {"rules": {
        "max_contracts": {"limit": -1, "mode": "x", "warn_at": 3},
        "daily_realized_loss": {"limit": -5}}}},
        "trading_day": {"timezone": "Nowhere/Land"},
        "logging": {"level": "LOUD"}}
    found = problems_of(data)
    assert {R + "max_contracts.limit", R + "max_contracts.mode", R + "max_contracts.warn_at",
            R + "daily_realized_loss.limit", "trading_day.timezone", "logging.level"} <= set(found)


def test_problem_text_names_file_path_value_and_expectation():
    with pytest.raises(ConfigError) as info:
        validate_full(rule("daily_realized_loss", limit=-500), "/etc/riskd.toml", env={})
    text = info.value.render()
    assert "/etc/riskd.toml" in text
    assert "profiles.default.rules.daily_realized_loss.limit" in text
    assert "expected an amount from 0.01 to 1000000, got -500" in text


def test_per_instrument_limit_above_account_limit_is_only_a_warning():
    data = rule("max_contracts_per_instrument", limits={"MNQ": 9})
    _config, warnings = validate_full(data, "riskd.toml", env={})
    assert [w.path for w in warnings] == [R + "max_contracts_per_instrument.limits.MNQ"]
    assert warnings[0].severity == "warning" and "above max_contracts.limit 5" in str(warnings[0])


def test_env_substitution_fills_secrets():
    config, _ = validate_full({"broker": {"api_key": "${PX_KEY}"}}, "riskd.toml",
                              env={"PX_KEY": "k-123"})
    assert config.broker.api_key == "k-123"
