"""A flatten resumed after enforcement was killed lists as unsettled only the closes the killed
process sent, by contract, not every contract the resumed run closes (trial22b finding 3).

The admin's flatten of MNQ 1 + ES 1; the killed process's close of ES was held at the broker
(its answer never came) when it was killed; MNQ it never reached. The resumed run closed both,
its MNQ close answered done. Before, the killed process's possible close was journaled for
"any contract" (contract ''), so the result listed it on MNQ too: risk expected a late close
of MNQ for 2 minutes, and the trader's own close of a new MNQ position 50 s later was said
"riskd's earlier close of MNQ (sent at 08:22:31, before enforcement restarted) carried out
late" and left out of the trade count. Now a flatten journals each contract before its first
close call there (progress `sending`). Fails on the code before this fix (checked with the
fix reverted: the result listed MNQ and ES)."""
from __future__ import annotations

from services.enforcement.executor import Executor, Job, Settings
from services.enforcement.journal import Journal
from shared.latewords import RESTARTED
from shared.messages.enforce import DONE, Command, LostCall
from tests.unit.enforcement.fakebroker import CLOSE, POSITIONS, FakeBroker

A = 7
MNQ = "CON.F.US.MNQ.Z26"
ES = "CON.F.US.EP.Z26"


class Killed(BaseException):
    """kill -9 of enforcement while its call is out: nothing after it runs."""


def flatten() -> Command:
    return Command(id="f1.1", decision_id="f1", account_id=A, action="flatten", rule="admin",
                   by="admin:root", reason="trial")


def executor(journal: Journal, clock, broker) -> Executor:
    return Executor(lambda _b: broker, journal, clock, Settings(settle=0),
                    sleep=lambda s: clock.advance(s))


def killed_in(path: str, clock, broker, endpoint: str) -> int:
    """The first process runs the flatten and is killed in its first call to `endpoint` (a
    close held at the broker is not carried out). The time the command started."""
    first = Journal(path, clock.now_ns())
    first.receive(flatten(), clock.now_ns())
    started = clock.now_ns()
    broker.fail[endpoint] = [Killed()]
    try:
        executor(first, clock, broker).run(Job(first.get("f1.1"), str(A)), broker)
    except Killed:
        pass
    first.close()
    clock.advance(3)
    return started


def killed_in_the_es_close(path: str, clock, broker) -> int:
    """Killed in its first close call (ES's)."""
    started = killed_in(path, clock, broker, CLOSE)
    assert [a for e, a in broker.trading() if e == CLOSE] == [ES]      # ES's call only
    return started


def test_only_the_contract_the_killed_process_sent_a_close_on_is_unsettled(tmp_path, clock):
    broker = FakeBroker(A, clock)
    broker.positions = {ES: 1, MNQ: 1}            # the flatten closes ES first
    path = str(tmp_path / "j.sqlite")
    started = killed_in_the_es_close(path, clock, broker)
    second = Journal(path, clock.now_ns())
    out = executor(second, clock, broker).run(Job(second.get("f1.1"), str(A), recheck=True),
                                              broker)
    assert out.result.status == DONE and broker.positions == {ES: 0, MNQ: 0}, out.result
    assert out.result.unsettled == [LostCall(contract_id=ES, size=0, lost_ns=started,
                                             how=RESTARTED)], out.result
    second.close()



def test_a_flatten_killed_before_any_close_lists_none_and_claims_no_close_sent(tmp_path,
                                                                               clock):
    """Killed while reading the positions (trial22c: a 401 and a new login first): no close
    was sent. The resumed run's result said "resumed after enforcement restarted: the close
    sent at ..., before the restart, got no answer and may still be carried out by the
    broker" and listed every contract it closed as unsettled (risk then took the trader's own
    close of either within 2 minutes as riskd's late close): a flatten with no `sending` row
    was read as one from before the journal kept it. Now a flatten's run journals `sending`
    (empty) when it starts. Fails before."""
    broker = FakeBroker(A, clock)
    broker.positions = {ES: 1, MNQ: 1}
    path = str(tmp_path / "j.sqlite")
    killed_in(path, clock, broker, POSITIONS)
    assert not [a for e, a in broker.trading() if e == CLOSE]            # no close was sent
    second = Journal(path, clock.now_ns())
    out = executor(second, clock, broker).run(Job(second.get("f1.1"), str(A), recheck=True),
                                              broker)
    assert out.result.status == DONE and broker.positions == {ES: 0, MNQ: 0}, out.result
    assert out.result.unsettled == [], out.result
    assert "before the restart" not in out.result.detail, out.result.detail
    second.close()


def test_a_row_from_before_the_journal_kept_sending_is_still_any_contract(tmp_path, clock):
    """A flatten row journaled by a riskd from before `sending` (its progress has no such
    key) still lists the killed process's possible close on every contract the resumed run
    closes: not known, so kept (the guarantee of the lost close)."""
    broker = FakeBroker(A, clock)
    broker.positions = {ES: 1, MNQ: 1}
    path = str(tmp_path / "j.sqlite")
    first = Journal(path, clock.now_ns())
    first.receive(flatten(), clock.now_ns())
    first.start("f1.1", clock.now_ns())
    first.save_progress("f1.1", {})          # an older riskd's row: no `sending`
    first.close()
    clock.advance(3)
    second = Journal(path, clock.now_ns())
    out = executor(second, clock, broker).run(Job(second.get("f1.1"), str(A), recheck=True),
                                              broker)
    assert {c.contract_id for c in out.result.unsettled} == {ES, MNQ}, out.result
    second.close()
