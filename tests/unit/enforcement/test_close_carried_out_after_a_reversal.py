"""riskd's close held at the broker while the trader reverses the position, then carried out on
what is open then (trial22a F2: long MNQ 1, daily_unrealized_loss's closeContract held 3 s by
the sim, the trader's market sell of 2 meanwhile: short 1; the held call then bought back that
short 1, and was answered done). History and the "✅ Done" said only "MNQ closed": nothing said
the trader's sell closed the long and opened a short that riskd's close then closed. And the
order search found both orders in the call's window: the trader's sell of 2, on the closing
side, was named as this close's order, so risk counted it as riskd's, not the trader's trade.

Now (services/enforcement/closedby.py reversal) the words say what happened and the trader's
reversing order is not among the result's close orders. Fails on the code before this fix
(checked with the fix reverted: "MNQ on account 7 closed", orders 9100 and 9101 listed)."""
from __future__ import annotations

import re

from services.enforcement.executor import Executor, Job, Settings
from shared.messages.enforce import DONE, Command
from shared.projectx.models import Order
from tests.unit.enforcement.fakebroker import CLOSE, FakeBroker

A = 7
MNQ = "CON.F.US.MNQ.Z26"


class HeldWhileTheTraderSells(FakeBroker):
    """The closeContract is held 3 s; 0.3 s in, the trader's market sell of `sold` fills (order
    9100); the broker then carries the close out on what is open (its order 9000)."""

    def __init__(self, clock, sold: int):
        super().__init__(A, clock)
        self.sold = sold

    def close_contract(self, account_id, contract_id):
        self.clock.advance(0.3)
        self.made.append(Order(id=9100, account_id=A, contract_id=contract_id,
                               created_ns=self.clock.now_ns(), updated_ns=self.clock.now_ns(),
                               status=2, type=2, side=1, size=self.sold))
        self.positions[contract_id] -= self.sold
        self.clock.advance(2.7)
        self._enter(CLOSE, contract_id)
        pos = self.positions[contract_id]
        self.made.append(Order(id=9101, account_id=A, contract_id=contract_id,
                               created_ns=self.clock.now_ns(), updated_ns=self.clock.now_ns(),
                               status=2, type=2, side=1 if pos > 0 else 0, size=abs(pos)))
        self.positions[contract_id] = 0


def closed(clock, journal, sold: int):
    broker = HeldWhileTheTraderSells(clock, sold)
    broker.positions = {MNQ: 1}
    cmd = Command(id="d1.1", decision_id="d1", account_id=A, action="close_position",
                  rule="daily_unrealized_loss", contract_id=MNQ, held=1,
                  event_ns=clock.now_ns(), issued_ns=clock.now_ns())
    ex = Executor(lambda _b: broker, journal, clock, Settings(settle=0), sleep=clock.advance)
    entry, _new = journal.receive(cmd, clock.now_ns())
    res = ex.run(Job(entry, str(A)), broker).result
    assert res.status == DONE, res
    return res


def test_the_words_say_the_traders_sell_reversed_it_and_this_close_closed_the_short(
        clock, journal):
    res = closed(clock, journal, sold=2)
    assert re.fullmatch(
        r"MNQ on account 7 closed; it closed short 1: the trader's sell of 2 at .+ \(order "
        r"9100\) closed the long 1 and opened short 1 while this close was in flight, and "
        r"this close, carried out after it, closed that short 1", res.detail), res.detail
    # the trader's sell is not this close's: risk counts it as the trader's trade
    assert [(o.order_id, o.side, o.size) for o in res.close_orders] == [(9101, 0, 1)]

