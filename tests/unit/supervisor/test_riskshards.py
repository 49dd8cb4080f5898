"""The supervisor's risk requests across shards: which shard(s) each goes to, and how the
answers become one (services/supervisor/riskshards.py). The workers are stood in for by a
table of answers per shard; the routing and merging are what is tested."""
from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from services.supervisor.riskshards import forward_risk
from shared.config.accounts import AccountConfig
from shared.config.sections import SupervisorConfig
from shared.messages.risk import (AccountStatus, Decision, HistoryReply, HistoryRequest,
                                  LockoutChange, LockoutList, LockoutsRequest, LockoutState,
                                  RiskStatusReply, RiskStatusRequest, RulesOverrideRequest,
                                  UnlockRequest)
from shared.messages.system import error, ok


class Sup:
    """The supervisor's forward() and config, with per-worker answers (answered at once)."""

    def __init__(self, n: int, answers: dict, accounts=()):
        self.config = SimpleNamespace(supervisor=SupervisorConfig(risk_shards=n),
                                      accounts=list(accounts))
        self.answers = answers
        self.sent: list[str] = []

    def forward(self, worker, request, respond, timeout=3.0):
        self.sent.append(worker)
        respond(self.answers[worker](request))


def ask(sup, request):
    got = []
    forward_risk(sup, request, got.append)
    assert len(got) == 1
    return got[0]


def status(aid):
    return AccountStatus(account_id=aid, name=f"A{aid}", ts_ns=0, trading_day="2026-12-04")


def lock(aid):
    return LockoutState(id=f"l{aid}", account_id=aid, kind="until_reset", rule="self_lockout",
                        since_ns=0)


def test_one_shard_forwards_to_risk_as_before():
    sup = Sup(1, {"risk": lambda r: ok(LockoutList(lockouts=[lock(1001)]))})
    assert ask(sup, LockoutsRequest()).body.lockouts == [lock(1001)]
    assert sup.sent == ["risk"]


def test_an_account_by_id_or_configured_name_goes_to_its_owner_only():
    answers = {f"risk-{k}": (lambda k: lambda r: ok(reason=f"from {k}"))(k) for k in range(3)}
    sup = Sup(3, answers, accounts=[AccountConfig(id=1001, name="Evening")])
    assert ask(sup, UnlockRequest(account="1002", reason="x")).reason == "from 0"  # 1002 % 3
    assert ask(sup, UnlockRequest(account="Evening", reason="x")).reason == "from 2"
    assert sup.sent == ["risk-0", "risk-2"]


def test_a_name_only_risk_knows_asks_every_shard_and_the_one_that_knows_answers():
    unknown = error("unknown_account", "risk does not know account 'BROKER-7'")
    sup = Sup(2, {"risk-0": lambda r: unknown, "risk-1": lambda r: ok(reason="unlocked")})
    assert ask(sup, UnlockRequest(account="BROKER-7", reason="x")).reason == "unlocked"
    sup = Sup(2, {"risk-0": lambda r: unknown, "risk-1": lambda r: unknown})
    reply = ask(sup, UnlockRequest(account="BROKER-7", reason="x"))
    assert reply.code == "unknown_account" and "no risk shard knows" in reply.reason
    sup = Sup(2, {"risk-0": lambda r: unknown,
                  "risk-1": lambda r: error("timeout", "risk-1 did not answer within 3 s")})
    assert ask(sup, UnlockRequest(account="BROKER-7", reason="x")).code == "timeout"


def test_all_accounts_are_every_shards_answers_merged():
    sup = Sup(2, {
        "risk-0": lambda r: ok(RiskStatusReply(accounts=[status(1002)], market_synced=True)),
        "risk-1": lambda r: ok(RiskStatusReply(accounts=[status(1001)], market_synced=False))})
    reply = ask(sup, RiskStatusRequest())
    assert [a.account_id for a in reply.body.accounts] == [1001, 1002]
    assert reply.body.market_synced is False           # one shard not synced: not synced
    sup.answers = {"risk-0": lambda r: ok(LockoutList(lockouts=[lock(1002)])),
                   "risk-1": lambda r: ok(LockoutList(lockouts=[lock(1001)]))}
    assert {lk.account_id for lk in ask(sup, LockoutsRequest()).body.lockouts} == {1001, 1002}
    sup.answers = {"risk-0": lambda r: ok(reason="nothing was waiting"),
                   "risk-1": lambda r: ok(reason="1 waiting change taken early")}
    said = ask(sup, RulesOverrideRequest(reason="x")).reason
    assert "risk-0: nothing was waiting" in said and "risk-1: 1 waiting" in said


def test_a_shard_that_does_not_answer_is_the_answers_error_not_a_shorter_list():
    sup = Sup(2, {"risk-0": lambda r: ok(LockoutList(lockouts=[lock(1002)])),
                  "risk-1": lambda r: error("timeout", "risk-1 did not answer within 3 s")})
    reply = ask(sup, LockoutsRequest())
    assert not reply.ok and reply.reason.startswith("risk-1: ")


def decision(aid, ts):
    return Decision(id=f"d{ts}", ts_ns=ts, rule="r", account_id=aid, action="flatten")


def change(aid, ts):
    return LockoutChange(change="added", lockout=lock(aid), ts_ns=ts)


def test_history_keeps_the_newest_entries_of_all_shards_oldest_first():
    sup = Sup(2, {
        "risk-0": lambda r: ok(HistoryReply(decisions=[decision(1002, 1), decision(1002, 4)],
                                            lockouts=[change(1002, 5)])),
        "risk-1": lambda r: ok(HistoryReply(decisions=[decision(1001, 2), decision(1001, 3)]))})
    body = ask(sup, HistoryRequest(limit=3)).body
    assert [d.ts_ns for d in body.decisions] == [3, 4] and [c.ts_ns for c in body.lockouts] == [5]
    body = ask(sup, HistoryRequest()).body
    assert [d.ts_ns for d in body.decisions] == [1, 2, 3, 4]


class LateSup(Sup):
    """Answers only when told, in whatever order the test picks."""

    def __init__(self, n: int, answers: dict):
        super().__init__(n, answers)
        self.waiting: dict[str, tuple] = {}

    def forward(self, worker, request, respond, timeout=3.0):
        self.sent.append(worker)
        self.waiting[worker] = (request, respond)

    def answer(self, worker):
        request, respond = self.waiting.pop(worker)
        respond(self.answers[worker](request))


@pytest.mark.parametrize("order", list(itertools.permutations(["risk-0", "risk-1", "risk-2"])))
def test_the_merged_answer_is_the_same_whatever_order_the_shards_answer_in(order):
    sup = LateSup(3, {f"risk-{k}": (lambda k: lambda r: ok(RiskStatusReply(
        accounts=[status(1000 + k)])))(k) for k in range(3)})
    got = []
    forward_risk(sup, RiskStatusRequest(), got.append)
    for worker in order:
        assert got == []                     # nothing before the last shard has answered
        sup.answer(worker)
    assert [[a.account_id for a in r.body.accounts] for r in got] == [[1000, 1001, 1002]]


def test_merged_lockouts_keep_which_accounts_are_not_guarded():
    """A disabled account's lockouts are not enforced (trial 2026-12-06): the shard that owns
    it says so, and the merged list keeps it (`riskctl lockouts` says it beside the rows)."""
    sup = Sup(2, {
        "risk-0": lambda r: ok(LockoutList(lockouts=[lock(1002)],
                                           not_guarded={"1002": "disabled by admin:root"})),
        "risk-1": lambda r: ok(LockoutList(lockouts=[lock(1001)]))})
    assert ask(sup, LockoutsRequest()).body.not_guarded == {"1002": "disabled by admin:root"}


def test_an_override_of_a_profile_asks_every_shard_and_says_each_answer():
    """`rules override --account profile:default`: the profile's accounts are on every shard
    (trial 13b); routed as an unknown name it took the first shard's answer alone."""
    sup = Sup(2, {"risk-0": lambda r: ok(reason="nothing was waiting"),
                  "risk-1": lambda r: ok(reason="1 waiting change taken early")})
    said = ask(sup, RulesOverrideRequest(reason="x", account="profile:default")).reason
    assert "risk-0: nothing was waiting" in said and "risk-1: 1 waiting" in said
    assert sup.sent == ["risk-0", "risk-1"]
