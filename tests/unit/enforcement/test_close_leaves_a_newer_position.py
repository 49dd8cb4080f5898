"""A close never takes a position the trader opened after riskd's close had closed the one it
was decided on (services/enforcement/newerposition.py).

Fresh-user trial24b F1 (3 of 3 with a slow Position/searchOpen, 1 of 2 with enforcement
killed -9 after its close): rule 4's close of long 1 worked, the admin unlocked, the trader
bought 1 at once; the close's check read (slow at the broker) came back with that new long 1,
"still open (1) after closeContract", and its second round closed it -- a wrongful close, told
as riskd's ordinary close of the breach. With enforcement killed after its close was carried
out, the resumed command read the new long 1 and closed it the same way.

Every moment the trader's new position can land in is tried: before the close's own check
read, after a first check read that still saw the old position (its fill not booked yet), and
before a command resumed after a restart reads; and the other side of the line: a position
the trader ADDED to while the close was out (it opened before riskd decided), or one opened
within the clocks' skew of the decision, is still closed. Each case that leaves the new
position fails on the code before this fix (checked: the close's second round or the resumed
close closed it; broker.positions[MNQ] == 0)."""
from __future__ import annotations

import pytest

from services.enforcement.executor import Executor, Job, Settings
from services.enforcement.journal import Journal
from shared.messages.enforce import DONE, Command
from tests.unit.enforcement.fakebroker import CLOSE, FakeBroker

A = 7
MNQ = "CON.F.US.MNQ.Z26"
NS = 1_000_000_000


def command(clock, named: bool = True) -> Command:
    """Risk's close of the long 1 that opened a second before it decided; named: the command
    says when that position opened (Command.opened_ns), as risk's do; else (older senders)
    enforcement goes by its issue time."""
    return Command(id="d1.1", decision_id="d1", account_id=A, action="close_position",
                   rule="daily_unrealized_loss", contract_id=MNQ, held=1,
                   event_ns=clock.now_ns(), issued_ns=clock.now_ns(),
                   opened_ns=clock.now_ns() - NS if named else 0)


class TraderBuysAgain(FakeBroker):
    """The close is carried out; the trader's market buy of 1 then opens a new position
    `after_s` after riskd decided, at the moment `when` names:
      'check'  -- before the close's first check read (that read is slow at the broker);
      'second' -- the first check read still sees the old long 1 (the close's fill not booked
                  yet), the buy lands before the next round's read."""

    def __init__(self, clock, when: str, after_s: float):
        super().__init__(A, clock)
        self.when, self.after_s = when, after_s
        self.decided_ns = clock.now_ns()
        self.reads = 0
        self.positions = {MNQ: 1}
        self.opened = {MNQ: self.decided_ns - NS}       # the breaching long 1, opened earlier

    def close_contract(self, account_id, contract_id):
        if self.when == "second" and not self.reads:
            self._enter(CLOSE, contract_id)             # carried out, its fill not booked:
            self._made(contract_id, 1, 1)               # the first check read still sees it
            self.lagging = True
            return
        super().close_contract(account_id, contract_id)

    def open_positions(self, account_id):
        self.reads += 1
        if self.when == "check" and self.reads == 1 or self.when == "second" and self.reads == 2:
            if getattr(self, "lagging", False):
                self.positions[MNQ] = 0
            self.clock.advance(max(0.0, self.decided_ns / NS + self.after_s
                                   - self.clock.now_ns() / NS))
            self.positions[MNQ] = 1                     # the trader's new long 1
            self.opened[MNQ] = self.clock.now_ns()
        return super().open_positions(account_id)


def run(clock, journal, broker, named: bool = True):
    ex = Executor(lambda _b: broker, journal, clock, Settings(settle=0), sleep=clock.advance)
    entry, _new = journal.receive(command(clock, named), clock.now_ns())
    return ex.run(Job(entry, str(A)), broker).result


@pytest.mark.parametrize("named", [True, False])
@pytest.mark.parametrize("when", ["check", "second"])
def test_the_traders_new_position_is_left_open(clock, journal, when, named):
    broker = TraderBuysAgain(clock, when, after_s=3.5)
    res = run(clock, journal, broker, named)
    assert res.status == DONE, res
    assert broker.positions[MNQ] == 1, (broker.trading(), res.detail)
    assert [c for c in broker.trading() if c[0] == CLOSE] == [(CLOSE, MNQ)], broker.trading()
    assert "after riskd decided this close: not closed by it" in res.detail, res.detail
    assert "the long 1 open on it now was opened at" in res.detail, res.detail
    # its one close order is riskd's; the trader's buy is nobody's close
    assert [o.side for o in res.close_orders] == [1], res


@pytest.mark.parametrize("when", ["check", "second"])
def test_a_reentry_half_a_second_later_is_left_when_the_command_names_its_position(
        clock, journal, when):
    """Risk's command says when the position it decided on opened, by the broker's clock: a
    position the broker stamps opened later is another one, however soon (trial24b F1 (d):
    the trader re-entered 1 s after riskd's close)."""
    broker = TraderBuysAgain(clock, when, after_s=0.5)
    res = run(clock, journal, broker)
    assert res.status == DONE and broker.positions[MNQ] == 1, (broker.trading(), res)
    assert "not closed by it" in res.detail, res.detail


@pytest.mark.parametrize("when", ["check", "second"])
def test_with_no_opening_named_a_position_within_the_clocks_skew_is_still_closed(
        clock, journal, when):
    """0.5 s after the decision and the command names no opening time: by riskd's clock
    against the broker's, which may differ a second, it may be the one riskd decided on;
    closed as before."""
    broker = TraderBuysAgain(clock, when, after_s=0.5)
    res = run(clock, journal, broker, named=False)
    assert res.status == DONE and broker.positions[MNQ] == 0, (broker.trading(), res)
    assert "not closed by it" not in res.detail, res.detail


def test_a_position_added_to_while_the_close_was_out_is_closed(clock, journal):
    """The trader bought 1 more while the close was on its way and the first check read came
    before the broker carried it out: the same position (opened before riskd decided), so the
    next round closes all of it, as before."""
    broker = FakeBroker(A, clock)
    broker.positions, broker.opened = {MNQ: 1}, {MNQ: clock.now_ns() - NS}
    late = {"first": True}

    def close_contract(account_id, contract_id, _orig=broker.close_contract):
        if late["first"]:
            late["first"] = False
            broker._enter(CLOSE, contract_id)
            broker.positions[MNQ] = 2                  # the trader's buy of 1 more; no fill yet
            return
        _orig(account_id, contract_id)
    broker.close_contract = close_contract
    res = run(clock, journal, broker)           # named: the position opened a second before
    assert res.status == DONE and broker.positions[MNQ] == 0, (broker.trading(), res)
    assert "not closed by it" not in res.detail, res.detail


@pytest.mark.parametrize("named", [True, False])
def test_a_resumed_close_leaves_the_position_opened_after_the_killed_process_closed(tmp_path,
                                                                                    clock, named):
    """Enforcement killed -9 after its close was carried out; the trader bought 1 two seconds
    later; the command resumed by the new process reads that long 1: not its to close."""
    broker = FakeBroker(A, clock)
    broker.positions, broker.opened = {MNQ: 1}, {MNQ: clock.now_ns() - NS}
    path = str(tmp_path / "j.sqlite")
    first = Journal(path, clock.now_ns())
    first.receive(command(clock, named), clock.now_ns())
    first.start("d1.1", clock.now_ns())
    clock.advance(0.01)
    broker.close_contract(A, MNQ)                 # the killed process's close, carried out
    first.close()
    clock.advance(2)
    broker.positions[MNQ], broker.opened[MNQ] = 1, clock.now_ns()    # the trader's buy
    clock.advance(1)
    second = Journal(path, clock.now_ns())
    ex = Executor(lambda _b: broker, second, clock, Settings(settle=0), sleep=clock.advance)
    res = ex.run(Job(second.get("d1.1"), str(A), recheck=True), broker).result
    assert res.status == DONE and broker.positions[MNQ] == 1, (broker.trading(), res)
    assert res.detail.startswith(f"MNQ on account {A} was closed"), res.detail
    assert "after riskd decided this close: not closed by it" in res.detail, res.detail
    assert [c for c in broker.trading() if c[0] == CLOSE] == [(CLOSE, MNQ)], broker.trading()
    second.close()
