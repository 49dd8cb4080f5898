"""A reduce whose partial close got no answer waits for that cut before it cuts again
(services/enforcement/lostcuts.py; trial23b finding 1: the broker 15 s slow, [broker] timeout
10 s, max_contracts 2, long 4: round 1 timed out, round 2 cut 4 -> 2 at once, the broker then
carried round 1 out, 2 -> 0: the two contracts the rule allowed were closed at market).

Every moment the lost cut can land is played (before the next round's first read, during the
wait, just before and after its end, after the next round's call, never), with and without a
trader's buy during the wait, for a round that timed out, for a command resumed after
enforcement was killed while its cut was out, and for another reduce of the same contract.
What must hold in every order: riskd sends a second cut only once the lost one can no longer
be expected (one more broker timeout) and never after it was seen carried out; the position
ends at the target whenever the lost cut landed before riskd's next call; and a lost cut that
lands after that call is listed as unsettled (risk then says it cut that many more than the
limit needed: tests/unit/risk/test_late_reduce_words.py)."""
from __future__ import annotations

import itertools

import attrs
import pytest

from services.enforcement.executor import Executor, Job, Settings
from services.enforcement.journal import Journal
from shared.latewords import RESTARTED, TIMED_OUT
from shared.messages.enforce import DONE, Command
from shared.projectx.errors import BrokerUnavailable
from tests.unit.enforcement.fakebroker import PARTIAL, FakeBroker

A = 7
MNQ = "CON.F.US.MNQ.Z26"
TIMEOUT = 10.0          # etc/riskd.toml [broker] timeout
S = 1_000_000_000


class SlowBroker(FakeBroker):
    """Its first partial close is held: the call is out for `timeout` s and times out, and the
    broker carries it out `delay` s after it was sent (None: not while the test runs). Trader
    buys happen at their times. Every call first plays what is due by the clock, so a cut due
    at the very moment of riskd's next call is carried out before it (the broker takes calls
    in the order they came)."""

    def __init__(self, clock, start: int, delay, buys=(), hold_first=True, timeout=TIMEOUT):
        super().__init__(A, clock)
        self.timeout = timeout
        self.positions = {MNQ: start}
        self.t0 = clock.now_ns()
        self.hold_first = hold_first
        self.delay = delay
        self.held: list[tuple[int, int]] = []        # (due ns or 0: never, size)
        self.buys = sorted((self.t0 + int(t * S), n) for t, n in buys)
        self.cuts: list[tuple[int, int, int]] = []   # (sent ns, size, position held then)
        self.landed_ns = 0

    def play(self, until: int) -> None:
        events = [(due, "cut", n) for due, n in self.held if due and due <= until] + \
                 [(t, "buy", n) for t, n in self.buys if t <= until]
        for due, kind, n in sorted(events):
            if kind == "cut":
                self.held.remove((due, n))
                self._land(n)
                self.landed_ns = due
            else:
                self.buys.remove((due, n))
                if n < 0:                          # the trader's own market sell
                    self._made(MNQ, 1, -n)
                self.positions[MNQ] += n

    def _enter(self, endpoint, arg=None):
        self.play(self.clock.now_ns())
        super()._enter(endpoint, arg)

    def partial_close_contract(self, account_id, contract_id, size):
        if self.hold_first:
            self.hold_first = False
            self._enter(PARTIAL, (contract_id, size))
            sent = self.clock.now_ns()
            self.cuts.append((sent, size, self.positions[MNQ]))
            due = sent + int(self.delay * S) if isinstance(self.delay, float) else 0
            self.held.append((due, size))
            self.clock.advance(self.timeout)
            self.play(self.clock.now_ns())
            raise BrokerUnavailable(PARTIAL, 1, "timed out")
        self.cuts.append((self.clock.now_ns(), size, self.positions[MNQ]))
        super().partial_close_contract(account_id, contract_id, size)
        if self.delay == "after the next":        # lands right after riskd's next cut
            self.release()

    def _land(self, n: int) -> None:
        """A held cut carried out: a market sell of its size (the order the broker makes)."""
        self._made(MNQ, 1, n)
        self.positions[MNQ] = max(0, self.positions[MNQ] - n)

    def release(self) -> None:
        """The broker carries out what it still holds (after the command ended)."""
        for due, n in list(self.held):
            self.held.remove((due, n))
            self._land(n)
            self.landed_ns = self.clock.now_ns()


def reduce(cid="d1.1", target=2, size=2) -> Command:
    return Command(id=cid, decision_id=cid.split(".")[0], account_id=A,
                   action="reduce_position", rule="max_contracts", contract_id=MNQ,
                   size=size, target=target)


def executor(journal, clock) -> Executor:
    return Executor(lambda _b: None, journal, clock, Settings(settle=0),
                    sleep=lambda s: clock.advance(s))


def check(broker, out, lost_ns: int, grace_s: float, target: int = 2, either: bool = False):
    """What must hold whatever the order: a second cut only after the lost cut's wait ended
    or once it was seen carried out (then never while it is still held); the position at the
    end at the target when the lost cut landed before any second cut; a lost cut still held
    at the next cut listed as unsettled, and nothing listed otherwise (either: a round that
    timed out, whose result cannot tell the cut carried out from the trader's sell of its
    size: listed, check23 N1)."""
    assert out.result.status == DONE, out.result
    later = broker.cuts[1:]
    landed = broker.landed_ns
    overcut = [c for c in later if not landed or c[0] < landed]
    for sent, _n, _held in overcut:
        assert sent >= lost_ns + int(grace_s * S), (sent - lost_ns) / S   # waited it out
    if overcut:
        assert [(c.contract_id, c.size) for c in out.result.unsettled] == [(MNQ, 2)], out.result
    else:
        if landed:
            assert broker.positions[MNQ] == target, (broker.positions, broker.cuts)
        if not later and not either:
            assert out.result.unsettled == [], out.result
        elif not later:
            # the market sell of the cut's size that brought it to the target is that cut or
            # the trader's own sell (riskd cannot tell which): the cut stays listed, so a
            # second such sell later is taken as it, the first as the trader's (check23 N1:
            # riskd's cut, landing after the trader's sell, was counted as the trader's trade)
            assert [(c.contract_id, c.size) for c in out.result.unsettled] == [(MNQ, 2)], \
                out.result
            # (a resumed command: the restart's own words, the executor's _resumed_words)
            assert "riskd takes a market order of exactly its contracts as that cut, and " \
                   "that sell as the trader's" in out.result.detail \
                or "riskd takes a market order of exactly its 2 contracts as that one" \
                in out.result.detail, out.result.detail
        # a second cut of a trader's buy after the lost one landed: riskd cannot tell the
        # landing from the buy on the position alone, so the lost cut stays listed (its fill,
        # already come, is not waited for again; a market sell of that size in the next 2
        # minutes would be taken as riskd's: docs/rules.md "Whose trade it is")
    return overcut


DELAYS = [10.0, 10.2, 11.0, 15.0, 19.0, 19.9, 20.0, 20.3, 21.0, 30.0, None]
BUYS = [(), ((10.6, 1),), ((14.5, 1),), ((19.5, 2),)]


@pytest.mark.parametrize("delay,buys", list(itertools.product(DELAYS, BUYS)))
def test_a_timed_out_cut_is_waited_for_before_the_next_round(journal, clock, delay, buys):
    broker = SlowBroker(clock, 4, delay, buys)
    entry, _ = journal.receive(reduce(), clock.now_ns())
    out = executor(journal, clock).run(Job(entry, str(A)), broker)
    lost_ns = broker.t0 + int(TIMEOUT * S)            # riskd gave up on it: timed out
    overcut = check(broker, out, lost_ns, TIMEOUT, either=True)
    if delay is not None and delay <= 2 * TIMEOUT:    # landed within the wait: no over-cut
        assert not overcut, broker.cuts
    if delay == 15.0 and not buys:                    # trial23b finding 1, the plainest form
        assert [c[1] for c in broker.cuts] == [2] and broker.positions[MNQ] == 2


@pytest.mark.parametrize("sold_at", [10.5, 13.0, 19.5])
@pytest.mark.parametrize("delay", [None, 12.0, 25.0])
def test_the_traders_sell_of_the_cuts_size_during_the_wait_keeps_the_cut_listed(
        journal, clock, sold_at, delay):
    """check23 N1: the trader sold exactly the cut's size during the wait (4 -> 2); that
    sell and the cut carried out are one market sell of 2 alike, so the result says it cannot
    tell them apart and lists the cut as unsettled: risk then takes a later market sell of 2
    as riskd's cut and the first as the trader's (tests/unit/risk/test_cut_or_your_sell.py).
    Before, nothing was listed and riskd's cut, carried out later, was the trader's trade."""
    broker = SlowBroker(clock, 4, delay, buys=((sold_at, -2),))
    entry, _ = journal.receive(reduce(), clock.now_ns())
    out = executor(journal, clock).run(Job(entry, str(A)), broker)
    assert out.result.status == DONE, out.result
    assert [c[1] for c in broker.cuts] == [2], broker.cuts       # never cut again
    assert [(c.contract_id, c.size) for c in out.result.unsettled] == [(MNQ, 2)], out.result
    # the sell it cannot tell from the cut, named for risk (LostCall.either)
    assert out.result.unsettled[0].either in {o.id for o in broker.made}, out.result
    assert f"(order {out.result.unsettled[0].either}): either this cut" in out.result.detail
    assert "riskd cannot tell which" in out.result.detail, out.result.detail
    assert "if that sell was the trader's, riskd's cut may still be carried out: until " \
        in out.result.detail, out.result.detail


@pytest.mark.parametrize("bought_at", [10.6, 14.5, 19.5])
def test_a_buy_during_the_wait_is_said_bought_not_an_earlier_reduces_share(
        journal, clock, bought_at):
    """check23 N4: the trader bought 1 during the wait for the lost cut (held): the next cut
    closes 3 (5 -> 2), 1 more than asked, bought while the cut was on its way; never "the
    share of riskd's earlier reduce" (there was none: the first read, 4, missed the buy)."""
    broker = SlowBroker(clock, 4, None, buys=((bought_at, 1),))
    # risk decided on long 4 (Command.held), cut 2
    entry, _ = journal.receive(attrs.evolve(reduce(), held=4), clock.now_ns())
    out = executor(journal, clock).run(Job(entry, str(A)), broker)
    assert out.result.status == DONE and [c[1] for c in broker.cuts] == [2, 3], broker.cuts
    assert "closed 3, 1 more than asked (bought while the cut was on its way)" \
        in out.result.detail, out.result.detail
    assert "the share of riskd's earlier reduce" not in out.result.detail, out.result.detail


def test_the_second_cut_takes_only_what_is_still_over_after_the_late_one(journal, clock):
    """The trader bought 1 during the wait: once the lost cut landed, riskd cuts that 1."""
    broker = SlowBroker(clock, 4, 12.0, buys=((14.5, 1),))
    entry, _ = journal.receive(reduce(), clock.now_ns())
    out = executor(journal, clock).run(Job(entry, str(A)), broker)
    assert out.result.status == DONE and broker.positions[MNQ] == 2, out.result
    assert [c[1] for c in broker.cuts] == [2], broker.cuts    # landed at 12: read 2, done
    # the buy at 14.5 came after the command ended: risk judges it as a new breach


def killed(tmp_path, clock, target_journaled: bool):
    """The first process started the command, journaled its target (or not) and was killed
    while its cut was out; enforcement comes back 3 s later."""
    path = str(tmp_path / "j.sqlite")
    first = Journal(path, clock.now_ns())
    first.receive(reduce(), clock.now_ns())
    started = clock.now_ns()
    first.start("d1.1", started)
    if target_journaled:
        first.save_progress("d1.1", {"target": 2, "observed": 4, "side": 1})
    first.close()
    return path, started


@pytest.mark.parametrize("delay,buys", list(itertools.product(
    [0.5, 3.5, 8.0, 15.0, 19.5, 20.5, 40.0, None], [(), ((5.0, 1),)])))
def test_a_cut_the_killed_process_sent_is_waited_for(tmp_path, clock, delay, buys):
    path, started = killed(tmp_path, clock, target_journaled=True)
    broker = SlowBroker(clock, 4, None, buys, hold_first=False)
    if delay is not None:                # the killed process's cut of 2, held at the broker
        broker.held.append((started + int(delay * S), 2))
        broker.cuts.append((started, 2, 4))
    else:
        broker.cuts.append((started, 2, 4))
        broker.held.append((0, 2))
    clock.advance(3)
    journal = Journal(path, clock.now_ns())
    out = executor(journal, clock).run(Job(journal.get("d1.1"), str(A), recheck=True), broker)
    # it would have timed out TIMEOUT s after it was sent, then been waited for as long again;
    # its landing is a market sell of its size, which riskd cannot tell from the trader's own
    # (either: listed, as for a round that timed out; check23 N1 on the restart path)
    overcut = check(broker, out, started, 2 * TIMEOUT, either=True)
    if delay is not None and delay <= 2 * TIMEOUT:
        assert not overcut, broker.cuts
    if overcut:
        assert out.result.unsettled[0].how == RESTARTED, out.result
        # its words: a cut, taken by its size (never "a close of the whole position")
        assert "resumed after enforcement restarted: the cut sent at " in out.result.detail
        assert "(2 minutes after this result) riskd takes a market order of exactly its 2 " \
               "contracts as that one, and says so" in out.result.detail, out.result.detail
    journal.close()


def test_a_killed_process_that_never_journaled_its_target_is_not_waited_for(tmp_path, clock):
    """No target journaled: that process never called (the target goes to the journal before
    the call): the resumed command cuts at once."""
    path, _started = killed(tmp_path, clock, target_journaled=False)
    broker = SlowBroker(clock, 4, None, hold_first=False)
    clock.advance(3)
    journal = Journal(path, clock.now_ns())
    begun = clock.now_ns()
    out = executor(journal, clock).run(Job(journal.get("d1.1"), str(A), recheck=True), broker)
    assert out.result.status == DONE and broker.positions[MNQ] == 2, out.result
    assert broker.cuts[0][0] - begun < S, broker.cuts
    journal.close()


@pytest.mark.parametrize("delay", [11.0, 14.0, 19.9, 25.0, None])
def test_another_reduce_of_the_contract_waits_for_the_lost_cut(journal, clock, delay):
    """An admin tightened the limit while the first reduce's cut was out (trial23b finding 5):
    the second reduce (limit 1) waits for that cut too, then cuts only what is still over."""
    broker = SlowBroker(clock, 4, delay)
    ex = executor(journal, clock)
    first, _ = journal.receive(reduce("d1.1"), clock.now_ns())
    job = Job(first, str(A))
    out = ex.turn(job, broker)                     # round 1: its cut times out
    lost_ns = broker.t0 + int(TIMEOUT * S)
    second, _ = journal.receive(reduce("d2.1", target=1, size=1), clock.now_ns())
    out2 = ex.run(Job(second, str(A), recheck=True), broker)
    assert out2.result.status == DONE, out2.result
    later = broker.cuts[1:]
    landed = broker.landed_ns
    for sent, _n, _held in [c for c in later if not landed or c[0] < landed]:
        assert sent >= lost_ns + int(TIMEOUT * S), (sent - lost_ns) / S
    if delay is not None and delay <= 2 * TIMEOUT:
        assert [c[1] for c in later] == [1] and broker.positions[MNQ] == 1, broker.cuts
    assert out.kind == "settle", out              # the first still waits for its cut
    first_out = ex.run(out.again, broker)         # it resumes once the second is done
    assert first_out.result.status == DONE, first_out.result
    held_still = bool(broker.held)
    # its cut still held at the broker (the second cut 4 -> 1 by itself): listed, so risk
    # keeps its late fill as riskd's over-cut; landed already: a market sell of its size that
    # is it or the trader's own (riskd cannot tell which), listed too, said so (check23 N1)
    assert [(c.contract_id, c.size) for c in first_out.result.unsettled] == [(MNQ, 2)], \
        (first_out.result, broker.held)
    assert held_still or "if that sell was the trader's, riskd's cut may still be carried " \
        "out" in first_out.result.detail, first_out.result.detail
    assert "riskd's reduce (max_contracts) at " in first_out.result.detail, first_out.result


def test_a_cut_answered_http_500_is_read_again_for_a_second(journal, clock):
    """The broker answered (a 5xx): what it did shows on the next reads; riskd waits about a
    second, not a broker timeout, and then cuts what is still over."""
    broker = FakeBroker(A, clock)
    broker.positions = {MNQ: 4}
    broker.fail[PARTIAL] = [BrokerUnavailable(PARTIAL, 3, "HTTP 500", status=500)]
    entry, _ = journal.receive(reduce(), clock.now_ns())
    start = clock.now_ns()
    out = executor(journal, clock).run(Job(entry, str(A)), broker)
    assert out.result.status == DONE and broker.positions[MNQ] == 2, out.result
    assert (clock.now_ns() - start) / S < 2.5


def test_the_wait_is_one_more_broker_timeout(journal, clock):
    """[broker] timeout 4 s: a cut that timed out is waited for 4 s more, not 10."""
    broker = SlowBroker(clock, 4, None, timeout=4.0)
    entry, _ = journal.receive(reduce(), clock.now_ns())
    out = executor(journal, clock).run(Job(entry, str(A)), broker)
    assert out.result.status == DONE, out.result
    sent = broker.cuts[1][0]
    assert 8 * S <= sent - broker.t0 <= 9 * S, (sent - broker.t0) / S
    assert [(c.size, c.how) for c in out.result.unsettled] == [(2, TIMED_OUT)]


def test_a_cut_landing_between_the_next_cut_and_its_read_is_said_as_riskds_overcut(journal,
                                                                                   clock):
    """The broker held round 1's cut past the wait and carried it out just after round 2's
    (before riskd's read after it): the read shows 0, below the target by exactly that cut.
    The result says riskd cut 2 more than the limit needed, and does not list the cut as
    unsettled (seen carried out: a sell of the trader's later is the trader's)."""
    broker = SlowBroker(clock, 4, "after the next")
    entry, _ = journal.receive(reduce(), clock.now_ns())
    out = executor(journal, clock).run(Job(entry, str(A)), broker)
    assert out.result.status == DONE and broker.positions[MNQ] == 0, out.result
    assert out.result.unsettled == [], out.result
    assert out.result.detail.startswith("closed MNQ on account 7 (4 contracts): riskd's "
                                        "earlier cut of 2 (timed out at "), out.result.detail
    assert "was carried out by the broker after this one, so riskd cut 2 more than the " \
           "limit needed" in out.result.detail, out.result.detail


@pytest.mark.parametrize("behind,hands", [("close_position", True), ("flatten", True),
                                          ("reduce_position", False)])
def test_a_close_queued_behind_the_wait_runs_first(journal, clock, behind, hands):
    """The wait is not a wait of the lane: a close or a flatten queued behind it (a lockout's,
    which does not wait for a lost cut: a whole close is harmless to repeat) gets the slot at
    once; the reduce resumes after it, re-reading, its round not counted and never taken for
    a command left by a restart. Another reduce waits (it would wait for the same cut)."""
    broker = SlowBroker(clock, 4, None)
    other = Command(id="d9.1", decision_id="d9", account_id=A, action=behind,
                    rule="daily_realized_loss", contract_id=MNQ if behind != "flatten" else None,
                    size=1 if behind == "reduce_position" else None,
                    target=1 if behind == "reduce_position" else None)
    queue = [other]
    ex = Executor(lambda _b: None, journal, clock, Settings(settle=0),
                  sleep=lambda s: clock.advance(s), queued=lambda c: list(queue))
    entry, _ = journal.receive(reduce(), clock.now_ns())
    out = ex.run(Job(entry, str(A)), broker)
    if not hands:
        assert out.kind == "final" and out.result.status == DONE, out
        return
    assert out.kind == "handover", out
    assert (clock.now_ns() - broker.t0) / S < TIMEOUT + 1       # at the wait's first step
    assert [c[1] for c in broker.cuts] == [2]
    queue.clear()
    broker.release()                  # the lost cut lands while the close runs: 4 -> 2
    again = ex.run(out.again, broker)
    assert again.result.status == DONE and broker.positions[MNQ] == 2, again.result
    assert [c[1] for c in broker.cuts] == [2], broker.cuts
    assert again.result.attempts == 2, again.result       # round 1, and the one resumed
    assert "restarted" not in again.result.detail, again.result.detail


@pytest.mark.parametrize("sold_at", [4.0, 10.5, 13.0, 19.5])
@pytest.mark.parametrize("delay", [None, 25.0, 40.0])
def test_the_traders_sell_during_a_resumed_reduces_wait_keeps_the_killed_cut_listed(
        tmp_path, clock, sold_at, delay):
    """check23 N1 on the restart path (round 24, 2 of 2 by hand): enforcement was killed while
    its cut of 2 was held; the resumed reduce waited for it, and the trader sold exactly 2
    meanwhile (4 -> 2). That sell and the killed cut carried out are one market sell of 2
    alike: the result says it cannot tell which and lists the cut as unsettled with that order
    (LostCall.either), so risk takes the held cut, carried out later, as riskd's over-cut and
    the first sell as the trader's (tests/unit/risk/test_cut_or_your_sell.py). Before: "found
    so when enforcement resumed the reduce after a restart", nothing listed, and the cut
    landing later was counted as the trader's trade, the position 2 under the limit unsaid."""
    path, started = killed(tmp_path, clock, target_journaled=True)
    broker = SlowBroker(clock, 4, None, buys=((sold_at, -2),), hold_first=False)
    broker.cuts.append((started, 2, 4))                # the killed process's cut, held
    broker.held.append((started + int(delay * S) if delay else 0, 2))
    clock.advance(3)
    journal = Journal(path, clock.now_ns())
    out = executor(journal, clock).run(Job(journal.get("d1.1"), str(A), recheck=True), broker)
    assert out.result.status == DONE, out.result
    assert [c[1] for c in broker.cuts] == [2], broker.cuts       # never cut again
    assert [(c.contract_id, c.size, c.how) for c in out.result.unsettled] \
        == [(MNQ, 2, RESTARTED)], out.result
    sell = out.result.unsettled[0].either
    assert sell in {o.id for o in broker.made}, out.result
    assert f"went from 4 contracts to 2: cut by a market sell of 2 at " in out.result.detail
    assert f"(order {sell}): either this close, which got no answer (enforcement restarted), " \
           f"carried out by the broker, or the trader's own sell; riskd cannot tell which" \
        in out.result.detail, out.result.detail
    assert "riskd takes a market order of exactly its 2 contracts as that one" \
        in out.result.detail, out.result.detail
    journal.close()
