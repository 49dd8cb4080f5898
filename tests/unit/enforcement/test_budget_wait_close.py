"""A close whose verifying read meets a used-up rate budget is not sent again: the real REST
client and rate budget on a FakeClock, the broker's answers from a small fake transport.

The sequence of the chaos run of 2026-12-06 (command a8aa09258b8543df9ed1.1, account
CHAOS-LOSER, 01:10:43-54): closeContract answered; the orders read answered; then other pool
threads' position reads were answered 429 (Retry-After), which pauses the login's shared
budget, so this command's verifying Position/searchOpen found no call left within the
client's 5 s and raised RateBudgetExhausted before it was sent. The executor waited for the
budget (0.6 s) and ran close_position again; that run took itself for a fresh command and
sent closeContract without a read, to the flat position: the sim refused it
(PositionNotFound), and the chaos run counted "a close of a position already flat (an action
ran twice)". The command's result still read "closed (1 attempt(s), 5 broker call(s))".
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

A, MNQ = 3001, "CON.F.US.MNQ.Z26"
CLOSE, QUERY, POSITIONS = ("/api/Position/closeContract", "/api/Order/v2/query",
                           "/api/Position/searchOpen")


class Broker:
    """The answers of the three endpoints a close uses; every request sent is logged. When
    the first orders read arrives, another pool thread's read is answered 429 with
    Retry-After 6 s: the shared budget is paused (as ProjectXRest does on a 429)."""

    def __init__(self, budget: RateBudget):
        self.budget = budget
        self.open = {MNQ: 1}
        self.log: list[str] = []
        self.refused: list[str] = []

    def request(self, method, url, headers=None, timeout=None, body=None):
        endpoint = url.removeprefix("http://sim")
        self.log.append(endpoint)
        if endpoint == CLOSE:
            cid = json.loads(body)["contractId"]
            if not self.open.pop(cid, 0):
                self.refused.append(cid)
                return _ok({"success": False, "errorCode": 2,
                            "errorMessage": "position not found"})
            return _ok({"success": True, "errorCode": 0})
        if endpoint == QUERY:
            if self.log.count(QUERY) == 1:
                self.budget.pause(6.0)        # another thread's read: HTTP 429, Retry-After 6
            return _ok({"success": True, "orders": [], "totalCount": 0})
        if endpoint == "/api/Order/search":       # the close's order, found after it
            return _ok({"success": True, "orders": []})
        if endpoint == POSITIONS:
            return _ok({"success": True, "positions": [
                {"id": 1, "accountId": A, "contractId": c, "type": 1, "size": n,
                 "averagePrice": 21000.0} for c, n in self.open.items() if n]})
        raise AssertionError(f"unexpected call {endpoint}")


def _ok(payload: dict) -> Answer:
    return Answer(200, json.dumps(payload).encode(), {})


def test_a_close_whose_verifying_read_met_the_rate_budget_is_sent_once(tmp_path):
    clock = FakeClock()
    budget = RateBudget(clock=clock)
    view = BudgetView(budget, Closing())
    # the client's sleeps move the clock by at least 1 ms: a float remainder of a token can
    # ask for a wait of 1e-17 s, which a nanosecond FakeClock would never see go by
    client = ProjectXRest("http://sim", "trader", "key", clock=clock, budget=view,
                          sleep=lambda s: clock.advance(max(s, 0.001)))
    client._set_token("token")                         # logged in (no login call here)
    broker = client.transport = Broker(budget)
    journal = Journal(str(tmp_path / "enforcement.sqlite"), clock.now_ns())
    slept = []
    ex = Executor(lambda _v: client, journal, clock, Settings(), budget=budget,
                  sleep=lambda s: (slept.append(s), clock.advance(s)))
    cmd = Command(id="a8aa0925.1", decision_id="a8aa0925", account_id=A,
                  action="close_position", rule="lockout", contract_id=MNQ)
    entry, _new = journal.receive(cmd, 0)
    out = ex.run(Job(entry, "CHAOS-LOSER"), client, view)
    assert out.result.status == DONE and out.result.attempts == 1, out.result.detail
    assert any(s > 5 for s in slept)                   # it waited for the budget
    assert broker.refused == []                        # no close of a flat position
    assert broker.log.count(CLOSE) == 1
    assert out.result.detail == "MNQ on account CHAOS-LOSER closed"
