"""A reduce that closed more than risk asked says so (trial13a): with buys still landing,
one max_contracts command took MNQ 11 -> 5 in two rounds (6 closed) and read "reduced MNQ
from 7 to 5 contracts" (its first read) beside the decision's "reduce MNQ by 2"; a lockout's
cut read "reduced MNQ from 4 to 2" beside "the 1 contract added is closed"."""
from __future__ import annotations

import pytest

from services.enforcement.executor import Executor, Job, Settings
from shared.messages.enforce import DONE, Command
from tests.unit.enforcement.fakebroker import FakeBroker

A = 7
MNQ = "CON.F.US.MNQ.Z26"


class BuyingBroker(FakeBroker):
    """The trader's buys land right behind each of riskd's partial closes."""

    def __init__(self, buys: list[int]):
        super().__init__(A)
        self.buys = list(buys)

    def partial_close_contract(self, account_id, contract_id, size):
        super().partial_close_contract(account_id, contract_id, size)
        if self.buys:
            self.positions[contract_id] += self.buys.pop(0)


def run(journal, clock, broker, cmd):
    def sleep(s):
        clock.advance(s)
    ex = Executor(lambda _b: broker, journal, clock, Settings(settle=0), sleep=sleep)
    entry, _new = journal.receive(cmd, 0)
    return ex.run(Job(entry, str(A)), broker)


def reduce(cid="d1.1", **kw) -> Command:
    return Command(id=cid, decision_id=cid.split(".")[0], account_id=A,
                   action="reduce_position", rule="max_contracts", contract_id=MNQ, **kw)


def test_a_reduce_that_closed_buys_landing_meanwhile_says_how_many_it_closed(journal, clock):
    broker = BuyingBroker([4])                  # 7 read, 2 closed, 4 bought: 9, then 4 closed
    broker.positions = {MNQ: 7}
    out = run(journal, clock, broker, reduce(size=2, target=5))
    assert out.result.status == DONE and broker.positions[MNQ] == 5, out.result.detail
    assert out.result.attempts == 2, out.result
    assert out.result.detail == ("reduced MNQ on account 7 to 5 contracts: closed 6, 4 more "
                                 "than asked (bought while the cut was on its way)"), \
        out.result.detail
    assert journal.get("d1.1").progress["closed"] == 6      # a restart keeps the count


def test_a_lockout_cut_that_found_one_more_bought_says_it_closed_it_too(journal, clock):
    broker = BuyingBroker([])
    broker.positions = {MNQ: 4}                 # decided at 3: cut the 1 added, to 2
    out = run(journal, clock, broker, reduce(size=1, target=2))
    assert out.result.detail == ("reduced MNQ on account 7 to 2 contracts: closed 2, 1 more "
                                 "than asked (bought while the cut was on its way)"), \
        out.result.detail


def test_a_cut_to_nothing_that_closed_more_than_asked_says_so(journal, clock):
    broker = BuyingBroker([])
    broker.positions = {MNQ: 3}
    out = run(journal, clock, broker, reduce(size=1, target=0))
    assert out.result.detail == ("closed MNQ on account 7 (3 contracts: 2 more than asked, "
                                 "bought while the cut was on its way)"), out.result.detail


def test_a_reduce_that_closed_what_was_asked_keeps_its_words(journal, clock):
    broker = BuyingBroker([])
    broker.positions = {MNQ: 7}
    out = run(journal, clock, broker, reduce(size=2, target=5))
    assert out.result.detail == "reduced MNQ on account 7 from 7 contracts to 5", \
        out.result.detail


def test_the_count_survives_a_restart_between_rounds(journal, clock):
    """Round 1 closed 2 and journaled it; a new process resumes and closes 4 more."""
    broker = BuyingBroker([])
    broker.positions = {MNQ: 9}
    cmd = reduce(size=2, target=5)
    journal.receive(cmd, 0)
    journal.start(cmd.id, 1)
    journal.save_progress(cmd.id, {"target": 5, "observed": 7, "side": 1, "closed": 2})
    entry = journal.get(cmd.id)
    ex = Executor(lambda _b: broker, journal, clock, Settings(settle=0),
                  sleep=lambda s: clock.advance(s))
    out = ex.run(Job(entry, str(A), recheck=True), broker)
    assert broker.positions[MNQ] == 5
    assert "closed 6, 4 more than asked" in out.result.detail, out.result.detail


def test_a_reduce_to_one_contract_reads_in_the_singular():
    """trial14a: "reduced MNQ from 2 to 1 contracts"; every reduce's words are built by
    shared/outcomewords.py from_to."""
    from shared.outcomewords import from_to
    assert from_to(2, 1) == "from 2 contracts to 1"
    assert from_to(1, 0) == "from 1 contract to 0"
    assert from_to(None, 1) == "to 1 contract"
    assert from_to(None, 5) == "to 5 contracts"
