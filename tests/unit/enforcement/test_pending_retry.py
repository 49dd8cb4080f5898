"""A pending command (the broker said the market is closed) runs again when its retry is due,
from a timer set for that moment: enforcement has no check that wakes it 4 times a second
while nothing is pending (issue 21, idle CPU). A re-send from risk retries it at the next turn
of the loop.

The worker's loop (services/enforcement/app.py) is driven by hand with a fake clock: jobs it
submits are recorded, not run.
"""
from __future__ import annotations

import types

import pytest

from services.enforcement.app import PENDING_RETRY, EnforcementWorker
from services.enforcement.executor import PENDING, Outcome
from services.enforcement.executor import Settings
from services.enforcement.journal import Journal
from services.enforcement.lanes import Lanes
from shared.accountname import Caller
from shared.messages.enforce import Command, CommandResult

A = 1001


class Pub:
    def __init__(self):
        self.sent: list = []

    def publish(self, topic, msg):
        self.sent.append(msg)


@pytest.fixture
def w(tmp_path, clock):
    w = EnforcementWorker.__new__(EnforcementWorker)
    w.clock = clock
    w.config = types.SimpleNamespace(accounts=[])
    w.journal = Journal(str(tmp_path / "enforcement.sqlite"), clock.now_ns())
    w.lanes = Lanes(clock)
    w.called = Caller()
    w.inflight, w.retry_at, w.cannot_enforce = set(), {}, {}
    w.held = {}                                 # resumed, waiting for risk's word
    w._timers, w._timer_seq, w.max_wait_ms = [], 0, 5000   # Worker's timers, as run() sets them
    w.pub = Pub()
    w.submitted = []
    w.executor = types.SimpleNamespace(submit=w.submitted.append, at_broker={},
                                       settings=Settings(), withdrawn={})
    w.waits = {}                                # queued in a lane: what each waits behind
    yield w
    w.journal.close()


def flatten(cid: str) -> Command:
    return Command(id=cid, decision_id=cid.split(".")[0], account_id=A, action="flatten",
                   rule="self_lock", reason="locked by the trader")


def market_closed(w: EnforcementWorker, cmd: Command) -> None:
    """The running job's outcome: the broker refused it, market closed (executor.py)."""
    w.journal.pending(cmd.id, "market closed", attempts=1, calls=1)
    w.lanes.done(cmd)
    w._on_outcome(Outcome(kind=PENDING, command=cmd, result=CommandResult(
        command_id=cmd.id, account_id=A, status="accepted", detail="market closed")))


def submitted(w) -> list:
    return [j.command.id for j in w.submitted]


def test_a_pending_command_runs_again_when_its_retry_is_due(w, clock):
    cmd = flatten("d1.1")
    w.accept(cmd)
    market_closed(w, cmd)
    first = PENDING_RETRY[0]
    clock.advance(first - 0.01)
    w._run_timers()
    assert submitted(w) == ["d1.1"]                   # not yet
    assert 0 < w._run_timers() <= 20                  # the loop sleeps until it is due
    clock.advance(0.01)
    w._run_timers()
    assert submitted(w) == ["d1.1", "d1.1"]           # due: it runs again, at its time


def test_a_resend_from_risk_retries_a_pending_command_at_the_next_turn(w, clock):
    cmd = flatten("d1.1")
    w.accept(cmd)
    market_closed(w, cmd)
    clock.advance(0.3)
    w.accept(cmd)                                     # risk re-sends it (its timeout)
    w._run_timers()                                   # the next turn of the loop
    assert submitted(w) == ["d1.1", "d1.1"]
