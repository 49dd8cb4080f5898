"""The "✅ Done" of a close that waited for the market to open says it was done late.

Trial 2026-12-06: a breach's close refused because the market was closed waited in enforcement;
risk now says "⏳ Waiting: close MNQ long 3 on Demo 1 waits for the market to open"
(tests/unit/risk/test_market_closed_waiting.py), and notify remembers the command from
enforcement's 'accepted' result (waits_for): the Done that follows says how long after the
decision it came, and why."""
from __future__ import annotations

from services.notify.templates import Context, result_alert
from shared.messages.enforce import CommandResult

S = 1_000_000_000
T0 = 1_764_900_000 * S

# whose action the Done answers (trial16g finding 6: services/notify/templates.answering)
WHO = "close by rule daily_unrealized_loss: "

def done(cid="d7.1"):
    return CommandResult(command_id=cid, account_id=1001, status="done",
                         detail="closed MNQ long 3 on account Demo 1", attempts=2,
                         started_ns=T0, finished_ns=T0 + 30 * S, first_answer_ns=T0 + 30 * S,
                         event_ns=T0, action="close_position", rule="daily_unrealized_loss")


def test_a_done_after_the_market_opened_says_it_was_late():
    ctx = Context(accounts={1001: "Demo 1"}, market_waited={"d7.1": T0})
    alert = result_alert(done(), ctx)
    assert alert.title == "✅ Done on Demo 1 (id 1001)"
    assert alert.lines == (f"{WHO}closed MNQ long 3 on account Demo 1",
                           "done late: 30s after the decision, after the market opened")


def test_a_done_that_never_waited_says_nothing_of_it():
    alert = result_alert(done(), Context(accounts={1001: "Demo 1"}, market_waited={"x": T0}))
    assert alert.lines == (f"{WHO}closed MNQ long 3 on account Demo 1",)


def test_notify_remembers_the_actions_enforcement_keeps_pending_for_the_market():
    import attrs
    from types import SimpleNamespace

    from services.notify.app import NotifyWorker
    from shared.clock import FakeClock
    w = SimpleNamespace(_market_waited={}, _accepted={}, _behind={}, clock=FakeClock(T0),
                        steps=SimpleNamespace(holds=lambda _a: True),
                        outbox=SimpleNamespace(hold=lambda _frame: 1))
    pending = attrs.evolve(done(), status="accepted", finished_ns=0, event_ns=T0 - 2 * S,
                           waits_for="the market to open")
    NotifyWorker._take(w, pending)
    NotifyWorker._take(w, attrs.evolve(pending, event_ns=T0 + 9 * S))     # a retry: kept
    NotifyWorker._take(w, attrs.evolve(pending, command_id="d8.1", waits_for=""))
    assert w._market_waited == {"d7.1": T0 - 2 * S}
