"""The outcome of a decision alerted late is alerted once, marked sent late, whichever brings it
first: the catch-up's answer (services/notify/catchup.ask_outcomes) or the bus (the live stream,
a PUB's kept copy). The worker's own _take/_outcomes_read are run on a real outbox; the queue
is stood in for by a list."""
from __future__ import annotations

from types import MethodType, SimpleNamespace

import attrs

from services.notify import latefold
from services.notify.app import NotifyWorker
from services.notify.donehold import DoneHold
from services.notify.outbox import Outbox
from services.notify.steps import StepHold
from services.notify.templates import Context
from shared.messages.enforce import DONE, FAILED, CommandResult
from shared.messages.risk import Decision

S = 10**9
RESULT = CommandResult(command_id="d1.1", account_id=1012, status=DONE,
                       detail="ES on account BRAVO closed", attempts=1, started_ns=5 * S,
                       finished_ns=6 * S, event_ns=4 * S, first_answer_ns=6 * S,
                       action="close_position", rule="daily_unrealized_loss")


def worker(tmp_path):
    queued = []
    w = SimpleNamespace(outbox=Outbox(str(tmp_path / "notify.sqlite")), steps=StepHold(),
                        _behind={}, done_hold=DoneHold(), _backs={}, _waited={},
                        _late_results=set(), _late_folded={}, _outcome_tries=0,
                        clock=SimpleNamespace(now_ns=lambda: 100 * S, monotonic=lambda: 1.0),
                        ctx_t=Context(accounts={1012: "BRAVO"}),
                        queue=lambda alert, button=None, **kw: queued.append(alert.text))
    w._ctx = lambda: w.ctx_t
    for name in ("_take", "_build", "_outcomes_read", "_done_needs"):
        setattr(w, name, MethodType(getattr(NotifyWorker, name), w))
    return w, queued


def test_an_outcome_the_catch_up_read_is_alerted_late_and_not_again_from_the_bus(tmp_path):
    w, queued = worker(tmp_path)
    w._outcomes_read([], [RESULT], None)
    w._take(RESULT)                          # the same result, from a PUB's kept copy
    assert len(queued) == 1, queued
    assert queued[0].startswith("✅ Done on BRAVO (id 1012)\nclose by rule daily_unrealized_loss: "
                                "ES on account BRAVO closed\n"), queued
    assert "sent late: enforcement did this at " in queued[0], queued
    w.outbox.close()


def test_an_outcome_the_bus_brought_first_is_not_alerted_again_by_the_catch_up(tmp_path):
    w, queued = worker(tmp_path)
    w.outbox.mark_decided("d1", 99 * S)      # its decision came live, before it
    w._take(RESULT)                          # live, before the catch-up's answer came
    w._outcomes_read([], [RESULT], None)
    assert len(queued) == 1 and "sent late" not in queued[0], queued
    w.outbox.close()
    again, queued = worker(tmp_path)         # nor by the next run's catch-up
    again._outcomes_read([], [RESULT], None)
    assert queued == []
    again.outbox.close()


MNQ = "CON.F.US.MNQ.Z26"


def _failed(did: str, action: str, detail: str, at: int) -> CommandResult:
    return CommandResult(command_id=f"{did}.1", account_id=1012, status=FAILED, detail=detail,
                         attempts=4, broker_calls=4, started_ns=at * S, finished_ns=(at + 1) * S,
                         event_ns=at * S, first_answer_ns=(at + 1) * S, action=action,
                         rule="daily_net_loss" if action == "flatten"
                         else "daily_unrealized_loss")


def _decided(did: str, action: str, at: int) -> Decision:
    return Decision(id=did, ts_ns=at * S, account_id=1012, action=action,
                    rule="daily_net_loss" if action == "flatten" else "daily_unrealized_loss",
                    contract_id=MNQ if action != "flatten" else None)


def test_failed_outcomes_of_one_position_read_at_the_catch_up_are_one_alert(tmp_path):
    """Found by reading the code (the round before): while notify was down, BRAVO's close of MNQ long
    1 failed, then its flatten (MNQ all it held) failed too. Live, risk tells these as one
    "🚨 Enforcement FAILED" (services/risk/retries.py _folded_into) and notify leaves the
    results to risk; the catch-up alerted each late FAILED outcome on its own: two "act now"
    for the one position. Now one, which names the other failure."""
    w, queued = worker(tmp_path)
    close, flatten = _decided("d1", "close_position", 10), _decided("d2", "flatten", 12)
    results = [_failed("d1", "close_position", "close MNQ on account BRAVO failed: HTTP 500", 10),
               _failed("d2", "flatten", "flatten of account BRAVO failed: HTTP 500", 12)]
    w._outcomes_read([close, flatten], results, None)
    for r in results:                        # the PUBs' kept copies of them come after
        w._take(r)
    failed = [q for q in queued if q.startswith("🚨 Enforcement FAILED on BRAVO")]
    assert len(failed) == 1, queued
    assert "flatten of account BRAVO failed: HTTP 500" in failed[0], failed[0]
    assert "close MNQ on account BRAVO failed: HTTP 500" in failed[0], failed[0]
    assert "sent late" in failed[0], failed[0]
    assert len(queued) == 1, queued
    w.outbox.close()
    again, queued = worker(tmp_path)         # nor by the next run's catch-up
    again._outcomes_read([close, flatten], results, None)
    assert queued == []
    again.outbox.close()


def test_failed_outcomes_of_two_positions_read_at_the_catch_up_are_two_alerts(tmp_path):
    """Closes of two contracts that both failed are two positions to act on: each its alert."""
    w, queued = worker(tmp_path)
    es = Decision(id="d3", ts_ns=14 * S, account_id=1012, action="close_position",
                  rule="daily_unrealized_loss", contract_id="CON.F.US.EP.Z26")
    w._outcomes_read([_decided("d1", "close_position", 10), es],
                     [_failed("d1", "close_position", "close MNQ failed", 10),
                      _failed("d3", "close_position", "close ES failed", 14)], None)
    assert [q.split("\n")[:2] for q in queued] == [
        ["🚨 Enforcement FAILED on BRAVO (id 1012): act now", "close MNQ failed"],
        ["🚨 Enforcement FAILED on BRAVO (id 1012): act now", "close ES failed"]], queued
    w.outbox.close()


def test_which_failure_carries_the_alert():
    """The account's failed flatten, else the first failure of a contract; a done outcome and
    a failure notify cannot place (no decision) are left as they are."""
    close1, close2 = _decided("d1", "close_position", 10), _decided("d2", "close_position", 11)
    results = [_failed("d1", "close_position", "close MNQ failed", 10),
               _failed("d2", "close_position", "close MNQ failed again", 11),
               attrs.evolve(RESULT, command_id="d4.1", account_id=1012),
               _failed("d5", "close_position", "close of a decision not read", 13)]
    assert latefold.fold(results, [close1, close2]) == {"d1.1": [results[1]]}
    flatten = _decided("d3", "flatten", 12)
    results.insert(2, _failed("d3", "flatten", "flatten failed", 12))
    assert latefold.fold(results, [close1, close2, flatten]) == {
        "d3.1": [results[0], results[1]]}
