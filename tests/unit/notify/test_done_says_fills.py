"""A close's "✅ Done" says what its orders filled: size, price and PnL (trial23a finding 7:
"✅ Done ... MNQ closed" three times for three 1-lot buys closed while locked, no size, price
or PnL). risk matches the result's orders to the fills it sees and writes a note of them
(services/risk/closefills.py); the Done waits for that note a moment (donehold.py FILLS),
whichever of the two reaches notify first, and says it on a line; a note that comes after the
Done went (the fills were late) is sent on its own, never a figure guessed. Runs notify's own
_take and hold on a real outbox (tests/unit/notify/test_done_after_its_cause.py's Notify).
Fails on main's code (no line, no note taken)."""
from __future__ import annotations

from types import MethodType

import attrs
import pytest

from services.notify.app import NotifyWorker
from shared.closefillwords import CLOSE_FILLS
from shared.messages.enforce import CloseOrder
from shared.messages.risk import RuleWarning
from tests.unit.notify.test_done_after_its_cause import DECIDED, MNQ, RESULT, S, Notify

CLOSED = attrs.evolve(RESULT, orders_known=True, close_orders=[
    CloseOrder(order_id=9000, contract_id=MNQ, side=1, size=1)])
WORDS = "closed MNQ +1 at 20940.00, PnL -241.00, fees 0.74"
NOTE = RuleWarning(id="w9", ts_ns=52 * S, rule=CLOSE_FILLS, account_id=1002, value=None,
                   limit=None, warn_at=0.0, of_command="d7.1",
                   reason=f"close by rule daily_unrealized_loss: {WORDS}")


def notify_(tmp_path) -> Notify:
    notify = Notify(tmp_path)
    notify.w._fills = {}
    notify.w._filled = MethodType(NotifyWorker._filled, notify.w)
    notify.w._take(DECIDED)
    notify.run(3)                   # the breach alert went
    notify.phone.clear()
    return notify


@pytest.mark.parametrize("note_first", [False, True], ids=["result first", "note first"])
def test_the_done_says_what_the_close_filled(tmp_path, note_first):
    notify = notify_(tmp_path)
    for msg in ((NOTE, CLOSED) if note_first else (CLOSED, NOTE)):
        notify.w._take(msg)
        notify.run(0.05)
    notify.run(3)
    [done] = notify.phone
    assert done.startswith("✅ Done"), done
    assert f"filled: {WORDS}" in done, done
    assert "sent before" not in done, done


def test_fills_later_than_the_wait_follow_the_done_on_their_own(tmp_path):
    notify = notify_(tmp_path)
    notify.w._take(CLOSED)
    notify.run(2.5)                 # the fills are late: the Done goes without them
    [done] = notify.phone
    assert done.startswith("✅ Done") and "filled" not in done, done
    notify.w._take(NOTE)
    notify.run(3)
    assert len(notify.phone) == 2, notify.phone
    assert notify.phone[1].startswith("✅ Filled on Demo 2") and WORDS in notify.phone[1]


def test_a_result_that_does_not_name_its_orders_does_not_wait(tmp_path):
    notify = notify_(tmp_path)
    notify.w._take(RESULT)          # orders not known: risk says no fills for it
    notify.run(0.05)
    [done] = notify.phone
    assert done.startswith("✅ Done") and "filled" not in done, done
