"""The "nothing held breaks it now" line of a rule edit says the limit once (fresh-user trial
21a section 7: "no action (Demo 1 (id 1001): realized -407.96 of -500.00, limit -500.00)";
drawdown_guard read "... acts at 49,100.00 (line 49,000.00 + buffer 100.00), limit
49,100.00"). A reading that does not name its limit still gets it. Fails on main's code
(checked: ", limit -500.00" after "of -500.00")."""
from __future__ import annotations

from decimal import Decimal

from services.supervisor.commands.rule_acted import nothing_line
from shared.messages.risk import AccountRules, RuleValue


def reading(rule, value, limit, detail):
    return AccountRules(account_id=1001, name="SIM-DEMO-1", rules=[RuleValue(
        rule=rule, enabled=True, mode="enforce", value=Decimal(value), limit=Decimal(limit),
        detail=detail)])


def test_a_reading_naming_its_limit_is_not_followed_by_it_again():
    line = nothing_line("daily_realized_loss", {1001}, [reading(
        "daily_realized_loss", "-407.96", "-500", "realized -407.96 of -500.00")])
    assert "(SIM-DEMO-1 (id 1001): realized -407.96 of -500.00); " in line, line
    line = nothing_line("drawdown_guard", {1001}, [reading(
        "drawdown_guard", "49554.82", "49100",
        "equity 49,554.82, acts at 49,100.00 (line 49,000.00 + buffer 100.00)")])
    assert "buffer 100.00)); the rule acts" in line and ", limit" not in line, line


def test_a_reading_without_its_limit_still_gets_it():
    line = nothing_line("daily_unrealized_loss", {1001}, [reading(
        "daily_unrealized_loss", "0.5", "-1", "MNQ open PnL 0.50")])
    assert "MNQ open PnL 0.50, limit -1.00)" in line, line


def test_a_profit_target_is_called_a_target_and_an_unlisted_account_its_brokers_name():
    # trial 21b: "MES open PnL -45.00, limit 300.00" of max_unrealized_profit's target; and
    # "1003: 0 of 2 contracts" of an account the config does not list, beside "SIM-DEMO-3
    # (id 1003)" in the answer's other lines
    line = nothing_line("max_unrealized_profit", {1001}, [reading(
        "max_unrealized_profit", "-45", "300", "MES open PnL -45.00")])
    assert "SIM-DEMO-1 (id 1001): MES open PnL -45.00, target 300.00)" in line, line
