"""A withdrawn command (risk's WithdrawCommand: the lockout it was for ended by an admin, or
the account is no longer guarded) ends 'withdrawn' when it is pending or queued in its lane,
never runs after that (not after a restart either); a running one is answered where it stands
and stops before its next trading call (test_withdraw_while_running.py); a finished
or unknown one is answered with its stored result.

The worker's loop (services/enforcement/app.py) is driven by hand: jobs it submits are
recorded, not run, so what is "running" is exactly the job the test says.
"""
from __future__ import annotations

import types

import pytest

from services.enforcement.app import EnforcementWorker
from services.enforcement.executor import FINAL, PENDING, Outcome
from services.enforcement.executor import Settings
from services.enforcement.journal import Journal
from services.enforcement.lanes import Lanes
from shared.accountname import Caller
from shared.clock import FakeClock
from shared.messages.enforce import (DONE, FINAL_STATUSES, WITHDRAWN, Command, CommandResult,
                                     WithdrawCommand)

A = 1001
MNQ = "CON.F.US.MNQ.Z26"


class Pub:
    def __init__(self):
        self.sent: list = []

    def publish(self, topic, msg):
        self.sent.append(msg)


def worker(path: str | Journal, clock: FakeClock) -> EnforcementWorker:
    """path: the journal's file, or a journal open already (a process started again on it)."""
    w = EnforcementWorker.__new__(EnforcementWorker)
    w.clock = clock
    w.config = types.SimpleNamespace(accounts=[])
    w.journal = path if isinstance(path, Journal) else Journal(path, clock.now_ns())
    w.lanes = Lanes(clock)
    w.called = Caller()
    w.inflight, w.retry_at, w.cannot_enforce = set(), {}, {}
    w.held = {}                                 # resumed, waiting for risk's word
    w._timers, w._timer_seq = [], 0             # Worker's timers: a pending retry sets one
    w.pub = Pub()
    w.submitted = []
    w.executor = types.SimpleNamespace(submit=w.submitted.append, at_broker={},
                                       settings=Settings(), withdrawn={})
    w.waits = {}                                # queued in a lane: what each waits behind
    return w


def flatten(cid: str) -> Command:
    return Command(id=cid, decision_id=cid.split(".")[0], account_id=A, action="flatten",
                   rule="self_lock", reason="locked by the trader")


def close(cid: str, contract: str = MNQ) -> Command:
    return Command(id=cid, decision_id=cid.split(".")[0], account_id=A,
                   action="close_position", rule="lockout", contract_id=contract)


def back(cid: str, by: str = "admin:root") -> WithdrawCommand:
    return WithdrawCommand(command_id=cid, account_id=A, by=by,
                           reason=f"the lockout ended ({by})", what="flatten (MNQ long 1)")


def market_closed(w: EnforcementWorker, cmd: Command) -> None:
    """The running job's outcome: the broker refused it, market closed (executor.py)."""
    w.journal.pending(cmd.id, "market closed", attempts=1, calls=1)
    w._on_outcome(Outcome(kind=PENDING, command=cmd, result=CommandResult(
        command_id=cmd.id, account_id=A, status="accepted", detail="market closed")))


@pytest.fixture
def w(tmp_path, clock):
    w = worker(str(tmp_path / "enforcement.sqlite"), clock)
    yield w
    w.journal.close()


def test_pending_command_is_withdrawn_and_not_retried(w, clock):
    cmd = flatten("d1.1")
    w.accept(cmd)
    assert [j.command.id for j in w.submitted] == ["d1.1"]
    market_closed(w, cmd)
    assert "d1.1" in w.retry_at
    w.withdraw(back("d1.1"))
    res = w.pub.sent[-1]
    assert res.status == WITHDRAWN and res.status in FINAL_STATUSES
    assert res.detail == ("withdrawn: flatten (MNQ long 1) was not carried out: "
                          "the lockout ended (admin:root)")
    assert w.journal.get("d1.1").final
    clock.advance(120)
    w._retry_pending()                          # the market opens: nothing runs again
    assert [j.command.id for j in w.submitted] == ["d1.1"]
    w.accept(cmd)                               # risk re-sends it: its stored result
    assert w.pub.sent[-1].status == WITHDRAWN
    assert [j.command.id for j in w.submitted] == ["d1.1"]


def test_queued_command_is_withdrawn_the_running_one_finishes(w):
    first, queued = close("d1.1"), close("d2.1")
    w.accept(first)
    w.accept(queued)                            # same contract: queued behind the first
    assert [j.command.id for j in w.submitted] == ["d1.1"]
    w.withdraw(back("d2.1"))
    assert w.pub.sent[-1].status == WITHDRAWN
    w.withdraw(back("d1.1"))                    # running now: stops at its next trading call
    assert w.pub.sent[-1].status == "accepted"
    assert not w.journal.get("d1.1").final
    assert w.executor.withdrawn["d1.1"].command_id == "d1.1"
    assert w.journal.withdraw_asked("d1.1") is not None
    # the running one ends: the lane is not handed to the withdrawn one
    res = CommandResult(command_id="d1.1", account_id=A, status=DONE, detail="closed")
    w.journal.finish(res)
    w._on_outcome(Outcome(kind=FINAL, command=first, result=res))
    assert [j.command.id for j in w.submitted] == ["d1.1"]
    assert w.pub.sent[-1].status == DONE


def test_finished_and_unknown_commands_answer_their_stored_result(w):
    cmd = close("d1.1")
    w.accept(cmd)
    res = CommandResult(command_id="d1.1", account_id=A, status=DONE, detail="closed")
    w.journal.finish(res)
    w._on_outcome(Outcome(kind=FINAL, command=cmd, result=res))
    w.withdraw(back("d1.1"))
    assert w.pub.sent[-1].status == DONE and w.pub.sent[-1].detail == "closed"
    w.withdraw(back("d9.1"))                    # never received: journaled withdrawn
    assert w.pub.sent[-1].status == WITHDRAWN
    w.accept(close("d9.1"))                     # arriving late, it never runs
    assert w.pub.sent[-1].status == WITHDRAWN
    assert [j.command.id for j in w.submitted] == ["d1.1"]
    w.withdraw(back("d9.1"))                    # again: the same answer
    assert w.pub.sent[-1].status == WITHDRAWN


def test_withdrawn_is_not_resumed_after_a_restart(tmp_path, clock):
    path = str(tmp_path / "enforcement.sqlite")
    w = worker(path, clock)
    cmd = flatten("d1.1")
    w.accept(cmd)
    market_closed(w, cmd)
    w.withdraw(back("d1.1"))
    w.journal.close()
    again = worker(path, clock)
    try:
        assert again.journal.unfinished() == []
        again._resume()
        assert again.submitted == []
        again.accept(cmd)
        assert again.pub.sent[-1].status == WITHDRAWN
        assert again.submitted == []
    finally:
        again.journal.close()


def test_running_then_pending_is_withdrawn_by_the_withdraw_sent_again(w):
    """Withdrawn while it ran, the command went pending (the market refused its close): risk
    sends the withdraw again until a final result, which ends it now; nothing of it is kept."""
    cmd = flatten("d1.1")
    w.accept(cmd)
    w.withdraw(back("d1.1"))                    # running: marked, journaled
    assert "d1.1" in w.executor.withdrawn and w.journal.withdraw_asked("d1.1") is not None
    market_closed(w, cmd)
    w.withdraw(back("d1.1"))                    # risk's re-send: pending now, withdrawn
    assert w.pub.sent[-1].status == WITHDRAWN
    assert w.executor.withdrawn == {} and w.journal.withdraw_asked("d1.1") is None
