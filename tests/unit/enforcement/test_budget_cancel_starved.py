"""A lockout's cancel that met a used-up rate budget while closes keep coming is not starved:
the real REST client, rate budget and budget view on a FakeClock, the cancel's answer from a
small fake transport.

The calm chaos run of 2026-12-07 (make chaos RUNS=3 at 146d9ee, run 3, 04:07:45-04:08:19):
four locked accounts each tried a buy and a resting order about every 1.2 s; each buy's close
took 5 broker calls (4, and since whose18 the Order/search that names the close's orders), so
enforcement's burst of 100 was used up 5 s into the lockouts. From then on a close was always
under way on some pool thread, so a cancel had to leave RESERVE (10) tokens for it, and the
closes' reads took every token as it refilled (1.67 a second): the cancel of order 9000060
(CHAOS-SELFLOCK) was told "wait 6.6 s" five times over and was done 34.2 s after the order,
past the chaos run's 30 s (the other accounts' cancels got through only when, by luck, no
close was under way at their try).
"""
from __future__ import annotations

import json

from services.enforcement.budget import BudgetView, Closing
from services.enforcement.executor import Executor, Job, Settings
from services.enforcement.journal import Journal
from shared.clock import FakeClock
from shared.messages.enforce import DONE, Command
from shared.projectx.ratebudget import RateBudget
from shared.projectx.rest import ProjectXRest
from shared.projectx.transport import Answer

A, ENQ, ORDER = 3003, "CON.F.US.ENQ.Z26", 9000060
CANCEL = "/api/Order/cancel"
OTHERS_LEAVE = 2      # tokens the other pool threads' closes leave whenever they have run


class Broker:
    """Answers the cancel; every request sent is logged."""

    def __init__(self):
        self.log: list[str] = []

    def request(self, method, url, headers=None, timeout=None, body=None):
        endpoint = url.removeprefix("http://sim")
        self.log.append(endpoint)
        if endpoint == CANCEL:
            assert json.loads(body)["orderId"] == ORDER
            return Answer(200, json.dumps({"success": True, "errorCode": 0}).encode(), {})
        raise AssertionError(f"unexpected call {endpoint}")


def _others_take(budget: RateBudget) -> None:
    """The other pool threads' closes and reads: every token that refilled, but a few."""
    while budget.available() >= OTHERS_LEAVE + 1:
        assert budget.try_take()


def test_a_cancel_that_waited_for_the_budget_once_no_longer_leaves_the_reserve(tmp_path):
    clock = FakeClock()
    budget = RateBudget(clock=clock)
    closing = Closing()
    closing.add(1)                      # a close under way on another thread, throughout
    view = BudgetView(budget, closing)
    _others_take(budget)
    client = ProjectXRest("http://sim", "trader", "key", clock=clock, budget=view,
                          sleep=lambda s: (clock.advance(max(s, 0.001)), _others_take(budget)))
    client._set_token("token")                         # logged in (no login call here)
    broker = client.transport = Broker()
    journal = Journal(str(tmp_path / "enforcement.sqlite"), clock.now_ns())
    slept = []
    ex = Executor(lambda _v: client, journal, clock, Settings(), budget=budget,
                  sleep=lambda s: (slept.append(s), clock.advance(s), _others_take(budget)))
    cmd = Command(id="a6e78329.1", decision_id="a6e78329", account_id=A,
                  action="cancel_orders", rule="lockout", contract_id=ENQ, order_id=ORDER)
    entry, _new = journal.receive(cmd, 0)
    out = ex.run(Job(entry, "CHAOS-SELFLOCK"), client, view)
    assert out.result.status == DONE, out.result.detail
    assert broker.log == [CANCEL]
    assert len(slept) == 1 and sum(slept) < 10, slept     # one wait for the reserve, not more
