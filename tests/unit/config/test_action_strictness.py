"""A size rule's action is judged by how much it closes: reduce < close < flatten. A change to a
harsher action is a tightening, in force at once; to a softer one a loosening that waits for
the roll (docs/rules.md "Tightening is instant, loosening waits").

Fresh-user trial 22c: `riskctl rules set 1002 max_contracts_per_instrument action close --yes`
(from the shipped `reduce`) answered "riskd keeps action reduce until the roll ... (a loosening
waits)": a close takes the whole contract where a reduce only cuts it to the limit, so the
stricter action was held back as if it were looser.

Every rule etc/riskd.toml ships with an `action` parameter is checked, each pair of the actions
it accepts, both ways, through merge_rule (what risk keeps in force) and tightens (what the
supervisor says before)."""
from __future__ import annotations

import itertools

import attrs
import pytest

from shared.config.rules import RULE_CLASS
from shared.config.strictness import ACTIONS_BY_STRICTNESS, merge_rule, tightens


def _accepted(cls) -> list[str]:
    ok = []
    for action in ACTIONS_BY_STRICTNESS:
        try:
            cls(action=action)
        except (ValueError, TypeError):
            continue
        ok.append(action)
    return ok


RULES_WITH_ACTION = [name for name, cls in RULE_CLASS.items()
                     if "action" in attrs.fields_dict(cls)]


def test_the_size_rules_are_the_ones_with_an_action():
    # a rule given an action later is covered by the enumeration below only if its actions are
    # all in the strictness order
    assert set(RULES_WITH_ACTION) >= {"max_contracts", "max_contracts_per_instrument"}
    for name in RULES_WITH_ACTION:
        default = attrs.fields_dict(RULE_CLASS[name])["action"].default
        assert default in ACTIONS_BY_STRICTNESS
        assert len(_accepted(RULE_CLASS[name])) >= 2, name


@pytest.mark.parametrize("name", RULES_WITH_ACTION)
def test_a_harsher_action_applies_now_and_a_softer_one_waits(name):
    cls = RULE_CLASS[name]
    for old_action, new_action in itertools.permutations(_accepted(cls), 2):
        old, new = cls(action=old_action), cls(action=new_action)
        harsher = (ACTIONS_BY_STRICTNESS.index(new_action)
                   > ACTIONS_BY_STRICTNESS.index(old_action))
        now, waiting = merge_rule(name, old, new)
        if harsher:
            assert (now.action, waiting) == (new_action, None), (name, old_action, new_action)
        else:
            assert (now.action, waiting.action) == (old_action, new_action), \
                (name, old_action, new_action)
        assert tightens(name, "action", old_action, new_action) is harsher


def test_trial_22c_reduce_to_close_on_max_contracts_per_instrument():
    cls = RULE_CLASS["max_contracts_per_instrument"]
    old, new = cls(limits={"MNQ": 1}), cls(limits={"MNQ": 1}, action="close")
    assert merge_rule("max_contracts_per_instrument", old, new) == (new, None)


def test_drawdown_guard_intraday_trailing_is_a_tightening():
    """Trial25a N8: `riskctl rules set 1002 drawdown_guard trailing intraday` answered "riskd
    keeps trailing eod until the roll (a loosening waits)". An intraday mark follows every
    equity high of the day as well as the roll's, so it is never lower and the firm's line it
    makes never lower: in force at once; back to eod waits. Fails before (both ways waited)."""
    cls = RULE_CLASS["drawdown_guard"]
    eod, intraday = (cls(enabled=True, starting_balance=50000, trailing=t)
                     for t in ("eod", "intraday"))
    assert merge_rule("drawdown_guard", eod, intraday) == (intraday, None)
    now, waiting = merge_rule("drawdown_guard", intraday, eod)
    assert (now.trailing, waiting.trailing) == ("intraday", "eod")
    assert tightens("drawdown_guard", "trailing", "eod", "intraday")
    assert not tightens("drawdown_guard", "trailing", "intraday", "eod")
