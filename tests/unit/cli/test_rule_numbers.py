"""A rule's numbers read one way on every screen (third trial: rule rows read "5/-200" beside
"2.50/-200"): money always with 2 decimals, counts (contracts, trades, seconds) as whole
numbers, in `riskctl status` / `watch` rule lines and `riskctl rules list` alike
(shared/rulenumbers.py)."""
from __future__ import annotations

import os
from decimal import Decimal

from cli.main import main
from cli.watch.model import build_screen
from shared.messages.risk import RuleValue
from shared.rulenumbers import param_text, reading_text
from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state


def lines_of(*rules):
    [acct] = build_screen(state(account(rules=list(rules))), NOW, CHICAGO, CALENDAR).accounts
    return {line.rule: line.text for line in acct.rules}


def value(rule, v, limit, progress=None, **extra):
    return RuleValue(rule=rule, enabled=True, mode="enforce", value=Decimal(v),
                     limit=Decimal(limit), progress=progress, **extra)


def test_money_readings_always_have_two_decimals_and_counts_none():
    lines = lines_of(value("daily_unrealized_loss", "5", "-200"),
                     value("daily_realized_loss", "-2.5", "500", 0.005),
                     value("drawdown_guard", "49732.5", "48100"),
                     value("max_contracts", "2", "5", 0.4),
                     value("trade_frequency_limit", "1", "3", 0.33, detail="1 trade per minute"))
    assert lines["daily_unrealized_loss"] == "+5.00/-200.00"     # a profit signed (trial23a 7)
    assert lines["daily_realized_loss"] == "-2.50/500.00 0%"
    assert lines["drawdown_guard"] == "49,732.50/48,100.00"
    assert lines["max_contracts"] == "2/5 40%"
    assert lines["trade_frequency_limit"] == "1/3 per minute 33%"


def test_parameters_and_waiting_values_read_as_their_kind():
    lines = lines_of(
        RuleValue(rule="max_unrealized_profit", enabled=True, mode="enforce",
                  params={"target": "300", "scope": "position"}, waiting={"target": "450.5"}),
        RuleValue(rule="no_stop_loss_grace", enabled=True, mode="enforce",
                  params={"grace_seconds": "10"}),
        RuleValue(rule="cooldown_after_loss", enabled=True, mode="enforce",
                  params={"tiers": "[{loss = 100, seconds = 300}]", "flatten": "true"}))
    assert lines["max_unrealized_profit"] == \
        "target=300.00 scope=position (target 450.50 at roll)"
    assert lines["no_stop_loss_grace"] == "grace_seconds=10"
    # trial 2026-12-05: the RULES panel showed the TOML, cut off; `rules list` keeps it (input)
    assert lines["cooldown_after_loss"] == "tiers=100.00->5m00s flatten=true"


def test_rules_list_uses_the_same_formatter(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")     # the table form: one line a rule, read by rule
    from tests.support.env import make_config
    config = make_config(tmp_path, accounts=[{"id": 1001, "name": "SIM-DEMO-1"}])
    assert main(["--config", config, "rules", "list", "--offline"]) == 0
    out = capsys.readouterr().out
    row = {line.split()[1]: line for line in out.splitlines()[1:] if len(line.split()) > 1}
    assert "limit=500.00; include_fees=true" in row["daily_realized_loss"], out
    assert "limit=5;" in row["max_contracts"] and "limit=5.00" not in row["max_contracts"]
    # trial 2026-12-05: `rules list` showed the TOML ("tiers=[{loss = 100.00, seconds = 300},
    # ...]", 'count="gross"', 'default={start = "08:30", ...}') where status and watch
    # showed words: one rendering on every screen
    assert "tiers=100.00->5m00s, 200.00->15m00s, 300.00->30m00s;" in row["cooldown_after_loss"]
    assert "count=gross;" in row["max_contracts"]
    assert "default=mon-fri 08:30-15:00 America/Chicago;" in row["session_block_outside"]
    assert "sessions=none" in row["session_block_outside"]
    body = "\n".join(out.splitlines()[1:])            # the header's "(* = ACCOUNT OVERRIDE)"
    for toml in ("{", "[", '"', " = "):
        assert toml not in body, (toml, body)
    assert "per_minute=3; per_hour=10" in row["trade_frequency_limit"]
    assert "max_loss=2,000.00;" in row["drawdown_guard"] and "buffer=100.00" in \
        row["drawdown_guard"]


def test_the_formatter_reads_every_value_as_words_not_toml():
    assert param_text("drawdown_guard", "starting_balance", "none") == "none"
    assert param_text("daily_net_loss", "trailing", "none") == "none"
    assert param_text("max_contracts_per_instrument", "limits", "{MNQ = 2}") == "MNQ 2"
    assert param_text("symbol_blocks", "symbols", '["CL", "NG"]') == "CL, NG"
    assert param_text("symbol_blocks", "symbols", "[]") == "none"
    assert param_text("session_block_outside", "sessions",
                      '{MNQ = {start = "18:00", end = "16:00", timezone = "America/New_York", '
                      'days = ["mon", "wed"]}}') == "MNQ mon/wed 18:00-16:00 America/New_York"
    assert param_text("nosuch_rule", "limit", "5") == "5"
    assert reading_text("daily_net_loss", None) == "-"


def test_cooldown_tiers_read_as_loss_then_cooldown_on_screens():
    # trial 2026-12-05: "cooldown_after_loss tiers=[{loss = 100.00, seconds = 300}, ...
    # seconds = 18~": the default tiers as TOML, cut off at the panel's width
    from shared.rulenumbers import tiers_text
    tiers = ("[{loss = 100, seconds = 300}, {loss = 200, seconds = 900}, "
             "{loss = 300, seconds = 1800}]")
    lines = lines_of(RuleValue(rule="cooldown_after_loss", enabled=True, mode="enforce",
                               params={"tiers": tiers, "flatten": "true"}))
    assert lines["cooldown_after_loss"] == \
        "tiers=100.00->5m00s, 200.00->15m00s, 300.00->30m00s flatten=true"
    assert tiers_text("[100: 300 s]") is None and tiers_text("[]") is None


def test_accounts_list_overrides_read_as_screens_show_a_rule():
    """Trial 2026-12-05: OVERRIDES 'cooldown_after_loss.tiers=[{loss = 50, seconds = 60}]'."""
    from cli.commands.accounts import overrides_text
    assert overrides_text({"cooldown_after_loss.tiers": "[{loss = 50, seconds = 60}]",
                           "daily_realized_loss.limit": "800"}) == \
        "cooldown_after_loss tiers=50.00->1m00s; daily_realized_loss limit=800.00"


def test_accounts_list_says_an_override_equal_to_the_profile_s_value_overrides_nothing():
    """Trial 2026-12-06: `accounts list` OVERRIDES read "no_stop_loss_grace enabled=false"
    where the profile says false too, as if the account differed. The shipped config (its
    Demo 2 overrides daily_realized_loss.limit 300 and max_contracts.limit 2) plus that one
    override, through the supervisor's own rows."""
    import os
    from cli.commands.accounts import overrides_text
    from services.supervisor.commands.accounts_list import configured_rows
    from shared.config.load import load_config
    from tests.unit.risk.desk import SHIPPED
    text = open(SHIPPED, encoding="utf-8").read().replace(
        "[accounts.rules.max_contracts]\nlimit = 2\n",
        "[accounts.rules.max_contracts]\nlimit = 2\n"
        "[accounts.rules.no_stop_loss_grace]\nenabled = false\n")
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "riskd.toml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text.replace('data_dir = "../var"', 'data_dir = "var"'))
        config = load_config(path).config
    [row] = [r for r in configured_rows(config) if r.name == "SIM-DEMO-2"]
    assert row.as_profile == ["no_stop_loss_grace.enabled"], row
    assert overrides_text(row.overrides, row.as_profile) == (
        "daily_realized_loss limit=300.00; max_contracts limit=2; "
        "no_stop_loss_grace enabled=false (the profile's too)")


def test_a_trade_count_row_says_the_trade_reaching_the_limit_starts_the_cooldown():
    """Trial 2026-12-06: "2/3" and the shipped comment "per_minute = 3  # trades per sliding
    window" read as 3 allowed, while the 3rd trade starts the cooldown (docs/rules.md: a count
    reaching its limit acts at once, there is no 4th). The shipped parameters, as risk sends
    them on the status row."""
    shipped = {"per_minute": "3", "per_hour": "10", "per_session": "50",
               "per_minute_cooldown": "60", "per_hour_cooldown": "1800",
               "per_session_cooldown": "3600", "per_day": "0", "per_week": "0",
               "flatten": "false"}
    lines = lines_of(value("trade_frequency_limit", "2", "3", 0.67,
                           detail="2 of 3 trades per minute", params=shipped))
    assert lines["trade_frequency_limit"] == \
        "2/3 per minute 67% (the 3rd starts a 1m00s cooldown)"
    lines = lines_of(value("trade_frequency_limit", "8", "10", 0.8,
                           detail="8 of 10 trades per hour", params=shipped))
    assert lines["trade_frequency_limit"].endswith("(the 10th starts a 30m00s cooldown)")
    toml = open(os.path.join(os.path.dirname(__file__), "..", "..", "..", "etc", "riskd.toml"),
                encoding="utf-8").read()
    [line] = [ln for ln in toml.splitlines() if ln.startswith("per_minute = 3")]
    assert "the 3rd trade in a minute starts the cooldown" in line, line
