"""Lanes with the executor on a fake broker: a command waiting out a retry backoff hands its
lane to the command queued behind it; nothing is dropped, rounds and journal counts add up.

The loop's part (services/enforcement/app.py: enter a job, submit what `done` returns) is
played by the test, one job at a time, so the order of broker calls is exact.
"""
from __future__ import annotations

import threading

import pytest

from services.enforcement.executor import FINAL, HANDOVER, Executor, Job, Settings
from services.enforcement.journal import Journal
from services.enforcement.lanes import Lanes
from shared.clock import FakeClock, SystemClock
from shared.messages.enforce import DONE, FAILED, Command
from shared.projectx.errors import BrokerUnavailable
from tests.unit.enforcement.fakebroker import CLOSE, POSITIONS, QUERY, FakeBroker
from tests.unit.enforcement.test_executor import A, MNQ


def reduce(cid: str, size: int, contract: str = MNQ) -> Command:
    return Command(id=cid, decision_id=cid.split(".")[0], account_id=A,
                   action="reduce_position", rule="max_contracts", contract_id=contract,
                   size=size)


def close(cid: str, contract: str = MNQ) -> Command:
    return Command(id=cid, decision_id=cid.split(".")[0], account_id=A, action="close_position",
                   rule="lockout", contract_id=contract)


class Trader(FakeBroker):
    """The broker of a trader who buys again on a locked account: `after_close` runs right
    after a close (the next buy lands, risk's command for it reaches enforcement). Each close
    records the clock's time."""

    def __init__(self, clock: FakeClock):
        super().__init__(A)
        self.clock = clock
        self.after_close: list = []
        self.closed_at: list[tuple[str, float]] = []
        self.stuck: set[str] = set()           # contracts whose close is taken, never fills

    def close_contract(self, account_id: int, contract_id: str) -> None:
        self.closed_at.append((contract_id, self.clock.monotonic()))
        if contract_id in self.stuck:
            self._enter(CLOSE, contract_id)
            return
        super().close_contract(account_id, contract_id)
        if self.after_close:
            self.after_close.pop(0)()


@pytest.fixture
def slept():
    return []


@pytest.fixture
def sleep(clock, slept):
    """A sleep that only moves the fake clock, and records what it slept."""
    def sleep(s):
        slept.append(s)
        clock.advance(s)
    return sleep


@pytest.fixture
def lanes(clock, sleep):
    return Lanes(clock, sleep=sleep)


@pytest.fixture
def executor(journal, clock, lanes, sleep):
    return Executor(lambda _b: FakeBroker(), journal, clock, Settings(settle=0), sleep=sleep,
                    pause=lanes.pause, queued=lanes.queued)


def job(journal, cmd: Command) -> Job:
    entry, _new = journal.receive(cmd, 0)
    return Job(entry, str(A))


def test_a_retrying_close_hands_its_lane_to_the_close_of_the_next_position(
        executor, journal, lanes, clock, slept):
    """Storm bench finding: the first close's verification read saw the trader's NEXT
    position, retried, and slept its backoff holding the lane while that position's own close
    waited behind it (~300 ms open instead of ~10 ms). Put back by hand (Lanes.pause always
    sleeping): the first run sleeps 0.25 s, closes the new position itself in round 2 and
    ends DONE after 2 rounds: this test fails.

    The first close's own call was answered, and the close queued behind it is of the same
    contract: the first ends done at the handover, with no second turn (executor
    `queued`, close_position.handed_to)."""
    broker = Trader(clock)
    broker.positions = {MNQ: 1}
    first, second = close("d1.1"), close("d2.1")

    def next_buy():
        broker.positions[MNQ] = 1
        assert not lanes.enter(job(journal, second))        # queued behind the first
    broker.after_close.append(next_buy)

    j1 = job(journal, first)
    assert lanes.enter(j1)
    out = executor.run(j1, broker)
    assert out.kind == FINAL and out.result.status == DONE and slept == []
    assert out.result.detail == ("MNQ on account 7 closed; what is open on it now (a later "
                                 f"fill) is closed by the next close of it, queued behind this "
                                 f"one")
    assert out.result.attempts == 1 and "still open" in out.result.errors[0]
    [following] = lanes.done(first)
    assert following.command.id == "d2.1"
    out2 = executor.run(following, broker)
    assert out2.kind == FINAL and out2.result.status == DONE, out2.result.detail
    # the new position was closed at once, not after the first command's 0.25 s backoff
    assert broker.closed_at == [(MNQ, 0.0), (MNQ, 0.0)]
    assert lanes.done(second) == []
    assert [e for e, _ in broker.trading()] == [CLOSE, CLOSE]       # no close of a flat one
    assert broker.log[:3] == [(CLOSE, MNQ), (QUERY, None), (POSITIONS, None)]
    assert out.result.broker_calls == 4   # close, orders, verify, the close's order found
    assert journal.get("d1.1").final and journal.get("d2.1").final


def test_a_locked_trader_buying_again_and_again_gets_every_close_done_none_failed(
        executor, journal, lanes, clock, slept):
    """Storm bench, 2026-12-06: a locked trader's buy lands right after each of riskd's
    closes (8 in a row). Each close's verification sees the next position; before, the first
    close handed its lane over, came back, saw the next one, ... and gave up after 4 rounds:
    "ENFORCEMENT FAILED" on the screens for closes that had all worked. Now each ends done at
    its handover, no backoff is waited and the last one verifies flat. Put back by hand
    (handed_to returning None): the closes pass the lane around and wait out backoffs
    (slept [0.25]): this test fails."""
    broker = Trader(clock)
    broker.positions = {MNQ: 1}
    cmds = [close(f"d{k}.1") for k in range(1, 9)]

    def buy(k):
        def next_buy():
            broker.positions[MNQ] = 1
            assert not lanes.enter(job(journal, cmds[k]))
        return next_buy
    broker.after_close.extend(buy(k) for k in range(1, len(cmds)))
    first = job(journal, cmds[0])
    assert lanes.enter(first)
    outcomes = drive(lanes, executor, broker, first)
    results = {o.command.id: o.result for o in outcomes if o.kind == FINAL}
    assert sorted(results) == sorted(c.id for c in cmds)
    assert {r.status for r in results.values()} == {DONE}, \
        [r.detail for r in results.values() if r.status != DONE]
    assert results["d8.1"].detail == "MNQ on account 7 closed"
    assert broker.positions[MNQ] == 0 and slept == []
    assert [e for e, _ in broker.trading()] == [CLOSE] * 8       # one close per position


def test_a_reduce_queued_for_the_contract_does_not_end_the_first(executor, journal, lanes,
                                                                 clock, slept):
    """handed_to only ends a close when the queued command closes ITS contract all the way (a
    close of it, a flatten): a queued reduce of MNQ leaves the MNQ close to come back, re-read
    and close what is still open."""
    broker = Trader(clock)
    broker.positions = {MNQ: 2}
    first, second = close("d1.1"), reduce("d2.1", 1)

    def late():
        broker.positions[MNQ] = 2                  # the close has not filled yet
        assert not lanes.enter(job(journal, second))
    broker.after_close.append(late)
    j1 = job(journal, first)
    assert lanes.enter(j1)
    outcomes = drive(lanes, executor, broker, j1)
    assert [o.kind for o in outcomes] == [HANDOVER, FINAL, FINAL]
    assert outcomes[-1].command.id == "d1.1" and outcomes[-1].result.status == DONE
    assert broker.positions[MNQ] == 0


def test_with_nothing_queued_the_backoff_is_waited_out_in_the_lane(executor, journal, lanes,
                                                                  clock, slept):
    broker = Trader(clock)
    broker.positions = {MNQ: 1}
    broker.after_close.append(lambda: broker.positions.update({MNQ: 1}))   # not flat yet
    j1 = job(journal, close("d1.1"))
    assert lanes.enter(j1)
    out = executor.run(j1, broker)
    assert out.kind == FINAL and out.result.status == DONE and out.result.attempts == 2
    assert slept == [0.25] and lanes.done(j1.command) == []


def test_a_command_that_hands_over_still_gets_its_rounds_only_and_ends_failed(
        executor, journal, lanes, clock, slept):
    """The limit counts every round over every turn: a close that never fills (MNQ stays
    open) hands over to the reduce of MNQ queued behind it, then runs rounds 2 to 4 and fails,
    with its four errors, rounds and calls journaled."""
    broker = Trader(clock)
    broker.positions = {MNQ: 3}
    broker.stuck.add(MNQ)
    first, second = close("d1.1"), reduce("d2.1", 1)
    j1 = job(journal, first)
    assert lanes.enter(j1)
    assert not lanes.enter(job(journal, second))
    out = executor.run(j1, broker)
    assert out.kind == HANDOVER and slept == []
    [j2] = lanes.done(first, out.again)
    out2 = executor.run(j2, broker)
    assert out2.result.status == DONE and broker.positions[MNQ] == 2
    [j3] = lanes.done(second)
    out3 = executor.run(j3, broker)
    assert lanes.done(first) == []
    assert out3.kind == FINAL and out3.result.status == FAILED
    assert "gave up after 4 rounds" in out3.result.detail
    assert out3.result.attempts == 4 and len(out3.result.errors) == 4
    assert slept == [0.25, 0.5, 1.0]
    # round 1: close, orders, verify; rounds 2-4: re-read, close, orders, verify; then the
    # orders its closes created
    assert out3.result.broker_calls == 3 + 3 * 4 + 1
    row = journal.get("d1.1")
    assert row.final and (row.attempts, row.calls) == (4, 16)


def test_a_handover_left_by_a_killed_process_resumes_with_a_re_read(tmp_path, clock):
    """Killed after a handover (the queued job is only in memory): the journal row is still
    running with round 1 counted; the next process re-reads before any close."""
    path = str(tmp_path / "j.sqlite")
    journal = Journal(path, clock.now_ns())
    lanes = Lanes(clock, sleep=clock.advance)
    ex = Executor(lambda _b: None, journal, clock, Settings(settle=0), sleep=clock.advance,
                  pause=lanes.pause)
    broker = Trader(clock)
    broker.positions = {MNQ: 1}
    first = close("d1.1")

    def next_buy():
        broker.positions[MNQ] = 1
        lanes.enter(job(journal, close("d2.1")))
    broker.after_close.append(next_buy)
    j1 = job(journal, first)
    lanes.enter(j1)
    assert ex.run(j1, broker).kind == HANDOVER
    journal.close()                                            # killed here
    broker.positions[MNQ] = 0                                  # (d2.1's close had worked)
    journal = Journal(path, clock.now_ns())
    ex = Executor(lambda _b: None, journal, clock, Settings(settle=0), sleep=clock.advance)
    entries = {e.command.id: e for e in journal.unfinished()}
    assert entries["d1.1"].state == "running" and entries["d1.1"].attempts == 1
    calls = len(broker.trading())
    out = ex.run(Job(entries["d1.1"], recheck=True), broker)
    assert out.result.status == DONE and out.result.attempts == 2
    assert len(broker.trading()) == calls                      # re-read, nothing sent again


def test_a_command_queued_during_the_backoff_wakes_it_at_once(tmp_path):
    """Real threads and a real condition: the next command arrives while the first one waits
    out a 30 s backoff; the first hands its lane over at once (the bound only proves it did
    not wait the backoff out)."""
    clock = SystemClock()
    journal = Journal(str(tmp_path / "j.sqlite"), clock.now_ns())
    lanes = Lanes(clock)
    pausing = threading.Event()

    def pause(cmd, seconds):
        pausing.set()
        return lanes.pause(cmd, seconds)
    ex = Executor(lambda _b: None, journal, clock,
                  Settings(settle=0, backoff=30.0, backoff_max=30.0), pause=pause)
    broker = Trader(clock)
    broker.positions = {MNQ: 1}
    broker.stuck.add(MNQ)
    first = close("d1.1")
    j1 = job(journal, first)
    assert lanes.enter(j1)
    outcome = []
    worker = threading.Thread(target=lambda: outcome.append(ex.run(j1, broker)), daemon=True)
    started = clock.monotonic()
    worker.start()
    assert pausing.wait(10)
    assert not lanes.enter(job(journal, close("d2.1")))
    worker.join(10)
    assert outcome and outcome[0].kind == HANDOVER
    assert clock.monotonic() - started < 20
    assert outcome[0].again.carry.rounds == 1


def drive(lanes: Lanes, executor: Executor, broker, job: Job, turns: int = 50) -> list:
    """Play the loop's part: run the job holding the lane, hand its outcome to the lanes,
    run what they give next; every outcome in order."""
    outcomes = []
    while job is not None:
        assert len(outcomes) < turns, "the lane is passed around without end"
        out = executor.run(job, broker)
        outcomes.append(out)
        started = lanes.done(out.command, out.again)
        assert len(started) <= 1, "drive plays one job at a time"
        job = started[0] if started else None
    return outcomes


def test_two_commands_in_their_backoff_do_not_pass_the_lane_back_and_forth(
        executor, journal, lanes, clock, slept):
    """Two closes of MNQ whose calls all fail (HTTP 500): each hands the slot to the other
    only when that one's own backoff is over, so every turn runs a round (4 each) and the
    waits overlap."""
    broker = Trader(clock)
    broker.positions = {MNQ: 1}
    broker.fail[CLOSE] = [BrokerUnavailable(CLOSE, 3, "HTTP 500")] * 8
    j1 = job(journal, close("d1.1"))
    assert lanes.enter(j1)
    assert not lanes.enter(job(journal, close("d2.1")))
    outcomes = drive(lanes, executor, broker, j1)
    finals = [o for o in outcomes if o.kind == FINAL]
    assert [o.result.command_id for o in finals] == ["d1.1", "d2.1"]
    assert all(o.result.status == FAILED and o.result.attempts == 4 for o in finals)
    assert len(outcomes) == 8                       # one round per turn, no empty turn
    assert len(broker.closed_at) == 8
    assert clock.monotonic() == pytest.approx(0.25 + 0.5 + 1.0)    # not twice that
