"""A reduce never cuts a position the trader opened after the one risk decided it on: a later
round of it, risk's next try of it after a failure, or a round resumed after a restart leaves
that position as close_position does (the same test: services/enforcement/newerposition.py).

Checked (flake25, the question round 24 left open): max_contracts' reduce of the long 3 to 1
got "order pending" from the broker; while its next round waited, the trader sold the 3 (flat)
and bought 3 again (as after an unlock or a lockout's end): the next round read
the new long 3 and cut it to 1, a wrongful cut (no rule judged that position: risk judges it
as new, and cuts it itself if it breaches). Risk's next try of a failed reduce did the same,
being a new command issued after the re-entry. Both fail on main 3aa9be0d (checked in a
detached worktree: the new long 3 cut to 1); here the new position is left and said."""
from __future__ import annotations

import attrs

from services.enforcement.executor import Executor, Job, Settings
from services.enforcement.journal import Journal
from shared.messages.enforce import DONE, Command
from shared.projectx.errors import ProjectXError
from tests.unit.enforcement.fakebroker import PARTIAL, FakeBroker, order

A = 7
MNQ = "CON.F.US.MNQ.Z26"
NS = 1_000_000_000


def reduce(clock, n: int = 1, issued_ns: int = 0) -> Command:
    """max_contracts' reduce of the long 3 (opened a second before risk decided) to 1, as risk
    sends it: the position's opening named (Command.opened_ns); its n-th try."""
    decided = clock.now_ns()
    return Command(id=f"d1.{n}", decision_id="d1", account_id=A, action="reduce_position",
                   rule="max_contracts", contract_id=MNQ, size=2, target=1, held=3,
                   event_ns=decided, issued_ns=issued_ns or decided, opened_ns=decided - NS)


class ReentersAfterTheFirstCut(FakeBroker):
    """The first cut is refused ("order pending"); before the next read the trader sells the
    long 3 and buys 3 again: a new position, opened `after_s` after risk decided."""

    def __init__(self, clock, after_s: float = 2.0):
        super().__init__(A, clock)
        self.positions, self.opened = {MNQ: 3}, {MNQ: clock.now_ns() - NS}
        self.fail[PARTIAL] = [ProjectXError(7, "order pending", PARTIAL)]
        self.decided_ns, self.after_s, self.refused = clock.now_ns(), after_s, False

    def partial_close_contract(self, account_id, contract_id, size):
        try:
            super().partial_close_contract(account_id, contract_id, size)
        except ProjectXError:
            self.refused = True
            raise

    def open_positions(self, account_id):
        if self.refused and self.opened[MNQ] < self.decided_ns:
            self.clock.advance(max(0.0, (self.decided_ns - self.clock.now_ns()) / NS
                                   + self.after_s))
            self.opened[MNQ] = self.clock.now_ns()      # sold 3, bought 3: a new long 3
        return super().open_positions(account_id)


def run(clock, journal, broker, cmd):
    ex = Executor(lambda _b: broker, journal, clock, Settings(settle=0), sleep=clock.advance)
    entry, _new = journal.receive(cmd, clock.now_ns())
    return ex.run(Job(entry, str(A)), broker).result


def test_the_next_round_leaves_the_position_opened_since(clock, journal):
    broker = ReentersAfterTheFirstCut(clock)
    res = run(clock, journal, broker, reduce(clock))
    assert res.status == DONE, res
    assert broker.positions[MNQ] == 3, (broker.trading(), res.detail)
    assert [c for c in broker.trading() if c[0] == PARTIAL] == [(PARTIAL, (MNQ, 2))]
    assert "the long 3 open on it now was opened at" in res.detail, res.detail
    assert "after riskd decided this reduce: not cut by it" in res.detail, res.detail


def test_risks_next_try_leaves_the_position_opened_since(clock, journal):
    """Risk's second try of the failed reduce (a new command, issued after the re-entry,
    naming the opening of the position the first was decided on): not its to cut."""
    first = reduce(clock)
    broker = FakeBroker(A, clock)
    clock.advance(2)
    broker.positions, broker.opened = {MNQ: 3}, {MNQ: clock.now_ns()}   # sold 3, bought 3
    clock.advance(3)
    retry = Command(**{**{f: getattr(first, f) for f in ("decision_id", "account_id", "action",
                                                         "rule", "contract_id", "size",
                                                         "target", "held", "event_ns",
                                                         "opened_ns")},
                       "id": "d1.2", "issued_ns": clock.now_ns()})
    res = run(clock, journal, broker, retry)
    assert res.status == DONE and broker.positions[MNQ] == 3, (broker.trading(), res.detail)
    assert not broker.trading(), broker.trading()
    assert "after riskd decided this reduce: not cut by it" in res.detail, res.detail


def test_a_resumed_reduce_leaves_the_position_opened_after_the_killed_process_cut(tmp_path,
                                                                                  clock):
    """Enforcement killed -9 after its cut to 1 was carried out; the trader sold the 1 and
    bought 3; the resumed reduce reads the new long 3: not its to cut."""
    broker = FakeBroker(A, clock)
    broker.positions, broker.opened = {MNQ: 3}, {MNQ: clock.now_ns() - NS}
    path = str(tmp_path / "j.sqlite")
    first = Journal(path, clock.now_ns())
    entry, _new = first.receive(reduce(clock), clock.now_ns())
    first.start("d1.1", clock.now_ns())
    first.save_progress("d1.1", {"target": 1, "observed": 3, "side": 1})
    clock.advance(0.01)
    broker.partial_close_contract(A, MNQ, 2)        # the killed process's cut, carried out
    first.close()
    clock.advance(2)
    broker.positions[MNQ], broker.opened[MNQ] = 3, clock.now_ns()     # sold 1, bought 3
    clock.advance(1)
    second = Journal(path, clock.now_ns())
    ex = Executor(lambda _b: broker, second, clock, Settings(settle=0), sleep=clock.advance)
    res = ex.run(Job(second.get("d1.1"), str(A), recheck=True), broker).result
    second.close()
    assert res.status == DONE and broker.positions[MNQ] == 3, (broker.trading(), res.detail)
    assert [c for c in broker.trading() if c[0] == PARTIAL] == [(PARTIAL, (MNQ, 2))]
    assert "after riskd decided this reduce: not cut by it" in res.detail, res.detail
    # the killed process's cut may have done it: riskd's work, never "nothing to do"
    assert res.first_answer_ns, res


def test_a_position_added_to_is_still_cut(clock, journal):
    """The same position grown (opened before risk decided): cut to the target, as before."""
    broker = FakeBroker(A, clock)
    broker.positions, broker.opened = {MNQ: 4}, {MNQ: clock.now_ns() - NS}
    res = run(clock, journal, broker, reduce(clock))
    assert res.status == DONE and broker.positions[MNQ] == 1, (broker.trading(), res.detail)
    assert "not cut by it" not in res.detail, res.detail


def test_a_reduce_to_nothing_leaves_the_stop_placed_after_its_close(clock, journal):
    """A reduce to 0 is a close: its clean-up leaves the order the trader placed after the
    broker carried it out, as close_position's does (ordersafter.py); the old stop goes."""
    broker = FakeBroker(A, clock)
    broker.positions, broker.opened = {MNQ: 2}, {MNQ: clock.now_ns() - NS}
    broker.orders = {10: attrs.evolve(order(A, 10, MNQ, type=4, side=1, size=2),
                                      created_ns=clock.now_ns() - 60 * NS)}

    def close_contract(account_id, contract_id, _orig=broker.close_contract):
        _orig(account_id, contract_id)
        clock.advance(1)                    # the trader's next stop, before the answer came
        broker.orders[11] = attrs.evolve(order(A, 11, MNQ, type=4, side=1, size=1),
                                         created_ns=clock.now_ns())
    broker.close_contract = close_contract
    cmd = attrs.evolve(reduce(clock), size=2, target=0, held=2)
    res = run(clock, journal, broker, cmd)
    assert res.status == DONE and broker.positions[MNQ] == 0, res
    assert 10 not in broker.orders and 11 in broker.orders, (broker.trading(), res.detail)
    assert "1 order left working: the trader's sell stop MNQ 1" in res.detail, res.detail
