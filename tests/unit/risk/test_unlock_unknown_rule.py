"""`riskctl unlock 1001 --rule nosuchrule` (trial15c finding 11): the answer was the one for a
real rule holding no lockout ("no lockout of account ... is held by nosuchrule to end"), so a
typo read as a rule that merely held nothing. Now: unknown rule, with the names a lockout can
be held by; nothing ends. The shipped rules' names (shared/config/rules.py RULE_NAMES)."""
from __future__ import annotations

from shared.config.rules import RULE_NAMES
from tests.unit.risk.desk import NS, Desk
from tests.unit.risk.test_unlock_one_rule import locked_twice


def test_an_unknown_rule_is_refused_as_unknown_listing_the_rules():
    desk = locked_twice()
    out, refusal = desk.engine.unlock(1001, None, "admin:ana", "x", desk.now, rule="nosuchrule")
    assert refusal.startswith("unknown rule 'nosuchrule': a lockout is held by one of "), refusal
    for name in (*RULE_NAMES, "self_lockout", "admin_lockout"):
        assert name in refusal, name
    assert out.lockouts == []
    assert len(desk.engine.lockouts.all()) == 2          # nothing ended


def test_an_unknown_rule_on_an_account_not_locked_is_still_unknown():
    desk = Desk()
    _out, refusal = desk.engine.unlock(1001, None, "admin:ana", "x", desk.now,
                                       rule="cooldown_after_los")
    assert refusal.startswith("unknown rule 'cooldown_after_los'"), refusal


def test_the_traders_own_lockout_is_a_known_holder():
    desk = Desk()
    out, refusal = desk.engine.self_lock(1001, desk.now, until_ns=desk.now + 600 * NS)
    assert not refusal
    out, refusal = desk.engine.unlock(1001, None, "admin:ana", "x", desk.now,
                                      rule="self_lockout")
    assert refusal == "" and [c.lockout.rule for c in out.lockouts] == ["self_lockout"]
