"""A newer value for a rule replaces the one waiting for the roll, and what waits is one thing
per account, the same on screens, in `rules list`, in notices and after a restart (trial: rule
pending).

Trial: `rules set 1002 daily_realized_loss limit 250`, `... limit 400` (waits), `... limit
3000`, `rules override --account 1002 --rule daily_realized_loss` (250 -> 3000); the screens
and `rules list` still showed "limit 400 at the roll", the next `rules disable` re-announced
"250 -> 400", and a restart forgot it. RuleSettings kept an entry per (account id, name): one
read before the broker's name arrived stayed behind with its old loosening.
"""
from decimal import Decimal

from services.risk.settings import RuleSettings
from services.risk.state import AccountState
from tests.unit.risk.desk import only


def rules(limit):
    return only(daily_realized_loss={"limit": limit}, trade_frequency_limit={"per_day": 50})


def restarted(s, acct):
    """A new RuleSettings from the same config and the rules in force saved by the old one."""
    again = RuleSettings(s.config, resolve=lambda c, _a: c)
    again.restore({aid: r for aid, (_name, r) in s.in_force().items()})
    again.for_account(acct)
    return again


def test_a_newer_value_replaces_the_waiting_one_even_after_the_broker_names_the_account():
    acct = AccountState(1002)                      # before market's snapshot: no name yet
    s = RuleSettings(rules(1000), resolve=lambda c, _a: c)
    s.for_account(acct)
    s.update(rules(250), [acct])                   # tightening: at once
    s.update(rules(400), [acct])                   # loosening: waits
    assert s.waiting(1002) == {"daily_realized_loss": {"limit": (Decimal(250), Decimal(400))}}
    acct.name = "SIM-2"                            # the broker's name arrives
    assert s.for_account(acct).daily_realized_loss.limit == 250     # still waits
    s.update(rules(3000), [acct])
    assert s.waiting(1002) == {"daily_realized_loss": {"limit": (Decimal(250), Decimal(3000))}}
    applied = s.apply_now([acct], 1002, "daily_realized_loss")
    assert applied == [(1002, "daily_realized_loss", {"limit": (Decimal(250), Decimal(3000))})]
    assert s.for_account(acct).daily_realized_loss.limit == 3000
    assert s.waiting(1002) == {} and s.pending_for(1002) == [] and s.what_waits() == {}
    again = restarted(s, acct)                     # a restart says the same
    assert again.for_account(acct).daily_realized_loss.limit == 3000
    assert again.waiting(1002) == {} and again.pending_for(1002) == []


def test_what_waits_is_the_same_before_and_after_a_restart():
    acct = AccountState(1002, name="SIM-2")
    s = RuleSettings(rules(1000), resolve=lambda c, _a: c)
    s.for_account(acct)
    s.update(rules(250), [acct])
    s.update(rules(400), [acct])
    s.update(rules(3000), [acct])                  # replaces the waiting 400
    assert s.waiting(1002) == {"daily_realized_loss": {"limit": (Decimal(250), Decimal(3000))}}
    again = restarted(s, acct)
    assert again.waiting(1002) == s.waiting(1002)
    assert again.pending_for(1002) == s.pending_for(1002) == ["daily_realized_loss"]
    s.update(rules(200), [acct])                   # a tightening ends what waited
    assert s.waiting(1002) == {} and s.for_account(acct).daily_realized_loss.limit == 200
