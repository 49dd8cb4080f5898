"""A close command resumed after enforcement was killed (kill -9 while its close call was held
at the broker) lists the killed process's call as unsettled when its own close works: that
call may still be carried out by the broker later, and risk keeps its fill as riskd's and
says so (trial18c section 1: the held close of a killed enforcement, carried out 2 minutes
later, closed the trader's next position and was counted as the trader's trade). When the
killed process's close left its order before the resume (carried out already), or the
resumed command finds the position flat, nothing is listed: a trader's own close in the next
2 minutes stays the trader's."""
from __future__ import annotations

import datetime as dt

from services.enforcement.executor import Executor, Job, Settings
from services.enforcement.journal import Journal
from shared.clock import from_ns
from shared.latewords import RESTARTED
from shared.messages.enforce import DONE, Command, LostCall
from tests.unit.enforcement.fakebroker import FakeBroker

A = 7
MNQ = "CON.F.US.MNQ.Z26"


def close(cid: str = "d1.1") -> Command:
    return Command(id=cid, decision_id=cid.split(".")[0], account_id=A,
                   action="close_position", rule="daily_unrealized_loss", contract_id=MNQ)


def killed_during_the_close(path: str, clock, broker) -> tuple[Journal, int]:
    """The first process started the command (running) and was killed in its close call."""
    first = Journal(path, clock.now_ns())
    first.receive(close(), clock.now_ns())
    started = clock.now_ns()
    first.start("d1.1", started)
    first.close()
    clock.advance(3)
    return Journal(path, clock.now_ns()), started


def resume(journal: Journal, clock, broker):
    ex = Executor(lambda _b: broker, journal, clock, Settings(settle=0),
                  sleep=lambda s: clock.advance(s))
    return ex.run(Job(journal.get("d1.1"), str(A), recheck=True), broker)


def test_the_held_call_of_the_killed_process_is_unsettled(tmp_path, clock):
    broker = FakeBroker(A, clock)
    broker._made(MNQ, -1, 1)                      # the trader's buy, just before the breach
    broker.positions = {MNQ: 1}                   # the held call: not carried out yet
    clock.advance(0.5)
    journal, started = killed_during_the_close(str(tmp_path / "j.sqlite"), clock, broker)
    out = resume(journal, clock, broker)
    assert out.result.status == DONE and broker.positions[MNQ] == 0, out.result
    assert out.result.unsettled == [LostCall(contract_id=MNQ, size=0, lost_ns=started,
                                             how=RESTARTED)], out.result
    journal.close()


def test_a_close_the_killed_process_got_carried_out_is_not_unsettled(tmp_path, clock):
    """Its order is at the broker from before the resume: carried out; the trader bought
    again since, and the resumed command closes that (the fake's positions carry no creation
    time: with one, a position opened after riskd decided is left open,
    test_close_leaves_a_newer_position.py)."""
    broker = FakeBroker(A, clock)
    broker.positions = {MNQ: 2}
    path = str(tmp_path / "j.sqlite")
    first = Journal(path, clock.now_ns())
    first.receive(close(), clock.now_ns())
    first.start("d1.1", clock.now_ns())
    clock.advance(0.01)
    broker.close_contract(A, MNQ)                 # the killed process's close, carried out
    first.close()
    clock.advance(2)
    broker._made(MNQ, -1, 1)                      # the trader's buy
    broker.positions = {MNQ: 1}
    clock.advance(1)
    second = Journal(path, clock.now_ns())
    out = resume(second, clock, broker)
    assert out.result.status == DONE and broker.positions[MNQ] == 0, out.result
    assert out.result.unsettled == [], out.result
    second.close()


def test_a_resumed_close_that_finds_the_position_flat_lists_nothing(tmp_path, clock):
    broker = FakeBroker(A, clock)
    broker.positions = {MNQ: 0}
    journal, _ = killed_during_the_close(str(tmp_path / "j.sqlite"), clock, broker)
    out = resume(journal, clock, broker)
    assert out.result.status == DONE, out.result
    assert out.result.unsettled == [], out.result
    journal.close()


def test_the_result_says_the_close_was_resumed_and_the_first_call_may_still_come(
        tmp_path, clock):
    """Trial20a section 3: history and the "✅ Done" of a close that outlived a kill -9 of
    enforcement read a plain "MNQ closed"; the killed process's call, still held, closed
    the trader's next position 30 s later. The result says the close was resumed after the
    restart and that the first call may still be carried out (docs/alerts.md, ✅ Done)."""
    broker = FakeBroker(A, clock)
    broker._made(MNQ, -1, 1)
    broker.positions = {MNQ: 1}
    clock.advance(0.5)
    journal, started = killed_during_the_close(str(tmp_path / "j.sqlite"), clock, broker)
    out = resume(journal, clock, broker)
    assert out.result.status == DONE, out.result
    sent = f"{from_ns(started, dt.timezone.utc):%H:%M:%S}"
    # the line stays in history: it names when riskd stops taking a close as that call (2
    # minutes after the result), not only that it may still come (words22's leftover)
    until = f"{from_ns(out.result.finished_ns + 120 * 10**9, dt.timezone.utc):%H:%M:%S}"
    assert out.result.detail == (
        f"MNQ on account {A} closed; resumed after enforcement restarted: the close sent at "
        f"{sent}, before the restart, got no answer and may still be carried out by the "
        f"broker: until {until} (2 minutes after this result) riskd takes a close of the "
        f"whole position as that one, and says so; after that, as the trader's own"), \
        out.result.detail
    journal.close()


def test_a_resumed_close_whose_first_call_was_carried_out_says_no_more(tmp_path, clock):
    """The killed process's close was carried out before the resume (its order is there):
    nothing may come later, and the result does not say it may."""
    broker = FakeBroker(A, clock)
    broker.positions = {MNQ: 2}
    path = str(tmp_path / "j.sqlite")
    first = Journal(path, clock.now_ns())
    first.receive(close(), clock.now_ns())
    first.start("d1.1", clock.now_ns())
    clock.advance(0.01)
    broker.close_contract(A, MNQ)
    first.close()
    clock.advance(2)
    broker._made(MNQ, -1, 1)
    broker.positions = {MNQ: 1}
    clock.advance(1)
    second = Journal(path, clock.now_ns())
    out = resume(second, clock, broker)
    assert out.result.status == DONE, out.result
    assert "resumed after enforcement restarted" not in out.result.detail, out.result.detail
    second.close()
