"""A close command resumed after enforcement was killed during its held close: when the killed
process's call is carried out by the broker while the resumed close runs (after it read the
position open, before its own close: the broker answers that one "position not found"), the
result says the close riskd sent before the restart closed it -- riskd's close, not "nothing
to do: MNQ was already flat", as if someone else had (small19's leftover of trial18c: `sim
fail Position/closeContract --hold`, kill -9 enforcement, release). On main's code the test
fails (checked): "... was already flat", and found_nothing_to_do."""
from __future__ import annotations

from services.enforcement.executor import Executor, Job, Settings
from services.enforcement.journal import Journal
from shared.messages.enforce import DONE, found_nothing_to_do
from tests.unit.enforcement.fakebroker import FakeBroker
from tests.unit.enforcement.test_resumed_close_lists_the_killed_call import (
    A, MNQ, close, killed_during_the_close, resume)


class HeldCallCarriedOut(FakeBroker):
    """The killed process's held closeContract is carried out just before the resumed
    process's own close reaches the broker."""
    held = True

    def close_contract(self, account_id: int, contract_id: str) -> None:
        if self.held:
            self.held = False
            self._made(contract_id, self.positions[contract_id], abs(self.positions[contract_id]))
            self.positions[contract_id] = 0
        super().close_contract(account_id, contract_id)


def test_the_resumed_close_says_the_close_sent_before_the_restart_closed_it(tmp_path, clock):
    broker = HeldCallCarriedOut(A, clock)
    broker.positions = {MNQ: 1}                  # held at the broker: still open at the resume
    journal, _started = killed_during_the_close(str(tmp_path / "j.sqlite"), clock, broker)
    out = resume(journal, clock, broker)
    result = out.result
    assert result.status == DONE and broker.positions[MNQ] == 0, result
    assert "was already flat" not in result.detail, result.detail
    assert (f"MNQ on account {A} is flat: closed by the close riskd sent before enforcement "
            f"restarted") in result.detail, result.detail
    assert not found_nothing_to_do(result.status, result.first_answer_ns), result
    # its order is riskd's close (risk takes the fill as riskd's), and nothing is left to
    # come late
    assert [o.order_id for o in result.close_orders] == [broker.made[-1].id], result
    assert result.unsettled == [], result
    journal.close()


def test_a_close_found_gone_with_no_earlier_call_outstanding_is_still_already_flat(tmp_path,
                                                                                   clock):
    """Not resumed after a restart: nothing of riskd's was sent before, so the position closed
    just before riskd's close (the trader's) leaves "already flat"."""
    broker = HeldCallCarriedOut(A, clock)        # here: the trader's close, just before
    broker.positions = {MNQ: 1}
    journal = Journal(str(tmp_path / "j.sqlite"), clock.now_ns())
    journal.receive(close(), clock.now_ns())
    ex = Executor(lambda _b: broker, journal, clock, Settings(settle=0),
                  sleep=lambda s: clock.advance(s))
    out = ex.run(Job(journal.get("d1.1"), str(A)), broker)
    assert out.result.detail == f"MNQ on account {A} was already flat", out.result.detail
    journal.close()
