"""A reduce's cut the broker answered with an HTTP 5xx did what it did before it answered: a
market sell of the cut's size the broker made more than a second after that answer (the
clocks' skew, latewords.ANSWERED_NS) is the trader's, named so in the ✅ Done, never "either
this cut ... or the trader's own sell; riskd cannot tell which" with "riskd's cut may still be
carried out: until ... (2 minutes after this result)" (trial25c F8: risk then took the
trader's next sell as that cut). On the fake broker with a FakeClock: the cut answered HTTP
500 and not carried out, the trader's market sell of 2 made while the next read is on its
way, that read slow (0.5 s or 2 s: a loaded machine)."""
from __future__ import annotations

import pytest

from services.enforcement.executor import Job
from shared.messages.enforce import DONE
from shared.projectx.errors import BrokerUnavailable
from tests.unit.enforcement.fakebroker import PARTIAL, FakeBroker
from tests.unit.enforcement.test_lost_cut_waited import A, MNQ, S, executor, reduce


class Answered500(FakeBroker):
    """Its first partial close is answered HTTP 500 and not carried out; the first read of
    the positions after it takes `slow` s, the trader's market sell of 2 made at its end."""

    def __init__(self, clock, slow: float):
        super().__init__(A, clock)
        self.positions = {MNQ: 4}
        self.fail[PARTIAL] = [BrokerUnavailable(PARTIAL, 3, "HTTP 500", status=500)]
        self.slow, self.sell_at, self.answered_ns = slow, 0, 0

    def partial_close_contract(self, account_id, contract_id, size):
        try:
            super().partial_close_contract(account_id, contract_id, size)
        except BrokerUnavailable:
            if not self.answered_ns:
                self.answered_ns = self.clock.now_ns()
                self.sell_at = self.answered_ns
            raise

    def open_positions(self, account_id):
        if self.sell_at:
            self.clock.advance(self.slow)
            self.sell_at = 0
            self._made(MNQ, 1, 2)                   # the trader's own market sell of 2
            self.positions[MNQ] -= 2
        return super().open_positions(account_id)


@pytest.mark.parametrize("slow", [0.5, 2.0])
def test_a_sell_after_a_5xx_answer_is_the_traders(journal, clock, slow):
    broker = Answered500(clock, slow)
    entry, _ = journal.receive(reduce(), clock.now_ns())
    out = executor(journal, clock).run(Job(entry, str(A)), broker)
    assert out.result.status == DONE and broker.positions[MNQ] == 2, out.result
    assert [c for c in broker.trading() if c[0] == PARTIAL] == [(PARTIAL, (MNQ, 2))]
    sell = broker.made[0]
    detail = out.result.detail
    if sell.created_ns - broker.answered_ns <= S:
        # made by the answer (within the clocks' skew): the cut, or the trader's
        assert "either this cut, which the broker answered with HTTP 500" in detail, detail
        return
    assert slow == 2.0
    assert "cut by the trader's sell of 2 at " in detail and f"(order {sell.id}) while the " \
        "broker answered this cut with HTTP 500" in detail, detail
    assert "either" not in detail and "may still be carried out" not in detail, detail
    assert not out.result.close_orders, out.result              # the sell is not riskd's
    assert all(not c.either for c in out.result.unsettled), out.result
