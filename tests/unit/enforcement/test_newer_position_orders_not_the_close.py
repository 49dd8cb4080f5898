"""The orders that opened a position the close leaves (newerposition.py: opened after riskd
decided) are the trader's, never the close's, even in the order search of a close call whose
answer was lost (it runs to the end of the command: that call may be carried out late).

flake24's replay of the make test at 56ade29c (test_late_carried_close_said[timed_out], the
close's check read 1.5 s late; also seen unforced in [risk_and_enforcement_killed] under
load): riskd's first close timed out, its second worked, the trader bought 1 after the
admin's unlock and before the check read. The close left the new long 1, but its result named
the trader's buy as the lost call's close order: risk took the buy as riskd's fill, and the
held close, carried out later, as the trader's own trade (no "Close taken as riskd's late
close", the trader's stop for the new position left working). Fails without the marking
(close_orders [buy, sell]); passes with it (the sell only)."""
from __future__ import annotations

from services.enforcement.executor import Executor, Job, Settings
from shared.messages.enforce import DONE, Command
from shared.projectx.errors import BrokerUnavailable
from shared.projectx.models import Order
from tests.unit.enforcement.fakebroker import CLOSE, FakeBroker

A = 7
MNQ = "CON.F.US.MNQ.Z26"
NS = 1_000_000_000


class TraderBuysBeforeTheCheck(FakeBroker):
    """The first close gets no answer (not carried out), the second works; the trader's
    market buy of 1 (its order listed by Order/search) opens a new long 1 right before the
    close's check read."""

    def __init__(self, clock):
        super().__init__(A, clock)
        self.positions = {MNQ: 2}
        self.opened = {MNQ: clock.now_ns() - NS}
        self.fail[CLOSE] = [BrokerUnavailable(CLOSE, 1, "timed out")]
        self.closes = 0

    def close_contract(self, account_id, contract_id):
        self.closes += 1
        super().close_contract(account_id, contract_id)

    def open_positions(self, account_id):
        if self.closes == 2 and not self.positions.get(MNQ):     # the check read
            self.clock.advance(3)
            self.positions[MNQ] = 1
            self.opened[MNQ] = self.clock.now_ns()
            self.made.append(Order(id=8001, account_id=A, contract_id=MNQ,
                                   created_ns=self.clock.now_ns(), updated_ns=0, status=2,
                                   type=2, side=0, size=1))
        return super().open_positions(account_id)


def test_the_new_positions_buy_is_not_the_lost_closes_order(clock, journal):
    broker = TraderBuysBeforeTheCheck(clock)
    cmd = Command(id="d1.1", decision_id="d1", account_id=A, action="close_position",
                  rule="daily_unrealized_loss", contract_id=MNQ, held=2,
                  event_ns=clock.now_ns(), issued_ns=clock.now_ns(),
                  opened_ns=clock.now_ns() - NS)
    ex = Executor(lambda _b: broker, journal, clock, Settings(settle=0), sleep=clock.advance)
    entry, _new = journal.receive(cmd, clock.now_ns())
    res = ex.run(Job(entry, str(A)), broker).result
    assert res.status == DONE, res.detail
    assert broker.positions[MNQ] == 1 and broker.closes == 2, broker.trading()
    assert "not closed by it" in res.detail, res.detail
    assert [o.side for o in res.close_orders] == [1], res.close_orders   # riskd's sell only
