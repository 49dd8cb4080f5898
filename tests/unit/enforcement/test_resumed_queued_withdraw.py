"""A command left running by an enforcement killed -9 while its close was out at the broker,
withdrawn by risk after the restart, never reads "was not carried out": the close the ended
process sent may have been (and here always is, or may yet be) carried out. Whatever the
order of risk's re-send, its withdraw, the held close's fill and another command holding the
account's lane (the admin's kill switch), and whenever the pool runs.

resume25, by hand (a riskd on the sim): the lockout's close of MNQ held at the sim, the kill
switch's flatten queued behind it, enforcement killed -9; the new process ran the flatten at
once, risk's re-send of the close queued it behind the flatten, the admin's unlock withdrew
it there: "withdrawn: close MNQ long 1 was not carried out: the lockout ended (admin:root)",
while the released call of the ended process ("held 14 s: carried out, it took effect") had
closed MNQ. The withdraw of a command queued in its lane ended it at once as never run
(services/enforcement/withdraw.py finish), which holds only for one that has not run yet.
And a command stopped so (risk's withdraw reached it held, or queued) listed no close as
unsettled: the ended process's held close, released after, closed the trader's position and
risk counted it as the trader's own trade; now its result lists that close
(CommandResult.unsettled), and risk takes its late fill as riskd's ("riskd (late close)"); with
no order of that close at the broker yet, it ends withdrawn in words that say the close may
still be carried out, and until when (trial25b F0: "nothing to do", "already flat at the
broker" while MNQ was open; services/enforcement/withdrawnlost.py).

Every order: the new process's start (its _resume), the kill switch's flatten accepted, risk's
re-send of the command, risk's withdraw of it, the held close carried out (or never: the
broker lost it), the pool running what was submitted; the start before the other events of
the new process, the fill anywhere. The old code fails each order where the withdraw reaches
the command queued behind the flatten (checked: "S F R W C X: withdrawn: close MNQ long 1 was
not carried out"), and, at 203b286a's held route, each order where the stopped command's
read found MNQ open ("S R F W X C": unsettled []); passes after.
"""
from __future__ import annotations

import itertools

import attrs
import pytest

from services.enforcement import app
from services.enforcement.journal import RUNNING, Journal
from services.enforcement.lanes import Lanes
from shared.clock import FakeClock
from shared.messages.enforce import DONE, WITHDRAWN, Command, WithdrawCommand, closed_nothing
from shared.projectx.errors import BrokerUnavailable
from shared.retrying import KILL_SWITCH
from tests.unit.enforcement.fakebroker import CLOSE, FakeBroker
from tests.unit.enforcement.test_resumed_waits_for_risk import HOUR, START
from tests.unit.enforcement.test_withdraw_while_running import (A, COMMANDS, MNQ, TRADING,
                                                                 Killed, enforcement)


class Broker(FakeBroker):
    """The fake broker; while `hold` is set a closeContract is taken and held (not carried
    out) and the process that sent it is killed -9 waiting for its answer; fill() carries the
    held close out. Each call is tagged with the command whose job made it (`by`)."""

    def __init__(self, clock):
        super().__init__(A, clock)
        self.hold = False
        self.held = ""
        self.who = ""
        self.by: list[str] = []

    def _enter(self, endpoint: str, arg=None) -> None:
        self.by.append(self.who)
        super()._enter(endpoint, arg)

    def close_contract(self, account_id: int, contract_id: str) -> None:
        if not self.hold:
            return super().close_contract(account_id, contract_id)
        self.by.append(self.who)
        self.log.append((CLOSE, contract_id))
        self.held = contract_id
        raise Killed()

    def fill(self) -> None:
        """The held close is carried out (the ended process's call, late)."""
        if self.held and self.positions.get(self.held):
            self._made(self.held, self.positions[self.held], abs(self.positions[self.held]))
            self.positions[self.held] = 0
        self.held = ""


def run_all(w, broker: Broker) -> None:
    """The pool: each job the loop submitted runs to its end, its outcome back to the loop."""
    while w.submitted:
        job = w.submitted.pop(0)
        broker.who = job.command.id
        try:
            w._on_outcome(w.executor.run(job, broker))
        finally:
            broker.who = ""


def kill_switch(n: int) -> Command:
    return Command(id=f"admin-{n}.{A}", decision_id=f"admin-{n}", account_id=A,
                   action="flatten", rule=KILL_SWITCH, reason="kill switch", by="admin:root")


def back(cmd: Command) -> WithdrawCommand:
    return WithdrawCommand(command_id=cmd.id, account_id=A, by="admin:root",
                           reason="the lockout ended (admin:root)", what="close MNQ long 1")


STEPS = "SFRWCX"       # start, flatten, re-send, withdraw, the close's fill, the pool runs


def orders():
    """Every order of the steps: S before the new process's others (F, R, W, X); C anywhere,
    or never (the broker lost the held close). Left out as the same as one kept: C before S
    (the start makes no broker call: as C right after S), X before both F and R (nothing to
    run yet: as X last)."""
    for steps in (STEPS, STEPS.replace("C", "")):
        for order in map("".join, itertools.permutations(steps)):
            if order[0] == "S" and order.index("X") > min(order.index("F"), order.index("R")):
                yield order


def one(journal: Journal, cmd: Command, held: dict, order: str, n: int) -> None:
    clock = FakeClock(START + n * HOUR)      # an hour apart: another try's rows are old
    broker = Broker(clock)
    broker.positions = dict(held)
    first = enforcement(journal, clock)
    first.accept(cmd)
    broker.hold = True
    with pytest.raises(Killed):              # killed -9 while its close is held
        run_all(first, broker)
    assert broker.held == MNQ and journal.get(cmd.id).state == RUNNING
    broker.hold = False
    clock.advance(1.0)                        # the supervisor's restart
    state = {"withdrawn_at": None}
    flatten = kill_switch(n)

    def step(s: str) -> None:
        w = state.get("w")
        if s == "S":
            w = state["w"] = enforcement(journal, clock)
            w.max_wait_ms = 5000
            w._resume()
        elif s == "F":
            w.accept(flatten)
        elif s == "R":
            w.accept(attrs.evolve(cmd, attempt=2))
        elif s == "W":
            state["withdrawn_at"] = len(broker.log)
            w.withdraw(back(cmd))
        elif s == "C":
            broker.fill()
        else:
            run_all(w, broker)

    for s in order:
        step(s)
        clock.advance(0.01)
    w = state["w"]
    run_all(w, broker)
    clock.advance(app.RISK_WORD_S)
    w._run_timers()
    run_all(w, broker)
    where = f"{order} ({cmd.action})"
    since = state["withdrawn_at"]
    late = [c for c, who in zip(broker.log[since:], broker.by[since:])
            if c[0] in TRADING and who == cmd.id]
    assert late == [], f"{where}: its trading calls after the withdraw {late}"
    entry = journal.get(cmd.id)
    assert entry.final, where
    # the ended process sent a close: never "not carried out", nor "nothing to do"
    assert entry.status in (DONE, WITHDRAWN) and "not carried out" not in entry.detail, \
        (where, entry.status, entry.detail)
    assert not closed_nothing(entry.result()), (where, entry.detail)
    unsettled = [u.contract_id for u in entry.result().unsettled]
    if entry.status == WITHDRAWN:           # stopped, no order of that close at the broker yet
        assert "was stopped while it ran: the lockout ended (admin:root); its close of MNQ " \
               "(sent at " in entry.detail and ", before enforcement restarted) got no " \
               "answer and may still be carried out by the broker: until " in entry.detail, \
            (where, entry.detail)
        assert unsettled == [MNQ], (where, unsettled)     # risk's late exit
    elif "then stopped" in entry.detail and "was carried out at" in entry.detail:
        # the held close, carried out before the stopped command looked: its clean-up
        # (services/enforcement/withdrawnclose.py) says so, and sends no close
        assert "withdrawn while it ran (the lockout ended (admin:root)): its close of MNQ, " \
               "already sent" in entry.detail, (where, entry.detail)
    elif "then stopped" in entry.detail:    # stopped at the withdraw: says what may have been
        assert "withdrawn while it ran (the lockout ended (admin:root)): its close of MNQ may " \
               "have gone out before that" in entry.detail and "riskd cannot tell whether it " \
               "will be carried out" in entry.detail, (where, entry.detail)
        # no order of it yet: the held close may yet be carried out, and risk takes its
        # late fill as riskd's (CommandResult.unsettled), not as the trader's own trade
        assert unsettled == [MNQ], (where, unsettled)
    elif "found so when enforcement resumed" in entry.detail:
        assert unsettled == [], (where, unsettled)     # carried out before it read
    assert journal.withdraw_asked(cmd.id) is None and w.held == {}, where
    assert journal.get(flatten.id).final, where


@pytest.mark.parametrize("name", ["lockout close", "flatten, MNQ open"])
def test_a_resumed_command_withdrawn_anywhere_never_reads_not_carried_out(journal, name):
    cmd, held = COMMANDS[name]
    checked = 0
    for n, order in enumerate(orders(), start=1):
        one(journal, attrs.evolve(cmd, id=f"q{n}.1"), held, order, n)
        checked += 1
    assert checked == 96


def test_a_command_that_handed_its_lane_over_withdrawn_while_queued_says_what_it_sent(journal):
    """The other command that is queued with its journal row running: one whose round failed
    and that handed its lane over (services/enforcement/lanes.py) to a command queued behind
    it. Its close answered HTTP 500 (it may have been carried out); withdrawn while queued
    again it read "withdrawn: close MNQ long 1 was not carried out" (checked on the old code);
    now it says the close it sent, and that it stopped there, with no further trading call."""
    clock = FakeClock()
    w = enforcement(journal, clock)
    lanes = Lanes(clock, sleep=clock.advance)      # hands over at once: a command is queued
    w.lanes = lanes
    w.executor.pause, w.executor.queued = lanes.pause, lanes.queued
    broker = Broker(clock)
    broker.positions = {MNQ: 2}                     # the reduce behind it leaves 1
    broker.fail[CLOSE] = [BrokerUnavailable(CLOSE, 1, "HTTP 500", 500)]
    cmd, _held = COMMANDS["lockout close"]
    after = Command(id="r1.1", decision_id="r1", account_id=A, action="reduce_position",
                    rule="max_contracts", reason="too many", contract_id=MNQ, size=1)
    w.accept(cmd)
    w.accept(after)                                 # queued behind it (one contract)
    job = w.submitted.pop(0)
    broker.who = cmd.id
    w._on_outcome(w.executor.run(job, broker))      # its round fails: it hands over
    assert journal.get(cmd.id).state == RUNNING and lanes.ahead(cmd.id) is not None
    sent = len(broker.log)
    w.withdraw(back(cmd))
    run_all(w, broker)
    entry = journal.get(cmd.id)
    late = [c for c, who in zip(broker.log[sent:], broker.by[sent:])
            if c[0] in TRADING and who == cmd.id]
    assert late == [], late
    assert entry.status == DONE and "not carried out" not in entry.detail, entry.detail
    # the close answered HTTP 500 (not carried out here: the reduce behind it cut 1, and that
    # order is the reduce's): its clean-up cancels nothing and says it cannot tell
    # (services/enforcement/withdrawnclose.py)
    assert "close MNQ (the broker answered HTTP 500); then stopped, withdrawn while it ran " \
           "(the lockout ended (admin:root)): its close of MNQ may have gone out before that " \
           "(the broker answered the close with HTTP 500), and no order of it shows at the " \
           "broker yet: riskd cannot tell whether it will be carried out" in entry.detail, \
        entry.detail
