"""What a loosening waits with, and an override that names and chooses what it applies
(issue 17 item 6): the values the screens and `rules override` show."""
from decimal import Decimal

from services.risk.settings import RuleSettings
from services.risk.state import AccountState
from tests.unit.risk.desk import only


def settings_with_waiting():
    a, b = AccountState(1001, name="SIM-1"), AccountState(1002, name="SIM-2")
    s = RuleSettings(only(max_contracts={"limit": 5}, daily_realized_loss={"limit": 500}),
                     resolve=lambda c, _a: c)
    s.for_account(a), s.for_account(b)
    s.update(only(max_contracts={"limit": 6}, daily_realized_loss={"limit": 900}), [a, b])
    return s, a, b


def test_a_waiting_loosening_names_the_value_in_force_and_the_value_waiting():
    s, _a, _b = settings_with_waiting()
    assert s.waiting(1001) == {"max_contracts": {"limit": (5, 6)},
                               "daily_realized_loss": {"limit": (Decimal(500), Decimal(900))}}


def test_the_override_applies_one_rule_of_one_account_and_says_what():
    s, a, b = settings_with_waiting()
    applied = s.apply_now([a, b], account_id=1001, rule="max_contracts")
    assert applied == [(1001, "max_contracts", {"limit": (5, 6)})]
    assert s.for_account(a).max_contracts.limit == 6
    assert s.for_account(a).daily_realized_loss.limit == 500          # still waiting
    assert s.pending_for(1001) == ["daily_realized_loss"]
    assert s.for_account(b).max_contracts.limit == 5                  # the other account too
    rest = s.apply_now([a, b])
    assert sorted((aid, r) for aid, r, _d in rest) == [
        (1001, "daily_realized_loss"), (1002, "daily_realized_loss"), (1002, "max_contracts")]
    assert s.waiting(1001) == {} and s.waiting(1002) == {}
