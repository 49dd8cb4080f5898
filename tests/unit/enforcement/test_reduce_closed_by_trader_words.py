"""A reduce whose only cut the broker refused (HTTP 500), the position it was decided on closed
by the trader's own sell and a new one opened since, says who closed it and is no "done".

check25 item 3 (trial25c F2's leftover): max_contracts' reduce of MNQ long 4 to 2, its
partialCloseContract answered HTTP 500 after 3 s; meanwhile the trader sold 4 and bought 2.
LAST ACTIONS read "max_contracts reduce_position MNQ done 3.1s" and history "done ...: MNQ was
closed; the long 2 open on it now was opened at ..., after riskd decided this reduce: not cut by
it": riskd did nothing at the broker, and "was closed" did not say by whom.
"""
from __future__ import annotations

import attrs

from services.enforcement.executor import Executor, Job, Settings
from shared.messages.enforce import DONE, Command, closed_nothing
from shared.projectx.errors import BrokerUnavailable
from shared.projectx.models import Order
from tests.unit.enforcement.fakebroker import PARTIAL, FakeBroker

A = 7
MNQ = "CON.F.US.MNQ.Z26"
NS = 1_000_000_000


class RefusedThenReentered(FakeBroker):
    """Long 4 opened before riskd decided; the cut is answered HTTP 500 (not carried out);
    while it was out the trader sold 4 (flat) and bought 2 (a new long 2)."""

    def __init__(self, clock):
        super().__init__(A, clock)
        self.positions, self.opened = {MNQ: 4}, {MNQ: clock.now_ns() - NS}
        self.fail[PARTIAL] = [BrokerUnavailable(PARTIAL, 3, "HTTP 500", status=500)]
        self.ids = {}

    def partial_close_contract(self, account_id, contract_id, size):
        self.clock.advance(1)
        self.ids["sell"] = self.trader(side=1, size=4)
        self.clock.advance(0.2)
        self.ids["buy"] = self.trader(side=0, size=2)
        self.opened[MNQ] = self.clock.now_ns()
        self.clock.advance(2)
        super().partial_close_contract(account_id, contract_id, size)

    def trader(self, side: int, size: int) -> int:
        o = Order(id=9100 + len(self.made), account_id=A, contract_id=MNQ,
                  created_ns=self.clock.now_ns(), updated_ns=0, status=2, type=2, side=side,
                  size=size)
        self.made.append(o)
        self.positions[MNQ] += -size if side == 1 else size
        return o.id


def run_reduce(clock, journal):
    broker = RefusedThenReentered(clock)
    decided = clock.now_ns()
    cmd = Command(id="d1.1", decision_id="d1", account_id=A, action="reduce_position",
                  rule="max_contracts", contract_id=MNQ, size=2, target=2, held=4,
                  event_ns=decided, issued_ns=decided, opened_ns=decided - NS)
    ex = Executor(lambda _b: broker, journal, clock, Settings(settle=0), sleep=clock.advance)
    entry, _new = journal.receive(cmd, clock.now_ns())
    return broker, ex.run(Job(entry, str(A)), broker).result


def test_the_reduce_says_the_traders_sell_closed_it_and_did_nothing_itself(clock, journal):
    broker, res = run_reduce(clock, journal)
    assert res.status == DONE and broker.positions[MNQ] == 2, (broker.trading(), res)
    assert [c for c in broker.trading() if c[0] == PARTIAL] == [(PARTIAL, (MNQ, 2))]
    assert f"the trader's sell of 4" in res.detail and f"(order {broker.ids['sell']})" \
        in res.detail, res.detail
    assert "HTTP 500" in res.detail, res.detail
    assert "not cut by it" in res.detail, res.detail
    assert closed_nothing(res), res                 # every screen: "nothing to do", not "done"
    assert closed_nothing(journal.get("d1.1")), journal.get("d1.1")
    assert not res.close_orders, res                # the trader's sell is not riskd's fill


def test_the_phone_and_last_actions_say_it(clock, journal):
    """The phone: no "✅ Done" (riskd's cut did nothing) nor "Orders cancelled", but what
    closed the position; LAST ACTIONS: "nothing to do" and, under it, what closed it."""
    from cli.watch.model import build_screen
    from services.notify.templates import Context, result_alert
    from shared.messages.risk import Decision, HistoryReply
    from tests.unit.cli.screens import CALENDAR, CHICAGO, NOW, account, state
    broker, res = run_reduce(clock, journal)
    alert = result_alert(res, Context(accounts={A: "Demo 2"}))
    assert alert.title == ("✅ Nothing to reduce on Demo 2 (id 7): its position was closed before "
                           "riskd's cut"), alert
    line, = alert.lines
    assert line.startswith("reduce by rule max_contracts: MNQ on account 7 was closed: closed by "
                           "the trader's sell of 4"), line
    s = state(account())
    shift = NOW - res.finished_ns - 10 * NS          # the result 10 s before the screen's now
    s.apply(HistoryReply(decisions=[Decision(
        id="d1", ts_ns=res.started_ns + shift, rule="max_contracts", account_id=1001,
        action="reduce_position", contract_id=MNQ, size=2, reason="4 contracts > 2")]))
    s.apply(attrs.evolve(res, account_id=1001, started_ns=res.started_ns + shift,
                         event_ns=res.event_ns + shift, finished_ns=res.finished_ns + shift,
                         first_answer_ns=res.first_answer_ns + shift))
    row, = build_screen(s, NOW, CHICAGO, CALENDAR).accounts[0].actions
    assert row.outcome == "nothing to do", row
    assert row.note.startswith(f"closed by the trader's sell of 4 at "), row
    assert "HTTP 500" in row.note and "not cut by it" in row.note, row
