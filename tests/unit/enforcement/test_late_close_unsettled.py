"""A close whose answer was lost may still be carried out by the broker after the command ends
(the sim's slow success longer than [broker] timeout; flake17's run: a reduce 5 -> 4 timed out,
its second round cut to 4, the broker carried the first out late, 5 -> 3, and risk counted
that late sell as the trader's 6th trade of the minute). The result lists such closes
(CommandResult.unsettled), so risk keeps their fills as riskd's; a lost close whose effect a
read showed (the next round found the target reached, or PositionNotFound) is not listed.
Before cutting again, a reduce gives a lost partial close one more broker timeout to land
(reads every second: services/enforcement/lostcuts.py), so one carried out late does not
over-cut; tests/unit/enforcement/test_lost_cut_waited.py plays every moment it can land."""
from __future__ import annotations

import pytest

from services.enforcement.executor import Executor, Job, Settings
from shared.messages.enforce import DONE, Command, LostCall
from shared.projectx.errors import BrokerUnavailable
from tests.unit.enforcement.fakebroker import PARTIAL, FakeBroker

A = 7
MNQ = "CON.F.US.MNQ.Z26"


class LateBroker(FakeBroker):
    """Its first partial close times out unapplied; `applied` says whether the broker carries
    it out before the next read (True) or only after the command ended (False)."""

    def __init__(self, applied: bool, lands_after=None):
        super().__init__(A)
        self.applied = applied
        self.lands_after = lands_after      # position reads after the timeout it lands on
        self.held: list[tuple[str, int]] = []

    def partial_close_contract(self, account_id, contract_id, size):
        if not self.held and not any(c[0] == PARTIAL for c in self.log):
            self._enter(PARTIAL, (contract_id, size))
            if self.applied:
                self.positions[contract_id] -= size
            else:
                self.held.append((contract_id, size))
            raise BrokerUnavailable(PARTIAL, 3, "timeout")
        super().partial_close_contract(account_id, contract_id, size)

    def release(self) -> None:
        for cid, size in self.held:
            self.positions[cid] -= size
        self.held = []

    def open_positions(self, account_id):
        if self.held and self.lands_after is not None:
            self.lands_after -= 1
            if self.lands_after < 0:        # carried out a moment after the timeout
                self.release()
        return super().open_positions(account_id)


def run(journal, clock, broker, cmd):
    ex = Executor(lambda _b: broker, journal, clock, Settings(settle=0),
                  sleep=lambda s: clock.advance(s))
    entry, _new = journal.receive(cmd, 0)
    return ex.run(Job(entry, str(A)), broker)


def reduce(cid="d1.1") -> Command:
    return Command(id=cid, decision_id=cid.split(".")[0], account_id=A,
                   action="reduce_position", rule="max_contracts", contract_id=MNQ, size=1,
                   target=4)


def test_a_partial_close_timed_out_and_done_again_is_listed_as_unsettled(journal, clock):
    broker = LateBroker(applied=False)
    broker.positions = {MNQ: 5}
    out = run(journal, clock, broker, reduce())
    assert out.result.status == DONE and broker.positions[MNQ] == 4, out.result
    lost = LostCall(contract_id=MNQ, size=1, lost_ns=clock.now_ns(), how="answer lost")
    [call] = out.result.unsettled
    assert (call.contract_id, call.size, call.how) == (MNQ, 1, "answer lost"), out.result
    assert 0 < call.lost_ns <= lost.lost_ns          # when enforcement gave up on it
    # the stored result (a duplicate command is answered with it) says so too
    assert journal.get("d1.1").result().unsettled == [call]
    broker.release()                          # the broker carries the first one out late
    assert broker.positions[MNQ] == 3


def test_a_lost_partial_close_landing_within_a_second_is_not_cut_again(journal, clock):
    broker = LateBroker(applied=False, lands_after=2)     # lands ~2 s after the timeout
    broker.positions = {MNQ: 5}
    start = clock.monotonic()
    out = run(journal, clock, broker, reduce())
    assert out.result.status == DONE and broker.positions[MNQ] == 4, out.result
    assert [c for c in broker.trading() if c[0] == PARTIAL] == [(PARTIAL, (MNQ, 1))], \
        broker.trading()                     # never sent again: no over-cut to 3
    assert out.result.unsettled == [], out.result
    assert clock.monotonic() - start < 3     # the backoff and two grace reads, 1 s apart


def test_a_lost_close_the_next_read_shows_carried_out_is_not_listed(journal, clock):
    broker = LateBroker(applied=True)
    broker.positions = {MNQ: 5}
    out = run(journal, clock, broker, reduce())
    assert out.result.status == DONE and broker.positions[MNQ] == 4, out.result
    assert out.result.unsettled == [], out.result
