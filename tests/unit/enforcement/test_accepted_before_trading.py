"""A command's 'accepted' result is published before its first trading call, while its thread
starts, journals it running and reads the broker meanwhile (issue 21: the loop published
first and submitted after, so every breach's close waited for the publish and then for a pool
thread to wake; ~0.15 ms of the breach -> closeContract path).

The guarantee kept: risk hears of a command before any fill of it (the kill switch's flatten,
which risk did not decide: services/risk/app.py _on_market). Both tests fail on the code
before (checked on main at e66a846f: Job has no `announced`, and the loop published before it
submitted)."""
from __future__ import annotations

import threading
import time

from services.enforcement.executor import FINAL, Executor, Job, Settings
from shared.messages.enforce import DONE, Command, CommandResult
from tests.unit.enforcement.fakebroker import CLOSE, POSITIONS, FakeBroker, order
from tests.unit.enforcement.test_withdraw import A, MNQ, close, flatten, worker


def _until(condition, what: str, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.001)


def test_a_job_reads_but_makes_no_trading_call_until_its_accepted_is_out(journal, clock):
    broker = FakeBroker(A)
    broker.positions = {MNQ: 2}
    broker.orders = {1: order(A, 1, MNQ)}
    cmd = Command(id="d1.1", decision_id="d1", account_id=A, action="flatten", rule="r")
    entry, _new = journal.receive(cmd, 0)
    gate = threading.Event()
    executor = Executor(lambda _b: broker, journal, clock, Settings(settle=0))
    outcomes = []
    thread = threading.Thread(
        target=lambda: outcomes.append(executor.run(Job(entry, "7", announced=gate), broker)))
    thread.start()
    # the journal row and the positions read go on; the close waits for the gate
    _until(lambda: (POSITIONS, None) in broker.log, "the flatten's positions read")
    _until(lambda: journal.get("d1.1").state == "running", "the journal's running row")
    time.sleep(0.05)
    assert broker.trading() == [] and thread.is_alive()
    gate.set()
    thread.join(5)
    assert outcomes and outcomes[0].kind == FINAL and outcomes[0].result.status == DONE
    assert broker.trading()[0] == (CLOSE, MNQ)


def test_the_loop_submits_first_and_opens_the_gate_only_once_accepted_is_published(
        tmp_path, clock):
    w = worker(str(tmp_path / "enforcement.sqlite"), clock)
    jobs, seen = [], []                  # seen: (what, its gate open then)
    w.executor.submit = lambda job: (jobs.append(job), seen.append(
        ("submit", job.announced.is_set())))
    publish = w.pub.publish

    def published(topic, msg):
        publish(topic, msg)
        seen.append(("publish", jobs[-1].announced.is_set() if jobs else None))
    w.pub.publish = published
    try:
        w.accept(flatten("f.1"))
        # the thread starts first; its gate opens only after the 'accepted' is out
        assert seen == [("submit", False), ("publish", False)]
        assert jobs[0].announced.is_set()
        assert [m.status for m in w.pub.sent if isinstance(m, CommandResult)] == ["accepted"]
        # a command queued behind the flatten is announced as waiting, not submitted; its
        # gate is open by the time it runs
        seen.clear()
        w.accept(close("c.1"))
        assert [s[0] for s in seen] == ["publish"] and len(jobs) == 1
        started = w.lanes.done(flatten("f.1"))
        assert [j.command.id for j in started] == ["c.1"] and started[0].announced.is_set()
    finally:
        w.journal.close()
