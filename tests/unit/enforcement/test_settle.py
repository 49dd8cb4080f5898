"""A settle holds no pool thread: the command's turn ends, and it continues at the verification.

The executor on a fake broker that books a close's fill only when the test says so (what the
settle waits for), the journal on disk; one test runs the real pool threads.
"""
from __future__ import annotations

import queue

import pytest

from services.enforcement.executor import FINAL, SETTLE, Executor, Job, Settings
from services.enforcement.journal import RUNNING, Journal
from shared.messages.enforce import DONE, Command
from tests.unit.enforcement.fakebroker import CLOSE, POSITIONS, SEARCH, FakeBroker
from tests.unit.enforcement.test_executor import A, MNQ
SETTLE_S = 0.05


class LateBroker(FakeBroker):
    """closeContract is taken, its fill booked later (book()): until then the position shows."""

    def __init__(self, account: int = A):
        super().__init__(account)
        self.unbooked: set[str] = set()

    def close_contract(self, account_id: int, contract_id: str) -> None:
        size = self.positions.get(contract_id)
        super().close_contract(account_id, contract_id)
        self.positions[contract_id] = size                 # still open until booked
        self.unbooked.add(contract_id)

    def book(self) -> None:
        for cid in self.unbooked:
            self.positions[cid] = 0
        self.unbooked.clear()


def other_client(broker: FakeBroker) -> FakeBroker:
    """A second pool thread's client on the same broker (its own call count, one log)."""
    client = FakeBroker(broker.account)
    client.positions, client.orders, client.log = broker.positions, broker.orders, broker.log
    return client


def close(cid: str = "d1.1", account: int = A, contract: str = MNQ) -> Command:
    return Command(id=cid, decision_id="d1", account_id=account, action="close_position",
                   rule="r", contract_id=contract)


def received(journal: Journal, cmd: Command) -> Job:
    entry, _new = journal.receive(cmd, 0)
    return Job(entry, str(cmd.account_id))


def test_a_close_s_settle_ends_its_turn_and_the_next_turn_verifies_without_closing_again(
        journal, clock):
    ex = Executor(lambda _b: None, journal, clock, Settings(settle=SETTLE_S))
    broker = LateBroker()
    broker.positions = {MNQ: 2}
    out = ex.turn(received(journal, close()), broker)
    assert out.kind == SETTLE and out.wait == SETTLE_S and out.result is None
    assert [e for e, _ in broker.trading()] == [CLOSE]
    assert journal.get("d1.1").state == RUNNING        # a kill -9 now resumes it (re-reads)
    broker.book()                                       # what the settle waits for
    second = other_client(broker)                       # the next free thread
    done = ex.turn(out.again, second)
    assert [e for e, _ in broker.trading()] == [CLOSE]  # the close was not made again
    assert done.kind == FINAL and done.result.status == DONE, done.result.detail
    # the verification, on the new client, then the order the close created
    assert [e for e, _ in broker.log[-2:]] == [POSITIONS, SEARCH]
    assert second.calls == 2
    assert done.result.broker_calls == broker.calls + second.calls == 4


def test_run_waits_out_the_settles_itself(journal, clock):
    slept = []

    def sleep(s):
        slept.append(s)
        clock.advance(s)
    ex = Executor(lambda _b: None, journal, clock, Settings(settle=SETTLE_S), sleep=sleep)
    broker = FakeBroker(A)
    broker.positions = {MNQ: 1}
    out = ex.run(received(journal, close()), broker)
    assert out.kind == FINAL and out.result.status == DONE, out.result.detail
    assert slept == [SETTLE_S] and [e for e, _ in broker.trading()] == [CLOSE]


def test_a_close_killed_during_its_settle_is_resumed_by_a_re_read_not_a_second_close(
        tmp_path, clock):
    path = str(tmp_path / "j.sqlite")
    old = Journal(path, clock.now_ns())
    broker = LateBroker()
    broker.positions = {MNQ: 2}
    out = Executor(lambda _b: None, old, clock, Settings(settle=SETTLE_S)).turn(
        received(old, close()), broker)
    assert out.kind == SETTLE
    del out, old                                        # killed while it settled
    broker.book()
    journal = Journal(path, clock.now_ns())
    [entry] = journal.unfinished()
    ex = Executor(lambda _b: None, journal, clock, Settings(settle=0))
    done = ex.run(Job(entry), broker)
    assert done.result.status == DONE and "already flat" in done.result.detail
    assert [e for e, _ in broker.trading()] == [CLOSE]


@pytest.mark.timeout(60)
def test_one_pool_thread_sends_every_close_while_the_first_still_settles(journal, clock):
    """The wide move: three accounts' closes at once on a one-thread pool; each settle is
    long (30 s), yet all three closes go out at once (a settle holding its thread would
    send the second after 30 s)."""
    contracts = ("CON.F.US.MNQ.Z26", "CON.F.US.EP.Z26", "CON.F.US.ENQ.Z26")
    broker = FakeBroker(A)
    broker.positions = {c: 1 for c in contracts}
    ex = Executor(lambda _b: broker, journal, clock, Settings(threads=1, settle=30.0))
    ex.start()
    try:
        for k, cid in enumerate(contracts):
            ex.submit(received(journal, close(f"d{k}.1", A + k, cid)))
        settling = [ex.outcomes.get(timeout=10) for _ in contracts]
        assert [o.kind for o in settling] == [SETTLE] * 3
        assert sorted(a for e, a in broker.trading() if e == CLOSE) == sorted(contracts)
        for o in settling:                               # the loop's timer, at once
            ex.submit(o.again)
        finals = [ex.outcomes.get(timeout=10) for _ in contracts]
    finally:
        ex.stop()
    assert all(o.kind == FINAL and o.result.status == DONE for o in finals)
    assert len([e for e, _ in broker.trading() if e == CLOSE]) == 3
    with pytest.raises(queue.Empty):
        ex.outcomes.get_nowait()
