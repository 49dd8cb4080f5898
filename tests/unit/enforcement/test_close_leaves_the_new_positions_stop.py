"""A close's clean-up never cancels an order the trader placed after the broker carried the close
out (services/enforcement/ordersafter.py): the stop of a position opened since is the trader's.

Round 24 made close_position leave a position opened after the one riskd decided on
(newerposition.py), but its clean-up (closing a contract cancels its working orders) still
cancelled every order on the contract its read found, the new position's stop too: the trader
re-entered and placed a stop, and riskd's close, whose answer or read came a moment later,
cancelled it and left the new position without its stop. The orders placed before the close's
fill stay the closed position's and are cancelled as before: its old stop, and a stop placed
while the close was in flight (the close takes all that is open when the broker carries it out).

Every order of the four events is tried (24): the close's fill, the trader's market buy of 1,
its sell stop's placement, enforcement's first read of the orders. Where the read comes before
the fill, the close's answer was lost (a timeout) and the broker carries it out after the read.
The closed position's own stop, placed a minute before riskd decided, is there in every case and
always cancelled. Each case where the new stop is placed after the fill fails on the code
before this change (checked in a detached worktree of main 3aa9be0d: 12 failed, the stop
cancelled), the others pass there and here."""
from __future__ import annotations

from decimal import Decimal
from itertools import permutations
from zoneinfo import ZoneInfo

import attrs
import pytest

from services.enforcement.executor import Executor, Job, Settings
from services.enforcement.journal import Journal
from shared.messages.enforce import DONE, Command
from shared.projectx.errors import BrokerUnavailable
from shared.projectx.models import Order
from tests.unit.enforcement.fakebroker import CANCEL, CLOSE, FakeBroker, order

A = 7
MNQ = "CON.F.US.MNQ.Z26"
NS = 1_000_000_000
OLD, NEW = 10, 11               # the closed position's stop; the stop placed for the new one
SELL, BUY, STOP, MARKET = 1, 0, 4, 2
FILL, BUYS, PLACES, READ = "fill", "buy", "stop", "read"


class Events(FakeBroker):
    """The four events in `order`, one second apart by the broker's clock. The close call runs
    those before the read while it is at the broker (the fill among them: it is carried out and
    answered; else its answer is lost, a timeout, and it is carried out after the read); the
    first order read is the read; what comes after it happens at the next broker call."""

    def __init__(self, clock, sequence: tuple):
        super().__init__(A, clock)
        self.sequence = list(sequence)
        self.positions = {MNQ: 1}
        self.opened = {MNQ: clock.now_ns() - NS}        # the long 1 riskd decided on
        self.orders = {OLD: attrs.evolve(order(A, OLD, MNQ, type=STOP, side=SELL),
                                         created_ns=clock.now_ns() - 60 * NS,
                                         stop_price=Decimal("20700"))}
        self.filled_at = self.placed_at = 0
        self.seen_new = False                          # a read of the orders listed the new stop

    def _event(self, what: str) -> None:
        self.clock.advance(1)
        now = self.clock.now_ns()
        if what == FILL:                               # the broker carries the close out
            self._made(MNQ, self.positions[MNQ], self.positions[MNQ])
            self.positions[MNQ], self.filled_at = 0, now
        elif what == BUYS:                             # the trader's market buy of 1
            if not self.positions.get(MNQ):
                self.opened[MNQ] = now                 # a new position: opened now
            self.positions[MNQ] = self.positions.get(MNQ, 0) + 1
            self.made.append(Order(id=8001, account_id=A, contract_id=MNQ, created_ns=now,
                                   updated_ns=0, status=2, type=MARKET, side=BUY, size=1))
        elif what == PLACES:                           # the trader's sell stop of 1
            self.orders[NEW] = attrs.evolve(order(A, NEW, MNQ, type=STOP, side=SELL),
                                            created_ns=now, stop_price=Decimal("20800"))
            self.placed_at = now

    def _until_read(self) -> None:
        while self.sequence and self.sequence[0] != READ:
            self._event(self.sequence.pop(0))

    def _enter(self, endpoint, arg=None):
        if self.sequence and self.sequence[0] == READ and endpoint not in (CLOSE,) \
                and getattr(self, "read_done", False):
            self.sequence.pop(0)                       # the read was the one before this call
            while self.sequence:
                self._event(self.sequence.pop(0))
        super()._enter(endpoint, arg)

    def close_contract(self, account_id, contract_id):
        self._enter(CLOSE, contract_id)
        fills = FILL in self.sequence[:self.sequence.index(READ)]
        self._until_read()
        if not fills:                                  # at the broker still; its answer lost
            raise BrokerUnavailable(CLOSE, 1, "timed out")

    def query_orders(self, account_id, statuses=None, **kw):
        page = super().query_orders(account_id, statuses, **kw)
        self.read_done = True
        self.seen_new = self.seen_new or any(o.id == NEW for o in page.orders)
        return page


def run(clock, journal, broker, held: int = 1):
    cmd = Command(id="d1.1", decision_id="d1", account_id=A, action="close_position",
                  rule="daily_unrealized_loss", contract_id=MNQ, held=held,
                  event_ns=clock.now_ns(), issued_ns=clock.now_ns(),
                  opened_ns=clock.now_ns() - NS)
    ex = Executor(lambda _b: broker, journal, clock,
                  Settings(settle=0, zone=ZoneInfo("America/Chicago")), sleep=clock.advance)
    entry, _new = journal.receive(cmd, clock.now_ns())
    return ex.run(Job(entry, str(A)), broker).result


@pytest.mark.parametrize("sequence", list(permutations((FILL, BUYS, PLACES, READ))),
                         ids="-".join)
def test_the_close_cancels_only_the_orders_placed_before_its_fill(clock, journal, sequence):
    broker = Events(clock, sequence)
    res = run(clock, journal, broker)
    assert res.status == DONE, res
    cancelled = [c[1] for c in broker.trading() if c[0] == CANCEL]
    assert OLD in cancelled, (sequence, res.detail)          # the closed position's stop
    after = broker.placed_at > broker.filled_at
    # placed after the fill: the trader's new order, left working; before: the closed one's
    assert (NEW in broker.orders) == after, (sequence, cancelled, res.detail)
    assert (NEW in cancelled) == (not after and broker.seen_new), (sequence, res.detail)
    # only riskd's one close; the new position (bought after the fill) left open
    assert [c for c in broker.trading() if c[0] == CLOSE] == [(CLOSE, MNQ)], broker.trading()
    assert broker.positions[MNQ] == (1 if sequence.index(BUYS) > sequence.index(FILL) else 0)
    left = "1 order left working: the trader's sell stop MNQ 1 @ 20800.00, placed at"
    assert (left in res.detail) == (after and broker.seen_new), (sequence, res.detail)


def test_the_result_says_the_order_it_left(clock, journal):
    """The close carried out, the trader bought 1 and placed its stop before the close's
    answer came: the Done (and history) says the position and the stop it left."""
    broker = Events(clock, (FILL, BUYS, PLACES, READ))
    res = run(clock, journal, broker)
    assert res.detail == (
        f"MNQ on account {A} closed; the long 1 open on it now was opened at Tue 16:13:22 CST, "
        "after riskd decided this close: not closed by it (riskd's rules judge it as any new "
        "position), 1 order cancelled; 1 order left working: the trader's sell stop MNQ 1 @ "
        "20800.00, placed at Tue 16:13:23 CST, after the position riskd decided on was closed: "
        "not cancelled by it (riskd's rules judge it as any order)"), res.detail


def test_a_stop_placed_before_a_slow_answer_with_no_newer_order_reads_nothing_more(
        clock, journal):
    """The usual close: only orders older than its call are on the contract, so no order
    search is made before the cancels (the one search is the result's, after them)."""
    broker = Events(clock, (FILL, READ))
    res = run(clock, journal, broker)
    assert res.status == DONE and OLD not in broker.orders, res
    searches = [i for i, c in enumerate(broker.log) if c[0] == "/api/Order/search"]
    cancels = [i for i, c in enumerate(broker.log) if c[0] == CANCEL]
    assert len(searches) == 1 and searches[0] > cancels[-1], broker.log


SELLS, RESTOPS = "sell", "restop"
KEPT = 12                       # the trader's stop for the 1 left after their own sell of 1


class PartialSellFirst(Events):
    """Long 2: while riskd's close is at the broker the trader sells 1 (a market order in the
    close's window) and places a stop for the 1 left; then the close is carried out (a sell of
    that 1), the trader buys 1 again and places its stop, and enforcement reads."""

    def __init__(self, clock):
        super().__init__(clock, (SELLS, RESTOPS, FILL, BUYS, PLACES, READ))
        self.positions = {MNQ: 2}

    def _event(self, what):
        if what == SELLS:
            self.clock.advance(1)
            self.positions[MNQ] -= 1
            self.made.append(Order(id=8000, account_id=A, contract_id=MNQ,
                                   created_ns=self.clock.now_ns(), updated_ns=0, status=2,
                                   type=MARKET, side=SELL, size=1))
        elif what == RESTOPS:
            self.clock.advance(1)
            self.orders[KEPT] = attrs.evolve(order(A, KEPT, MNQ, type=STOP, side=SELL),
                                             created_ns=self.clock.now_ns(),
                                             stop_price=Decimal("20750"))
        else:
            super()._event(what)


def test_a_stop_placed_after_the_traders_partial_sell_is_the_closed_positions(clock, journal):
    """The trader's sell of 1 of the long 2 left it open: the close's fill is riskd's later
    order that left the contract flat, not that sell; the stop placed for the 1 left goes
    with the close, the new position's stays."""
    broker = PartialSellFirst(clock)
    res = run(clock, journal, broker, held=2)
    assert res.status == DONE, res
    assert OLD not in broker.orders and KEPT not in broker.orders, res.detail
    assert NEW in broker.orders and broker.positions[MNQ] == 1, res.detail
    assert "1 order left working: the trader's sell stop MNQ 1 @ 20800.00" in res.detail


def test_a_resumed_close_leaves_the_stop_of_the_position_opened_after_the_killed_process_closed(
        tmp_path, clock):
    """Enforcement killed -9 after its close was carried out; the trader bought 1 and placed
    its stop; the command resumed by the new process finds the new long 1 (not its to close)
    and cancels the closed position's stop only."""
    broker = Events(clock, ())
    cmd = Command(id="d1.1", decision_id="d1", account_id=A, action="close_position",
                  rule="daily_unrealized_loss", contract_id=MNQ, held=1,
                  event_ns=clock.now_ns(), issued_ns=clock.now_ns(),
                  opened_ns=clock.now_ns() - NS)
    path = str(tmp_path / "j.sqlite")
    first = Journal(path, clock.now_ns())
    first.receive(cmd, clock.now_ns())
    first.start("d1.1", clock.now_ns())
    broker._event(FILL)                     # the killed process's close, carried out
    first.close()
    broker._event(BUYS)
    broker._event(PLACES)
    clock.advance(1)
    second = Journal(path, clock.now_ns())
    ex = Executor(lambda _b: broker, second, clock,
                  Settings(settle=0, zone=ZoneInfo("America/Chicago")), sleep=clock.advance)
    res = ex.run(Job(second.get("d1.1"), str(A), recheck=True), broker).result
    second.close()
    assert res.status == DONE and broker.positions[MNQ] == 1, (broker.trading(), res)
    assert OLD not in broker.orders and NEW in broker.orders, (broker.trading(), res.detail)
    assert "1 order left working: the trader's sell stop MNQ 1 @ 20800.00" in res.detail, \
        res.detail
