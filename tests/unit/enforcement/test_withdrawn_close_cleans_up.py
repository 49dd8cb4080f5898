"""A close carried out after its command was withdrawn cancels the orders it left without a
position, and says what it closed (services/enforcement/withdrawnclose.py).

trial25c F1 (3 of 3): Demo 1 long 1 MNQ with its own sell stop and sell limit; riskd's flatten
(a lockout) sent its closeContract, held 6 s at the broker; `riskctl unlock` withdrew the
flatten while it ran; the trader bought 1 and placed a new stop and limit. The held close was
carried out and closed both contracts; the flatten stopped before its cancels ("then stopped,
withdrawn while it ran ...: nothing more carried out"), and all four stop/limit orders stayed
working on a flat account: the limits filled later and opened an unguarded short 2. The same
with lockout enforcement's close_position and an unlock.

Every order of the five events is tried (120, for each of the two actions): the withdraw
reaching enforcement, the broker carrying the close out, the trader's market buy of 1, its
stop and limit's placement, and the close call's answer. What comes before the answer happens
while the close is at the broker (carried out then: answered done; else its answer is lost, a
timeout, and the broker carries it out later); what comes after it, one event before each of
enforcement's next broker calls (reads and trading calls alike), the rest after the command
ended. Whatever the order: no order created before the close's fill is left working on MNQ
once the command ended (unless the close was still not carried out when the command looked,
and it says so, its call left to risk's late close), no order created after the fill is
cancelled, no trading call after the withdraw but those cancels, a withdrawn command whose
close was carried out never says "nothing more carried out", and its result names riskd's
close order alone, never the trader's buy in the close's window (risk books that buy as the
trader's trade, not as part of riskd's fill: trial25c "F2 on another path", "closed MNQ +1 at
20935.08 (average)"). On the code before (a detached worktree of main 8cd331a2) 232 of the 240
fail (the orders left working after the withdraw, the trader's buy among the close's orders),
and both tests after them.
"""
from __future__ import annotations

from decimal import Decimal
from itertools import permutations
from zoneinfo import ZoneInfo

import attrs
import pytest

from services.enforcement.executor import Executor, Job, Settings
from shared.messages.enforce import DONE, WITHDRAWN, Command, WithdrawCommand
from shared.projectx.errors import BrokerUnavailable
from shared.projectx.models import Order
from tests.unit.enforcement.fakebroker import CANCEL, CLOSE, SEARCH, FakeBroker, order

A = 1001
MNQ = "CON.F.US.MNQ.Z26"
NS = 1_000_000_000
SELL, BUY, LIMIT, STOP, MARKET = 1, 0, 1, 4, 2
OLD_STOP, OLD_LIMIT, NEW_STOP, NEW_LIMIT = 25, 26, 28, 29
WITHDRAW, FILL, BUYS, PLACES, ANSWER = "withdraw", "fill", "buy", "place", "answer"
NOTHING_MORE = "nothing more carried out"
STILL_OUT = "got no answer and may still be carried out by the broker: until "
TRADERS_BUY = 8001


class Events(FakeBroker):
    """The events in `sequence`, one second apart by the broker's clock (see the docstring)."""

    def __init__(self, clock, sequence: tuple, withdraw):
        super().__init__(A, clock)
        self.sequence = list(sequence)
        self.withdraw = withdraw
        self.positions = {MNQ: 1}
        self.opened = {MNQ: clock.now_ns() - 60 * NS}       # the long 1 riskd decided on
        old = clock.now_ns() - 60 * NS
        self.orders = {
            OLD_STOP: attrs.evolve(order(A, OLD_STOP, MNQ, type=STOP, side=SELL),
                                   created_ns=old, stop_price=Decimal("20900")),
            OLD_LIMIT: attrs.evolve(order(A, OLD_LIMIT, MNQ, type=LIMIT, side=SELL),
                                    created_ns=old + 1, limit_price=Decimal("21000"))}
        self.filled_at = self.placed_at = self.withdrawn_at = self.filled_idx = 0
        self.closing = False
        self.calling = 0

    def _event(self, what: str) -> None:
        self.clock.advance(1)
        now = self.clock.now_ns()
        if what == WITHDRAW:
            self.withdrawn_at = len(self.log) + self.calling
            self.withdraw()
        elif what == FILL:                             # the broker carries the close out
            if self.positions.get(MNQ):
                self._made(MNQ, self.positions[MNQ], abs(self.positions[MNQ]))
            self.positions[MNQ], self.filled_at = 0, now
            self.filled_idx = len(self.log)
        elif what == BUYS:                             # the trader's market buy of 1
            if not self.positions.get(MNQ):
                self.opened[MNQ] = now
            self.positions[MNQ] = self.positions.get(MNQ, 0) + 1
            self.made.append(Order(id=TRADERS_BUY, account_id=A, contract_id=MNQ, created_ns=now,
                                   updated_ns=0, status=2, type=MARKET, side=BUY, size=1))
        elif what == PLACES:                           # its sell stop and sell limit
            self.orders[NEW_STOP] = attrs.evolve(order(A, NEW_STOP, MNQ, type=STOP, side=SELL),
                                                 created_ns=now, stop_price=Decimal("20900"))
            self.orders[NEW_LIMIT] = attrs.evolve(
                order(A, NEW_LIMIT, MNQ, type=LIMIT, side=SELL), created_ns=now,
                limit_price=Decimal("21000"))
            self.placed_at = now

    def _enter(self, endpoint, arg=None):
        if not self.closing and self.sequence and ANSWER not in self.sequence:
            # one event before each later call: that call is already on its way (a withdraw
            # now stops the one after it)
            self.calling = 1
            self._event(self.sequence.pop(0))
            self.calling = 0
        super()._enter(endpoint, arg)

    def close_contract(self, account_id, contract_id):
        if self.closing or ANSWER not in self.sequence:     # not riskd's one close
            return super().close_contract(account_id, contract_id)
        self.closing = True
        self._enter(CLOSE, contract_id)
        while self.sequence[0] != ANSWER:              # at the broker
            self._event(self.sequence.pop(0))
        self.sequence.pop(0)
        self.closing = False
        if self.filled_at:                             # carried out: answered done
            return
        raise BrokerUnavailable(CLOSE, None, "timed out")   # its answer lost

    def rest(self) -> None:
        while self.sequence:
            self._event(self.sequence.pop(0))


COMMANDS = {
    "flatten": dict(action="flatten", rule="cooldown_after_loss", contracts=(MNQ,), holds=(1,)),
    "lockout close": dict(action="close_position", rule="lockout", contract_id=MNQ, held=1),
}


def run(clock, journal, action: str, sequence: tuple):
    cmd = Command(id="d1.1", decision_id="d1", account_id=A, reason="trial v2",
                  event_ns=clock.now_ns(), issued_ns=clock.now_ns(),
                  opened_ns=clock.now_ns() - 60 * NS, **COMMANDS[action])
    ex = Executor(lambda _b: broker, journal, clock,
                  Settings(settle=0, zone=ZoneInfo("America/Chicago")), sleep=clock.advance)
    back = WithdrawCommand(command_id=cmd.id, account_id=A, by="admin:root",
                           reason="the lockout ended (admin:root)", what="flatten")
    broker = Events(clock, sequence, lambda: ex.withdrawn.__setitem__(cmd.id, back))
    entry, _new = journal.receive(cmd, clock.now_ns())
    res = ex.run(Job(entry, "Demo 1 (id 1001)"), broker).result
    searched_at = max((i for i, c in enumerate(broker.log) if c[0] == SEARCH), default=-1)
    ended = len(broker.log)
    broker.rest()
    return res, broker, searched_at, ended


CASES = [pytest.param(a, s, id=f"{a}:{'-'.join(s)}") for a in COMMANDS
         for s in permutations((WITHDRAW, FILL, BUYS, PLACES, ANSWER))]


@pytest.mark.parametrize("action, sequence", CASES)
def test_the_orders_the_close_left_without_a_position_are_cancelled(clock, journal, action,
                                                                     sequence):
    res, broker, searched_at, _ended = run(clock, journal, action, sequence)
    where = (sequence, res.detail, broker.log)
    # withdrawn only when its close was still out, no order of it shown (below)
    assert res.status == DONE or (res.status == WITHDRAWN and not (
        broker.filled_idx and broker.filled_idx <= searched_at)), where
    placed = {NEW_STOP, NEW_LIMIT} if broker.placed_at else set()
    after_fill = placed if broker.placed_at > broker.filled_at else set()
    # after the withdraw: no close, and no cancel but of an order created before the fill
    late = [c for c in broker.log[broker.withdrawn_at:] if c[0] in (CLOSE, CANCEL)] \
        if broker.withdrawn_at else []
    assert all(c[0] == CANCEL and c[1] not in after_fill for c in late), where
    # never an order placed after the fill (the new position's) cancelled
    assert not after_fill & {c[1] for c in broker.trading() if c[0] == CANCEL}, where
    if "withdrawn while it ran" not in res.detail and res.status == DONE:
        return          # it ended before the withdraw stopped it (flake25's path)
    if broker.filled_idx and broker.filled_idx <= searched_at:
        # carried out, and the command saw it: no order of the closed position left working
        before = {OLD_STOP, OLD_LIMIT} | (placed - after_fill)
        assert not before & set(broker.orders), where
        assert NOTHING_MORE not in res.detail and "was carried out at" in res.detail, where
        assert after_fill <= set(broker.orders), where
        # risk's side: its fill is riskd's close order alone, never the trader's buy beside
        # it (closefits.py: the clean-up's read after the fill tells them apart)
        closer = [o.id for o in broker.made if o.id != TRADERS_BUY]
        assert [o.order_id for o in res.close_orders] == closer, where
    else:       # not carried out when the command looked: nothing of it cancelled, said so
        # (withdrawn: its close is all it did, and it may still be carried out until ...:
        # services/enforcement/withdrawnlost.py)
        assert res.status == WITHDRAWN and STILL_OUT in res.detail, where
        assert [(u.contract_id, u.size) for u in res.unsettled] == [(MNQ, 0)], where
        assert late == [], where         # its cancels before the withdraw came stay done
        # the trader's buy in its lost call's window is never riskd's fill
        assert TRADERS_BUY not in [o.order_id for o in res.close_orders], where


def test_the_done_says_what_the_close_took_and_what_it_cancelled(clock, journal):
    """trial25c F1's order: the withdraw, the trader's buy and its stop and limit while the
    flatten's close is held at the broker, which then carries it out on the long 2."""
    res, broker, _s, _e = run(clock, journal, "flatten", (WITHDRAW, BUYS, PLACES, FILL, ANSWER))
    assert res.detail == (
        "flatten on account Demo 1 (id 1001): close MNQ; then stopped, withdrawn while it ran "
        "(the lockout ended (admin:root)): its close of MNQ, already sent (a call out at the "
        "broker is not taken back), was carried out at Tue 16:13:24 CST: it closed MNQ long 2, "
        "with the long 1 the trader bought at Tue 16:13:22 CST while that close was at the "
        "broker; riskd's clean-up of that close (not a new action) cancelled 4 orders it left "
        "without a position: sell stop MNQ 1 @ 20900.00 (order 25); sell limit MNQ 1 @ 21000.00 "
        "(order 26); sell stop MNQ 1 @ 20900.00 (order 28); sell limit MNQ 1 @ 21000.00 (order "
        "29); nothing else was sent"), res.detail
    assert broker.orders == {} and not broker.positions[MNQ]
    assert [(o.order_id, o.size) for o in res.close_orders] == [(9001, 2)]


def test_a_close_not_carried_out_yet_is_left_to_the_late_close(clock, journal):
    """The close's answer lost and the broker not carried it out when the withdrawn command
    looked: nothing cancelled, said so, and the call is unsettled (risk's late close)."""
    res, broker, _s, _e = run(clock, journal, "lockout close",
                              (ANSWER, WITHDRAW, BUYS, PLACES, FILL))
    assert res.status == WITHDRAWN and res.detail.startswith("withdrawn: ") \
        and " was stopped while it ran: the lockout ended (admin:root); its close of MNQ " \
        "(timed out at " in res.detail and STILL_OUT in res.detail, res.detail
    assert NOTHING_MORE not in res.detail
    assert [(u.contract_id, u.how) for u in res.unsettled] == [(MNQ, "timed out")], res.unsettled
    assert not [c for c in broker.trading() if c[0] == CANCEL]
