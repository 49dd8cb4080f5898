"""The event-order model's one allowance (covered_by_flatten) is narrow: only the actions a
flatten decided in both orders covers are left out of the comparison, never a lockout, a
flatten one order alone decided, or an action of its own beside no flatten."""
from types import SimpleNamespace as NS

import pytest

from tests.unit.risk.test_event_order_model import covered_by_flatten

pytestmark = pytest.mark.timeout(30)

MNQ = "CON.F.US.MNQ.Z26"
UNTIL_ROLL = NS(kind="until_reset", until_ns=2)
COOLDOWN = NS(kind="timer", until_ns=1)


def decision(rule, action, contract=None, lock=None, suppressed=""):
    return NS(rule=rule, action=action, contract_id=contract, order_id=None, size=None,
              lock=lock, suppressed=suppressed)


def out(*decisions):
    """One output with a command for each decision sent."""
    commands = [NS(action=d.action, contract_id=d.contract_id, order_id=None, size=None,
                   rule=d.rule) for d in decisions if not d.suppressed]
    return NS(decisions=list(decisions), commands=commands)


def same(a, b) -> bool:
    (da, db), (ca, cb) = covered_by_flatten([a], [b])
    return da == db and ca == cb


def test_a_close_before_the_flatten_both_orders_decided_is_covered():
    in_order = out(decision("cooldown_after_loss", "flatten", lock=COOLDOWN))
    shuffled = out(decision("daily_unrealized_loss", "close_position", MNQ),
                   decision("cooldown_after_loss", "flatten", lock=COOLDOWN))
    assert same(in_order, shuffled)


def test_which_rules_flatten_was_sent_does_not_matter_but_which_rules_decided_does():
    in_order = out(decision("cooldown_after_loss", "flatten", lock=COOLDOWN),
                   decision("daily_net_loss", "flatten", lock=UNTIL_ROLL, suppressed="in flight"))
    shuffled = out(decision("daily_net_loss", "flatten", lock=UNTIL_ROLL),
                   decision("cooldown_after_loss", "flatten", lock=COOLDOWN,
                            suppressed="in flight"))
    assert same(in_order, shuffled)
    only_cooldown = out(decision("cooldown_after_loss", "flatten", lock=COOLDOWN))
    assert not same(only_cooldown, shuffled)


def test_without_a_flatten_in_both_orders_an_extra_close_is_a_difference():
    assert not same(out(), out(decision("daily_unrealized_loss", "close_position", MNQ)))
    flatten = decision("cooldown_after_loss", "flatten", lock=COOLDOWN)
    assert not same(out(), out(decision("daily_unrealized_loss", "close_position", MNQ),
                                flatten))


def test_an_action_with_a_lockout_of_its_own_is_never_left_out():
    flatten = decision("cooldown_after_loss", "flatten", lock=COOLDOWN)
    lockout_reduce = decision("lockout_enforcement", "reduce_position", MNQ,
                              lock=NS(kind="symbol", until_ns=3))
    assert not same(out(flatten), out(lockout_reduce, flatten))


def test_a_flatten_sent_in_one_order_only_is_a_difference():
    sent = out(decision("cooldown_after_loss", "flatten", lock=COOLDOWN))
    not_sent = out(decision("cooldown_after_loss", "flatten", lock=COOLDOWN,
                            suppressed="in flight"))
    assert not same(sent, not_sent)
