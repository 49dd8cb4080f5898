"""Enforcement's outcomes kept by the supervisor (fresh-user trial, 2026-12-05, finding 1):
after `riskctl stop enforcement`, status and history turned a done close_position into
"pending" / the bare plan. The supervisor keeps the final outcomes it sees and sends them only
in the body of the error when enforcement gives no answer, never one it did not see."""
from __future__ import annotations

from services.supervisor.lastresults import LastResults
from shared.messages.enforce import (CommandResult, CommandState, EnforcementStatus,
                                     EnforcementStatusRequest)
from shared.messages.system import error, ok

SILENT = error("unreachable", "enforcement is not reachable (not running?)")


def result(cid, status="done", **kw):
    return CommandResult(command_id=cid, account_id=1006, status=status,
                         action="close_position", detail="MNQ on account 1006 closed",
                         started_ns=100, finished_ns=160, event_ns=90,
                         first_answer_ns=147, **kw)


def test_a_published_final_result_answers_for_a_stopped_enforcement():
    last = LastResults()
    last.result(result("d1.1"))
    last.result(result("d2.1", "accepted"))          # not final: nothing to say yet
    got = last.answer(EnforcementStatusRequest(command_ids=["d1.1", "d2.1", "d3.1"]), SILENT,
                      "enforcement is stopped")
    assert not got.ok and got.code == "unreachable"           # still the error it was
    assert got.reason == "enforcement is stopped"
    [known] = got.body.commands
    assert (known.command_id, known.state, known.status, known.detail) == (
        "d1.1", "final", "done", "MNQ on account 1006 closed")
    assert (known.event_ns, known.first_answer_ns) == (90, 147)   # the latency: 57 ns here


def test_final_entries_of_enforcements_answers_are_kept_and_its_answer_passes_as_it_came():
    last = LastResults()
    entry = CommandState(command_id="d1.1", account_id=1006, action="reduce_position",
                         state="final", status="done", detail="reduced")
    running = CommandState(command_id="d2.1", account_id=1006, action="flatten",
                           state="running")
    request = EnforcementStatusRequest(command_ids=["d1.1", "d2.1"])
    answer = ok(EnforcementStatus(commands=[entry, running]))
    assert last.answer(request, answer) is answer
    got = last.answer(request, SILENT)
    assert got.body.commands == [entry]                       # never the running one as final
    assert got.reason == SILENT.reason                        # no better words: the forwarder's


def test_nothing_seen_nothing_sent_and_enforcements_own_errors_pass_as_they_are():
    last = LastResults(keep=1)
    last.result(result("d1.1"))
    last.result(result("d2.1"))                               # the oldest goes beyond keep
    got = last.answer(EnforcementStatusRequest(command_ids=["d1.1"]), SILENT)
    assert got.body == EnforcementStatus(commands=[])
    refused = error("bad_request", "no")
    assert last.answer(EnforcementStatusRequest(command_ids=["d2.1"]), refused) is refused
