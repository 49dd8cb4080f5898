"""One account's closes of two contracts run side by side; two commands of one contract, and
a flatten and anything of its account, still run one after the other (lanes.py slots).

Fresh-user trial 19b section 2: riskd's close of ES waited in the account's lane behind its
close of MNQ held at the broker, so a position opened while locked stayed open up to the
[broker] timeout (8.6 s shipped, 35 s with 60 s), while the screens called the ES close "in
flight". The lanes are played by the test as the loop plays them (enter, submit what `done`
returns); the interleaving tests run two closes on two threads against one fake broker and
go through every order of their broker calls.
"""
from __future__ import annotations

import itertools
import threading

import pytest

from services.enforcement.executor import FINAL, Executor, Job, Settings
from services.enforcement.lanes import Lanes
from shared.messages.enforce import DONE, Command
from tests.unit.enforcement.fakebroker import CANCEL, CLOSE, FakeBroker, order
from tests.unit.enforcement.test_executor import A, ES, MNQ

NQ = "CON.F.US.ENQ.Z26"


def cmd(cid: str, action: str = "close_position", contract: str = MNQ, account: int = A,
        **kw) -> Command:
    if action in ("flatten",) or (action == "cancel_orders" and "order_id" not in kw):
        contract = None
    return Command(id=cid, decision_id=cid.split(".")[0], account_id=account, action=action,
                   rule="lockout", contract_id=contract, **kw)


def job(journal, c: Command) -> Job:
    entry, _new = journal.receive(c, 0)
    return Job(entry, str(A))


def ids(jobs) -> list[str]:
    return [j.command.id for j in jobs]


# -- which commands run side by side: every order of two commands' enter and done -------------
TWO = [
    # (first, second, side by side)
    (cmd("a.1"), cmd("b.1", contract=ES), True),                 # two contracts
    (cmd("a.1"), cmd("b.1", "reduce_position", ES, size=1), True),
    (cmd("a.1"), cmd("b.1"), False),                             # one contract
    (cmd("a.1"), cmd("b.1", "reduce_position", MNQ, size=1), False),
    (cmd("a.1"), cmd("b.1", "flatten"), False),                  # a flatten holds them all
    (cmd("a.1", "flatten"), cmd("b.1", contract=ES), False),
    (cmd("a.1", "flatten"), cmd("b.1", "flatten"), False),
    (cmd("a.1", "cancel_orders"), cmd("b.1", "cancel_orders", order_id=5), False),
    (cmd("a.1"), cmd("b.1", "cancel_orders"), True),             # orders: their own group
    (cmd("a.1", "flatten"), cmd("b.1", "cancel_orders"), True),  # as before
    (cmd("a.1"), cmd("b.1", contract=MNQ, account=8), True),     # another account
]


@pytest.mark.parametrize("first,second,together", TWO,
                         ids=[f"{f.action}-{s.action}-{'both' if t else 'serial'}"
                              for f, s, t in TWO])
@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("ends", ["first", "second"])
def test_two_commands_run_together_only_when_their_slots_differ(journal, clock, first, second,
                                                                together, swap, ends):
    if swap:
        first, second = second, first
    lanes = Lanes(clock)
    assert lanes.enter(job(journal, first))
    assert lanes.enter(job(journal, second)) is together
    if together:
        done = first if ends == "first" else second
        assert lanes.done(done) == []
        assert lanes.done(second if done is first else first) == []
    else:
        assert lanes.queued(first) == [second]
        assert ids(lanes.done(first)) == [second.id]          # it runs once the first ends
        assert lanes.done(second) == []
    assert not lanes._busy and not lanes._queued


def test_a_flatten_queued_is_not_passed_by_a_later_close(journal, clock):
    """MNQ is being closed; a flatten of the account waits for it; an ES close arriving then
    waits behind the flatten (not passing it: closes that keep coming never starve it)."""
    lanes = Lanes(clock)
    mnq, flat, es = cmd("a.1"), cmd("f.1", "flatten"), cmd("e.1", contract=ES)
    assert lanes.enter(job(journal, mnq))
    assert not lanes.enter(job(journal, flat))
    assert not lanes.enter(job(journal, es))
    assert lanes.queued(mnq) == [flat]                      # ES: not held back by MNQ
    assert ids(lanes.done(mnq)) == ["f.1"]
    assert ids(lanes.done(flat)) == ["e.1"]
    assert lanes.done(es) == []


def test_the_end_of_a_flatten_starts_the_closes_of_every_contract_behind_it(journal, clock):
    lanes = Lanes(clock)
    flat = cmd("f.1", "flatten")
    behind = [cmd("m.1"), cmd("m.2"), cmd("e.1", contract=ES), cmd("n.1", contract=NQ)]
    assert lanes.enter(job(journal, flat))
    for c in behind:
        assert not lanes.enter(job(journal, c))
    started = lanes.done(flat)
    assert ids(started) == ["m.1", "e.1", "n.1"]              # m.2 stays behind m.1
    assert all(j.recheck for j in started)                    # each re-reads the broker first
    assert ids(lanes.done(behind[2])) == [] and ids(lanes.done(behind[0])) == ["m.2"]


def test_a_backoff_hands_over_only_to_a_command_it_holds_back(journal, clock):
    """`pause`: a close of MNQ in its backoff waits it out when only an ES close (running
    already) or nothing of its slot is queued; it hands over to a queued close of MNQ."""
    slept = []
    lanes = Lanes(clock, sleep=lambda s: (slept.append(s), clock.advance(s)))
    mnq = cmd("a.1")
    assert lanes.enter(job(journal, mnq))
    assert lanes.enter(job(journal, cmd("e.1", contract=ES)))
    assert lanes.pause(mnq, 0.25) is False and slept == [0.25]
    assert not lanes.enter(job(journal, cmd("a.2")))
    assert lanes.pause(mnq, 0.25) is True and slept == [0.25]


def test_a_queued_close_can_be_withdrawn_the_others_stay(journal, clock):
    lanes = Lanes(clock)
    assert lanes.enter(job(journal, cmd("a.1")))
    assert not lanes.enter(job(journal, cmd("a.2")))
    assert lanes.enter(job(journal, cmd("e.1", contract=ES)))
    assert lanes.remove("a.2") and not lanes.remove("e.1")      # e.1 runs: not removed
    assert lanes.done(cmd("a.1")) == []


# -- two closes on two threads: every order of their broker calls ------------------------------
class Gated(FakeBroker):
    """A broker whose calls are let through in the order `schedule` names their threads (a
    thread whose command has ended is skipped)."""

    def __init__(self):
        super().__init__(A)
        self.cond = threading.Condition()
        self.schedule: list[str] = []
        self.ended: set[str] = set()
        self.order_seen: list[str] = []

    def _enter(self, endpoint, arg=None):
        me = threading.current_thread().name
        with self.cond:
            while self.schedule and self.schedule[0] != me:
                if self.schedule[0] in self.ended:
                    self.schedule.pop(0)
                    continue
                assert self.cond.wait(5), f"{me} waited for {self.schedule[0]} in vain"
            if self.schedule:
                self.schedule.pop(0)
            self.order_seen.append(me)
            try:
                super()._enter(endpoint, arg)
            finally:
                self.cond.notify_all()

    def end(self, name: str) -> None:
        with self.cond:
            self.ended.add(name)
            self.cond.notify_all()


def broker_of_two() -> Gated:
    broker = Gated()
    broker.positions = {MNQ: 1, ES: -2}
    broker.orders = {11: order(A, 11, MNQ, type=4, side=1), 12: order(A, 12, ES, type=4)}
    return broker


def run_both(journal, clock, broker, k: int = 1) -> dict:
    """Both closes (the k-th pair) entered at once (side by side), each on its own thread."""
    lanes = Lanes(clock)
    ex = Executor(lambda _b: broker, journal, clock, Settings(settle=0), sleep=lambda _s: None,
                  pause=lanes.pause, queued=lanes.queued)
    jobs = {"mnq": job(journal, cmd(f"m{k}.1")),
            "es": job(journal, cmd(f"e{k}.1", contract=ES))}
    assert all(lanes.enter(j) for j in jobs.values())
    out = {}

    def go(name):
        try:
            out[name] = ex.run(jobs[name], broker)
        finally:
            broker.end(name)
    threads = [threading.Thread(target=go, args=(n,), name=n, daemon=True) for n in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert all(lanes.done(o.command) == [] for o in out.values())
    return out


def test_two_closes_of_one_account_end_right_in_every_order_of_their_calls(journal, clock):
    broker = broker_of_two()                     # one after the other: how many calls each
    broker.schedule = ["mnq"] * 50 + ["es"] * 50
    run_both(journal, clock, broker, 0)
    n_mnq, n_es = broker.order_seen.count("mnq"), broker.order_seen.count("es")
    # each: close, orders, cancel its stop, orders, verify, its close's order
    assert (n_mnq, n_es) == (6, 6)
    orders = 0
    for k, at in enumerate(itertools.combinations(range(n_mnq + n_es), n_mnq), 1):
        schedule = ["mnq" if i in at else "es" for i in range(n_mnq + n_es)]
        broker = broker_of_two()
        broker.schedule = list(schedule)
        out = run_both(journal, clock, broker, k)
        assert broker.order_seen == schedule
        res = {k: o.result for k, o in out.items()}
        assert {o.kind for o in out.values()} == {FINAL}
        assert res["mnq"].status == DONE and res["es"].status == DONE, schedule
        assert res["mnq"].detail == "MNQ on account 7 closed, 1 order cancelled", schedule
        assert res["es"].detail == "ES on account 7 closed, 1 order cancelled", schedule
        assert broker.positions == {MNQ: 0, ES: 0} and broker.orders == {}
        # each closed and cancelled what is its own, once
        assert sorted(broker.trading(), key=str) == sorted(
            [(CLOSE, MNQ), (CLOSE, ES), (CANCEL, 11), (CANCEL, 12)], key=str)
        orders += 1
    assert orders == len(list(itertools.combinations(range(n_mnq + n_es), n_mnq)))


def test_a_held_close_of_mnq_does_not_hold_back_the_close_of_es(journal, clock):
    """The trial's case: MNQ's closeContract is held at the broker; ES's close, decided
    later, is done meanwhile, then MNQ's call returns and it ends done too."""
    broker = FakeBroker(A)
    broker.positions = {MNQ: 1, ES: 1}
    held, release = threading.Event(), threading.Event()
    plain = broker.close_contract

    def close_contract(account_id, contract_id):
        if contract_id == MNQ:
            held.set()
            assert release.wait(10)
        plain(account_id, contract_id)
    broker.close_contract = close_contract
    lanes = Lanes(clock)
    ex = Executor(lambda _b: broker, journal, clock, Settings(settle=0), sleep=lambda _s: None,
                  pause=lanes.pause, queued=lanes.queued)
    mnq = job(journal, cmd("m.1"))
    assert lanes.enter(mnq)
    out = {}
    t = threading.Thread(target=lambda: out.update(m=ex.run(mnq, broker)), daemon=True)
    t.start()
    assert held.wait(10)
    es = job(journal, cmd("e.1", contract=ES))
    assert lanes.enter(es)                       # not queued behind the held MNQ close
    res = ex.run(es, broker).result
    assert res.status == DONE and res.detail == "ES on account 7 closed"
    assert broker.positions[ES] == 0 and broker.positions[MNQ] == 1 and t.is_alive()
    release.set()
    t.join(10)
    assert out["m"].result.status == DONE and broker.positions[MNQ] == 0
