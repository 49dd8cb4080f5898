"""A reduce's cut (one partialCloseContract) is ONE market order of its size at the broker, so
its result names at most one order per cut, never the trader's own sell of the same size made
while the cut was out too (trial24c finding 1: both were named riskd's, the trader's sell was
nobody's trade; services/enforcement/cutfits.py, docs/rules.md "Whose trade it is").

On the fake broker with a FakeClock: the cut held at the broker 6 s (the sim's `--hold`, or a
slow broker's `--delay`), the trader's sell of 2 made 1 s into it; the same when enforcement
was killed while its cut was out and resumed the reduce after both sells (the resumed reduce's
window, from the ended process's start, took every market order on the contract). Each test
fails on the code before the fix (checked: both sells listed)."""
from __future__ import annotations

import itertools

import pytest

from services.enforcement import closeorders
from services.enforcement.executor import Job
from services.enforcement.journal import Journal
from shared.messages.enforce import DONE
from shared.projectx.models import Order
from tests.unit.enforcement.fakebroker import PARTIAL, FakeBroker
from tests.unit.enforcement.test_lost_cut_waited import (A, MNQ, S, SlowBroker, executor,
                                                         killed, reduce)

SELL = 1


class HeldCut(FakeBroker):
    """Its partial close is held `hold` s, then carried out and answered; the trader sells
    `sold` (the cut's size or not) `at` s into the hold."""

    def __init__(self, clock, sold: int, at: float = 1.0, hold: float = 6.0):
        super().__init__(A, clock)
        self.sold, self.at, self.hold = sold, at, hold

    def partial_close_contract(self, account_id, contract_id, size):
        self.clock.advance(self.at)
        self._made(contract_id, 1, self.sold)                 # the trader's own market sell
        self.positions[contract_id] -= self.sold
        self.clock.advance(self.hold - self.at)
        super().partial_close_contract(account_id, contract_id, size)


@pytest.mark.parametrize("sold", [2, 1])
def test_a_held_cut_names_its_own_order_not_the_traders_sell(journal, clock, sold):
    broker = HeldCut(clock, sold)
    broker.positions = {MNQ: 7}
    entry, _ = journal.receive(reduce(target=5), clock.now_ns())
    out = executor(journal, clock).run(Job(entry, str(A)), broker)
    assert out.result.status == DONE and broker.positions[MNQ] == 5 - sold, out.result
    assert [c for c in broker.trading() if c[0] == PARTIAL] == [(PARTIAL, (MNQ, 2))]
    riskds = broker.made[-1]                                  # made as the cut was carried out
    assert [(o.order_id, o.size, o.answered) for o in out.result.close_orders] \
        == [(riskds.id, 2, True)], out.result
    assert out.result.orders_known
    # said as before: the position went further down than the cut took
    assert f"riskd's cut sold 2; your own orders (not riskd's) sold {sold} while it was on " \
           f"its way" in out.result.detail, out.result.detail


@pytest.mark.parametrize("sold_at,landed_at", [(1.0, 2.0), (2.0, 1.0)])
def test_a_resumed_reduce_names_one_order_of_the_killed_cut(tmp_path, clock, sold_at,
                                                            landed_at):
    """Enforcement killed while its cut of 2 (4 -> 2) was held; the broker carried it out and
    the trader sold 2 before the reduce resumed (4 -> 0): one of the two sells is riskd's."""
    path, started = killed(tmp_path, clock, target_journaled=True)
    broker = SlowBroker(clock, 4, None, buys=((sold_at, -2),), hold_first=False)
    broker.cuts.append((started, 2, 4))
    broker.held.append((started + int(landed_at * S), 2))
    clock.advance(3)
    journal = Journal(path, clock.now_ns())
    out = executor(journal, clock).run(Job(journal.get("d1.1"), str(A), recheck=True), broker)
    assert out.result.status == DONE and broker.positions[MNQ] == 0, out.result
    assert len(broker.made) == 2 and all(o.size == 2 for o in broker.made)
    assert [o.size for o in out.result.close_orders] == [2], out.result
    assert out.result.close_orders[0].order_id in {o.id for o in broker.made}
    journal.close()


def order(oid: int, at: float, size: int = 2) -> Order:
    return Order(id=oid, account_id=A, contract_id=MNQ, created_ns=int(at * S), updated_ns=0,
                 status=2, type=2, side=SELL, size=size)


@pytest.mark.parametrize("first,second", list(itertools.permutations(["answered", "lost"])))
def test_each_cut_takes_one_order_the_last_of_its_window_answered_cuts_first(first, second):
    """Two cuts of 2: one answered done (its window 10-16 s), one whose answer was lost (sent
    at 5 s: its window runs to the search at 30 s); three market sells of 2 at 8, 12 and 15 s.
    The answered cut takes the one made last before its answer (15 s), the lost cut the last
    left in its window (12 s); the sell at 8 s is nobody's cut: the trader's. In whatever order
    the calls were made."""
    calls = {"answered": closeorders.CloseCall(MNQ, 2, 10 * S, 16 * S),
             "lost": closeorders.CloseCall(MNQ, 2, 5 * S, worked=False)}
    orders = [order(1, 8), order(2, 12), order(3, 15), order(4, 13, size=1)]
    found, known = closeorders.pick(orders, [calls[first], calls[second]], 30 * S)
    assert known
    assert [(o.order_id, o.answered) for o in found] == [(2, False), (3, True)], found
