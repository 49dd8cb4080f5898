"""A close whose call got no answer (held at the broker: the sim's `--hold`, a timeout) when risk
withdraws its command (an admin's unlock) is still out: the command never ends "nothing to do"
(the alert "already flat at the broker") nor "done" with the trader's own buy taken as its
order; it ends withdrawn, saying the close may still be carried out until when, and lists the
call as unsettled so risk takes its late fill as riskd's late close (trial25b F0, 3 of 3:
`riskctl lockout 1001`, hold closeContract, `sim buy MNQ 1`, [kill -9 enforcement], `unlock`,
`sim buy MNQ 1`, `sim release`).

Every order of the events after the close call was sent: the withdraw (with or without a kill
-9 of enforcement at it: the restarted process resumes the command), the trader's market buy of
1, and the broker carrying the held close out (the release), each before any later broker call
of the command or after it ended, plus the buy that opened the locked position a moment before
the command (inside the order window's skew). Fails on the code before (checked: "what it sent
before enforcement restarted may have been carried out; ... nothing more carried out" with no
unsettled call and the opening buy as its order; not killed, "close MNQ (its answer was lost);
... nothing more carried out" with the trader's buy as its order).
"""
from __future__ import annotations

import itertools

import attrs

from shared.clock import FakeClock
from shared.messages.enforce import DONE, WITHDRAWN, Command, WithdrawCommand, closed_nothing
from shared.projectx.errors import BrokerUnavailable
from shared.projectx.models import Order
from services.enforcement.journal import Journal
from tests.unit.enforcement.fakebroker import CLOSE, SEARCH
from tests.unit.enforcement.test_withdraw_while_running import (A, MNQ, Events, Killed,
                                                                enforcement, run_jobs)

BUY, SELL = 0, 1
OPENING = 8999               # the trader's buy that opened the locked long 1
TRADERS = 8998               # the trader's buy after the unlock


class Held(Events):
    """Every closeContract is held at the broker: its call times out unanswered; release()
    carries the first out as the broker does, one market order for what is open then."""

    def __init__(self, clock):
        super().__init__(clock, {})
        self.out = 0
        self.released: list[int] = []
        self.released_at: int | None = None       # log index when it was carried out

    def close_contract(self, account_id, contract_id):
        try:
            self._enter(CLOSE, contract_id)
            self.out += 1
            raise BrokerUnavailable(CLOSE, 1, "timed out")
        finally:                             # the events between calls (Events)
            self.seen += 1
            self.fire()

    def release(self) -> None:
        if self.out and self.positions.get(MNQ):
            held = self.positions[MNQ]
            self._made(MNQ, held, abs(held))
            self.released.append(self.made[-1].id)
            self.released_at = len(self.log)
            self.positions[MNQ] = 0
        self.out = 0


def market(oid: int, side: int, created_ns: int) -> Order:
    return Order(id=oid, account_id=A, contract_id=MNQ, created_ns=created_ns, updated_ns=0,
                 status=2, type=2, side=side, size=1)


CMD = Command(id="f0.1", decision_id="f0", account_id=A, action="close_position",
              rule="lockout", reason="opened while locked", contract_id=MNQ, held=1)


def one_order(journal: Journal, cmd: Command, at: dict, killed: bool, start: float = 100) -> str:
    clock = FakeClock()
    clock.advance(start)
    broker = Held(clock)
    broker.positions = {MNQ: 1}
    # the trader's buy that opened the long, a moment before riskd's command
    broker.made.append(market(OPENING, BUY, clock.now_ns() - 10_000_000))
    state = {"w": enforcement(journal, clock)}
    back = WithdrawCommand(command_id=cmd.id, account_id=A, by="admin:root",
                           reason="the lockout ended (admin:root)", what="close MNQ long 1")

    def withdraw() -> None:
        broker.withdrawn_at = len(broker.log)
        state["w"].withdraw(back)
        if killed:
            raise Killed()

    def buy() -> None:
        clock.advance(0.5)
        broker.made.append(market(TRADERS, BUY, clock.now_ns()))
        broker.log.append(("buy", None))     # when, among the calls (not a call)
        broker.positions[MNQ] = broker.positions.get(MNQ, 0) + 1

    def release() -> None:
        clock.advance(0.5)
        broker.release()

    # at the same moment the withdraw comes last: a kill at it ends the process, not the world
    for k, hook in ((at["buy"], buy), (at["release"], release), (at["withdraw"], withdraw)):
        broker.hooks.setdefault(k, []).append(hook)
    where = f"{at}, killed {killed}"
    w = state["w"]
    w.accept(cmd)
    try:
        broker.fire()
        run_jobs(w, broker)
    except Killed:                           # kill -9 at the withdraw: the row left running
        clock.advance(2)
        w = state["w"] = enforcement(journal, clock)
        w._resume()
        w.withdraw(back)                     # risk's word to the resumed command
        run_jobs(w, broker)
    searches = [i for i, c in enumerate(broker.log) if c[0] == SEARCH]
    broker.rest()
    entry = w.journal.get(cmd.id)
    res = entry.result()
    assert entry.final and res.status in (DONE, WITHDRAWN), (where, res)
    assert not closed_nothing(res), (where, res.detail)
    ids = {o.order_id for o in res.close_orders}
    # the opening buy, and the trader's buy while the close was out, are never its order (a
    # buy after it was carried out, opening a new long, is told by the read after the closes:
    # closefits.py, newerposition.py)
    bought_after = broker.released_at is not None and any(
        i > broker.released_at for i, c in enumerate(broker.log) if c == ("buy", None))
    assert not ids & ({OPENING} if bought_after else {OPENING, TRADERS}), \
        (where, res.close_orders)
    before = broker.released_at is not None and bool(searches) \
        and broker.released_at <= searches[-1]
    if before:                              # its close was carried out before the search
        assert res.status == DONE and set(broker.released) <= ids, (where, res)
        return "carried out"
    assert res.status == WITHDRAWN, (where, res)
    assert res.detail.startswith("withdrawn: close MNQ long 1 was stopped while it ran: the "
                                 "lockout ended (admin:root); its close of MNQ ("), res.detail
    assert "got no answer and may still be carried out by the broker: until " in res.detail
    assert res.detail.endswith("riskd takes a close of the whole position as that one, and "
                               "says so; after that, as the trader's own"), res.detail
    assert "nothing to do" not in res.detail and "already flat" not in res.detail
    assert res.unsettled and {(c.contract_id, c.size) for c in res.unsettled} == {(MNQ, 0)}, \
        (where, res)
    assert {c.how for c in res.unsettled} <= {"timed out", "sent before enforcement restarted"}
    return "still out"


def test_a_withdrawn_close_with_no_answer_stays_riskds_late_close_in_every_order(tmp_path):
    seen = {"carried out": 0, "still out": 0}
    # the calls: 0 the close (held), 1 its next round's read, 2 its second close ...; the
    # withdraw after the close was sent (1: right after it, while its call is out) and before
    # the second close; the buy and the release at any call after the close, or after the
    # command ended (9). One journal (a restart is a new process on it); each order an hour
    # after the last, so no other command's lost close is recent enough to take its release
    # as its own (closedby.py)
    journal = Journal(str(tmp_path / "enforcement.sqlite"), FakeClock().now_ns())
    n = 0
    try:
        for w_at, buy_at, rel_at in itertools.product((1, 2), (1, 2, 3, 4, 9), (1, 2, 3, 4, 9)):
            for killed in (False, True):
                cmd = attrs.evolve(CMD, id=f"f{n}.1", decision_id=f"f{n}")
                seen[one_order(journal, cmd, {"withdraw": w_at, "buy": buy_at,
                                              "release": rel_at}, killed,
                               start=100 + 3600 * n)] += 1
                n += 1
    finally:
        journal.close()
    assert n == 100 and seen["still out"] and seen["carried out"], seen
