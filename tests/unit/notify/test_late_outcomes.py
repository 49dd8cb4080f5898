"""The outcome of a decision alerted late is alerted once, marked sent late, whichever brings it
first: the catch-up's answer (services/notify/catchup.ask_outcomes) or the bus (the live stream,
a PUB's kept copy). The worker's own _take/_outcomes_read are run on a real outbox; the queue
is stood in for by a list."""
from __future__ import annotations

from types import MethodType, SimpleNamespace

from services.notify.app import NotifyWorker
from services.notify.outbox import Outbox
from services.notify.steps import StepHold
from services.notify.templates import Context
from shared.messages.enforce import DONE, CommandResult

S = 10**9
RESULT = CommandResult(command_id="d1.1", account_id=1012, status=DONE,
                       detail="ES on account BRAVO closed", attempts=1, started_ns=5 * S,
                       finished_ns=6 * S, event_ns=4 * S, first_answer_ns=6 * S,
                       action="close_position", rule="daily_unrealized_loss")


def worker(tmp_path):
    queued = []
    w = SimpleNamespace(outbox=Outbox(str(tmp_path / "notify.sqlite")), steps=StepHold(),
                        _behind={}, _late_results=set(), _outcome_tries=0,
                        clock=SimpleNamespace(now_ns=lambda: 100 * S, monotonic=lambda: 1.0),
                        ctx_t=Context(accounts={1012: "BRAVO"}),
                        queue=lambda alert, button=None, **kw: queued.append(alert.text))
    w._ctx = lambda: w.ctx_t
    for name in ("_take", "_build", "_outcomes_read"):
        setattr(w, name, MethodType(getattr(NotifyWorker, name), w))
    return w, queued


def test_an_outcome_the_catch_up_read_is_alerted_late_and_not_again_from_the_bus(tmp_path):
    w, queued = worker(tmp_path)
    w._outcomes_read([], [RESULT], None)
    w._take(RESULT)                          # the same result, from a PUB's kept copy
    assert len(queued) == 1, queued
    assert queued[0].startswith("✅ Done on BRAVO (id 1012)\nES on account BRAVO closed\n"), queued
    assert "sent late: enforcement did this at " in queued[0], queued
    w.outbox.close()


def test_an_outcome_the_bus_brought_first_is_not_alerted_again_by_the_catch_up(tmp_path):
    w, queued = worker(tmp_path)
    w._take(RESULT)                          # live, before the catch-up's answer came
    w._outcomes_read([], [RESULT], None)
    assert len(queued) == 1 and "sent late" not in queued[0], queued
    w.outbox.close()
    again, queued = worker(tmp_path)         # nor by the next run's catch-up
    again._outcomes_read([], [RESULT], None)
    assert queued == []
    again.outbox.close()
