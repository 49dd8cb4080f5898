"""A reduce that cut another reduce's share says so, never that the trader bought (trial23b
finding 5: an admin tightened max_contracts 2 -> 1 while riskd's reduce of 2 was held at the
broker; risk sent the rest ("reduce MNQ by 3; 2 of them already being cut by riskd's reduce"),
and when the first one's cut got no answer the second cut 3: history and the ✅ Done said
"closed 3, 2 more than asked (bought while the cut was on its way)", and nobody had bought).
Every mix of the two causes: what the trader bought since the decision (the first read above
Command.held, the position risk knew) and the share risk left to the other reduce."""
from __future__ import annotations

import itertools

import pytest

from services.enforcement.executor import Executor, Job, Settings
from shared.messages.enforce import DONE, Command
from tests.unit.enforcement.fakebroker import FakeBroker
from tests.unit.risk.desk import MNQ as RISK_MNQ, SIDE_BUY, Desk

A = 7
MNQ = "CON.F.US.MNQ.Z26"


@pytest.mark.parametrize("bought,share", list(itertools.product([0, 1, 2], [0, 2])))
def test_what_it_closed_beyond_its_size_is_said_by_its_cause(journal, clock, bought, share):
    held = 4                                         # risk's position at the decision
    broker = FakeBroker(A, clock)
    broker.positions = {MNQ: held + bought}
    size = held - 1 - share                          # limit 1: the rest after the share
    cmd = Command(id="d2.1", decision_id="d2", account_id=A, action="reduce_position",
                  rule="max_contracts", contract_id=MNQ, size=size, target=1, held=held)
    entry, _ = journal.receive(cmd, clock.now_ns())
    ex = Executor(lambda _b: broker, journal, clock, Settings(settle=0),
                  sleep=lambda s: clock.advance(s))
    out = ex.run(Job(entry, str(A)), broker)
    assert out.result.status == DONE and broker.positions[MNQ] == 1, out.result
    detail = out.result.detail
    closed = held + bought - 1
    if not bought and not share:
        assert detail == f"reduced MNQ on account {A} from 4 contracts to 1", detail
        return
    assert detail.startswith(f"reduced MNQ on account {A} to 1 contract: closed {closed}, "), \
        detail
    assert ("bought while the cut was on its way" in detail) == bool(bought), detail
    if bought:
        assert f"{bought} more than asked (bought while" in detail, detail
    assert ("the share of riskd's earlier reduce" in detail) == bool(share), detail
    if share:
        assert f"{share} more than asked: the share of riskd's earlier reduce of it, which " \
               f"this cut took (that reduce's cut got no answer)" in detail, detail


def test_risk_tells_a_reduce_the_position_it_decided_on():
    """Command.held of a reduce: the position risk knew when it decided (4), so enforcement
    can tell the trader's buys since from another reduce's share."""
    desk = Desk(max_contracts={"limit": 2})
    desk.trade(contract=RISK_MNQ, side=SIDE_BUY, size=4, order_id=100)
    desk.long(4, RISK_MNQ, 21000)
    [cmd] = desk.commands()
    assert cmd.action == "reduce_position" and cmd.held == 4, cmd
