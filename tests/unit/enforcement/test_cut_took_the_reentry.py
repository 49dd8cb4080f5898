"""A reduce's cut held at the broker, the trader meanwhile taking the position flat and
opening a new one: the cut, already out, then sells the trader's new position. riskd cannot
stop a call already at the broker; its ✅ Done (and so history and the phone) says what it
did, naming the trader's orders (trial25c F9, 2 of 2: long 4 against max_contracts 2, the cut
of 2 held 4 s, the trader's sell of 4 and buy of 2 meanwhile: "riskd's cut sold 2; your own
orders (not riskd's) sold 2 while it was on its way; nothing left, 2 below the 2 it cut to",
the re-entry never named). On the fake broker with a FakeClock; fails on the code before
(checked: the old words)."""
from __future__ import annotations

import datetime as dt

import pytest

from services.enforcement.executor import Job
from shared import showtime
from shared.messages.enforce import DONE
from tests.unit.enforcement.fakebroker import FakeBroker
from tests.unit.enforcement.test_lost_cut_waited import A, MNQ, executor, reduce

def clock_of(ns: int) -> str:
    """The time as the Done names it (the executor's zone: UTC here)."""
    return showtime.start(ns, dt.timezone.utc, ns)


SELL, BUY = 1, -1       # FakeBroker._made's `held`: the side of the position an order closes


class ReenteredDuringCut(FakeBroker):
    """Its partial close is held `hold` s; the trader's orders (held-sign, size) are made
    0.5 s apart from 0.5 s into the hold, then the cut is carried out and answered."""

    def __init__(self, clock, orders, hold: float = 4.0):
        super().__init__(A, clock)
        self.traders, self.hold = orders, hold

    def partial_close_contract(self, account_id, contract_id, size):
        for sign, n in self.traders:
            self.clock.advance(0.5)
            self._made(contract_id, sign, n)
            self.positions[contract_id] -= sign * n
        self.clock.advance(self.hold - 0.5 * len(self.traders))
        super().partial_close_contract(account_id, contract_id, size)


@pytest.mark.parametrize("orders,opened,flat_by", [
    ([(SELL, 4), (BUY, 2)], "the long 2", ["sell of 4"]),
    ([(SELL, 4), (BUY, 3)], "2 of the long 3", ["sell of 4"]),
    ([(SELL, 3), (SELL, 1), (BUY, 2)], "the long 2", ["sell of 3", "sell of 1"]),
])
def test_a_held_cut_that_sold_the_traders_reentry_says_so(journal, clock, orders, opened,
                                                           flat_by):
    broker = ReenteredDuringCut(clock, orders)
    broker.positions = {MNQ: 4}
    entry, _ = journal.receive(reduce(target=2), clock.now_ns())
    out = executor(journal, clock).run(Job(entry, str(A)), broker)
    left = sum(n for s, n in orders if s == BUY) - 2
    assert out.result.status == DONE and broker.positions[MNQ] == left, out.result
    made = broker.made
    assert len(made) == len(orders) + 1 and made[-1].size == 2            # the cut: last
    detail = out.result.detail
    new, cut = made[-2], made[-1]
    assert "riskd's cut, already at the broker, sold 2: " + opened in detail, detail
    assert f"you opened at {clock_of(new.created_ns)} (order {new.id})" in detail, detail
    assert "your own orders (not riskd's)" not in detail, detail
    said = " and ".join(f"{w} at {clock_of(o.created_ns)} (order {o.id})"
                        for w, o in zip(flat_by, made[:-2]))
    assert f"(order {new.id}) after your {said} took MNQ flat; " in detail, detail
    assert ("nothing left, 2 below the 2 it cut to" if not left
            else f"{left} left, {2 - left} below the 2 it cut to") in detail, detail
    # the cut's own order is riskd's; the trader's orders never are
    assert [o.order_id for o in out.result.close_orders] == [cut.id], out.result
