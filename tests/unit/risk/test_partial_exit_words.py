"""A trade of the trader's that extends a trade_frequency_limit cooldown says what it sold or
bought and what it left, and the alert that starts the cooldown says once that exits count too
(trial24a F4: a sell of 1 of a long 2 under the hour's cooldown read "your close of MNQ counted
as the 11th trade this hour" with long 1 still open, and nothing had said that a sell to cut
risk during the cooldown would extend it by 30 minutes).

The rule's parameters are etc/riskd.toml's shipped ones (per_minute = 3, 60 s cooldown), as
tests/unit/risk/test_cooldown_extension_words.py. The Trade and the Position of the sell come
in either order (the broker's streams are not ordered between them). Fails on the code before
this change (checked in a detached worktree of main): "your close of MNQ", and no line of exits."""
import pytest

from services.notify.steps import step_alert
from services.notify.templates import EXITS_COUNT, Context
from services.risk.rules.trade_frequency_limit import exit_said
from tests.unit.risk.desk import CHI, MNQ, SIDE_BUY, SIDE_SELL, Desk
from tests.unit.risk.test_cooldown_extension_words import SHIPPED_TF, _cooldown_running, _step

RULE = "trade_frequency_limit"


def _extension(desk: Desk, before: int) -> str:
    [d] = [d for o in desk.history[before:] for d in o.decisions if d.rule == RULE]
    return d.reason


@pytest.mark.parametrize("position_first", [False, True])
@pytest.mark.parametrize("side,size,after,said", [
    (SIDE_SELL, 1, ("long", 2), "your sell of 1 MNQ (long 2 left)"),
    (SIDE_SELL, 3, None, "your sell of 3 MNQ (MNQ flat after it)"),
    (SIDE_SELL, 5, ("short", 2), "your sell of 5 MNQ (short 2 after it)"),
])
def test_the_exit_that_extends_the_cooldown_says_what_it_left(position_first, side, size,
                                                              after, said):
    desk = _cooldown_running()                       # long 3 MNQ, the minute's cooldown on
    before = len(desk.history)
    steps = [lambda: desk.trade(pnl="-5", side=side, size=size),
             (lambda: desk.position(MNQ, after[0], after[1], 21000)) if after
             else (lambda: desk.flat(MNQ))]
    for step in (reversed(steps) if position_first else steps):
        step()
    reason = _extension(desk, before)
    assert f"({said} counted as the 4th trade this minute)" in reason, reason
    assert "your close of" not in reason, reason
    text = step_alert(_step(desk, before), Context(tz=CHI, accounts={1001: "Demo 1"})).text
    assert said in text and EXITS_COUNT not in text, text       # said once: at the start


def test_a_late_exit_is_said_without_what_it_left():
    """An exit whose fill riskd holds beside a later fill of the contract: the position now is
    not what it left, so only what it sold is said."""
    desk = _cooldown_running()                       # long 3
    desk.trade(pnl="-5", side=SIDE_SELL, size=1, trade_id=40)
    desk.long(2, MNQ, 21000)
    sell = desk.account.trades[40]
    assert exit_said(sell, desk.account) == "your sell of 1 MNQ (long 2 left)"
    desk.wait(1)
    desk.filled(4, MNQ, 21000)                       # a later buy of 2
    assert exit_said(sell, desk.account) == "your sell of 1 MNQ"


def test_the_alert_that_starts_the_cooldown_says_exits_count_once():
    desk = Desk(trade_frequency_limit=SHIPPED_TF)
    desk.filled(1, MNQ, 21000)
    desk.wait(1.5)
    desk.filled(2, MNQ, 21000)
    desk.wait(1.5)
    before = len(desk.history)
    desk.filled(3, MNQ, 21000)                       # the 3rd: the cooldown starts
    text = step_alert(_step(desk, before), Context(tz=CHI, accounts={1001: "Demo 1"})).text
    assert text.count(EXITS_COUNT) == 1, text
    assert EXITS_COUNT == ("every trade while locked counts, your sells and closes too: one "
                           "that reaches the limit again extends the cooldown")
