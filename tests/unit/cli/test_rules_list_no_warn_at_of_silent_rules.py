"""`riskctl rules list` shows no warn_at for a rule that never warns.

Fresh-user trial 21b, finding 5: session_block_outside listed "warn_at=0.8" and no warning came
before the session's end: the rule has no limit to come near (warns = False), its warn_at is
not used. The list of such rules (shared/config/rules.py NEVER_WARN) is the rules' own.
"""
from __future__ import annotations

from cli.commands.rules import warn_cell
from services.risk.rules import RULES
from shared.config.rules import NEVER_WARN


def test_the_never_warn_list_is_the_rules_that_do_not_warn():
    assert NEVER_WARN == {name for name, rule in RULES.items() if not rule.warns}


def test_no_warn_at_for_session_block_outside_one_for_a_limit():
    assert warn_cell("session_block_outside", 0.8, []) == ""
    assert warn_cell("symbol_blocks", 0.8, ["warn_at"]) == ""
    assert warn_cell("max_contracts", 0.8, []) == "warn_at=0.8"
    assert warn_cell("max_contracts", 0.7, ["warn_at"]) == "warn_at=0.7*"
