"""A profit target is called a target (fresh-user trial 21b section 8: "max_unrealized_profit
at 82% of its limit", "value 325.00 vs limit 300.00" of max_unrealized_profit's `target`).
Fails on main: both said "limit"."""
from __future__ import annotations

from decimal import Decimal

from services.notify.templates import Context, build, reading
from shared.messages.risk import RuleWarning
from shared.rulenumbers import line_word


def test_the_profit_rules_call_their_line_a_target_the_others_a_limit():
    assert line_word("max_unrealized_profit") == line_word("daily_realized_profit") == "target"
    assert line_word("daily_realized_loss") == line_word("max_contracts") == "limit"
    assert reading("max_unrealized_profit", Decimal("325"), Decimal("300")) == \
        "value 325.00 vs target 300.00"
    assert reading("daily_realized_loss", Decimal("-520"), Decimal("-500")) == \
        "value -520.00 vs limit -500.00"


def test_a_profit_targets_warning_says_of_its_target():
    w = RuleWarning(id="w1", ts_ns=1, rule="max_unrealized_profit", account_id=1001,
                    value=Decimal("246"), limit=Decimal("300"), warn_at=0.8,
                    reason="max_unrealized_profit at 82% of its target: MES open PnL 246.00",
                    account_name="SIM-DEMO-1")
    alert = build(w, Context())
    assert "max_unrealized_profit at 82% of its target on" in alert.text, alert.text
    assert "limit" not in alert.text, alert.text
