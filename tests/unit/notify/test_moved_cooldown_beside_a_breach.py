"""riskd's flatten's fill that moves cooldown_after_loss's running cooldown, in the same step as
another rule's breach, is no second breach on the phone: the step's alert says the other breach,
and the loss as its "cooldown now ends" line.

fees25's leftover (trial25a N1): the cooldown's flatten closed MNQ at a loss; that fill's step
had daily_realized_loss's breach and cooldown_after_loss's later loss (moved_only: it only moved
its own cooldown's end), and the phone read "⚠️ 2 breaches on Demo 1: daily_realized_loss,
cooldown_after_loss". services/notify/steps.py _moved folded such a loss only when it was alone
in its step. Every order of the step's messages (risk publishes them in one step; notify holds
them together) gives the same alert.
"""
from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from services.notify.steps import step_alert
from services.notify.templates import Context
from shared.lossagain import again_reason
from shared.messages.risk import (OWN_EXTENDED, TIMER, UNTIL_RESET, Decision, LockSpec,
                                  LockoutChange, LockoutState)

S = 1_000_000_000
T0 = 1_796_000_000 * S
A = 1001
COOL = "cooldown_after_loss"


def _messages(with_extension: bool = True) -> list:
    until_was, until = T0 + 240 * S, T0 + 300 * S
    breach = Decision(id="d2", ts_ns=T0, rule="daily_realized_loss", account_id=A,
                      action="flatten", value=Decimal("-1404.35"), limit=Decimal("-500"),
                      lock=LockSpec(kind=UNTIL_RESET), reason="realized -1,404.35 past -500.00")
    moved = Decision(id="d3", ts_ns=T0, rule=COOL, account_id=A, action="flatten",
                     lock=LockSpec(kind=TIMER, until_ns=until),
                     suppressed=f"{OWN_EXTENDED}: locked until ...",
                     reason=again_reason("MNQ", True, "842.61 incl. its fees 1.11", "300.00",
                                         "5m00s"))
    cooldown = LockoutState(id="L1", account_id=A, kind=TIMER, rule=COOL, since_ns=T0 - 60 * S,
                            until_ns=until)
    msgs = [breach, moved]
    if with_extension:
        msgs.append(LockoutChange(change="extended", lockout=cooldown, ts_ns=T0,
                                  was=LockoutState(id="L1", account_id=A, kind=TIMER, rule=COOL,
                                                   since_ns=T0 - 60 * S, until_ns=until_was)))
    return msgs


ORDERS = [(p, ext) for ext in (True, False)
          for p in itertools.permutations(range(3 if ext else 2))]


@pytest.mark.parametrize("order, ext", ORDERS)
def test_the_moved_loss_is_a_line_not_a_second_breach(order, ext):
    msgs = _messages(ext)
    alert = step_alert([msgs[i] for i in order], Context(accounts={A: "Demo 1"}))
    text = alert.text
    assert "2 breaches" not in text and "Breach cooldown_after_loss" not in text, text
    assert "Lockout extended" not in text, text
    assert alert.title == "⚠️ Breach daily_realized_loss on Demo 1 (id 1001)", alert.title
    moved = [x for x in alert.lines if "cooldown_after_loss's cooldown now ends" in x]
    assert len(moved) == 1, alert.lines
    assert moved[0].endswith("(1m00s later)") == ext, moved
    assert msgs[1].reason in alert.lines, alert.lines
