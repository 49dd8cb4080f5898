"""A command risk takes back while it runs (its lockout ended: an admin's unlock) stops before
its next trading call, and a restart of enforcement in between does not run it again: it never
closes a position, nor cancels an order, the trader opened after the withdraw reached
enforcement.

Make test at 56ade29c (test_late_carried_close_said[timed_out]): the trader's MNQ +1, bought
right after the admin's unlock, was gone within 1 s. flake24 reproduced it by holding the
flatten 0.8 s before its first read (as a busy machine does): cooldown_after_loss's flatten
(decided on the close's loss, "nothing open to flatten as riskd sees it") got its turn in the
lane just before the unlock's withdraw reached enforcement, which answered "running now: a
broker call cannot be stopped half-way; it finishes"; it then read the positions after the
trader's buy and closed the new MNQ +1 and cancelled its stop ("flattened account Demo 1:
closed MNQ; cancelled 1 order").

Every order of the events around the command's broker calls: the withdraw reaching
enforcement before each call (or after the command ended), the trader's buy of MNQ 1 with a
sell stop at that point or before any later call, and enforcement killed -9 at the withdraw
(its journal row left running; the restarted process resumes the command). Each case fails on
the code before (checked: the withdrawn flatten's read after the buy closed the new position).

The worker's loop (services/enforcement/app.py) is driven by hand, with a real executor
running each job it submits to its end on a fake broker.
"""
from __future__ import annotations

import itertools

import attrs
import pytest

from services.enforcement.executor import Executor, Settings
from services.enforcement.journal import Journal
from shared.clock import FakeClock
from shared.messages.enforce import DONE, WITHDRAWN, Command, WithdrawCommand
from shared.projectx.models import OrderType
from tests.unit.enforcement.fakebroker import CANCEL, CLOSE, MODIFY, PARTIAL, FakeBroker, order
from tests.unit.enforcement.test_withdraw import worker

A = 1001
MNQ = "CON.F.US.MNQ.Z26"
TRADING = (CLOSE, PARTIAL, CANCEL, MODIFY)
STOP_ID = 99                                 # the trader's sell stop for the new MNQ +1


class Killed(BaseException):
    """enforcement killed -9: nothing of the process runs on (not an error it handles)."""


class Events(FakeBroker):
    """The fake broker with what happens outside the command: the hooks at index k run
    between the command's broker calls k-1 and k (reads and trading calls alike; 0: before
    its first), so a withdraw at k reaches enforcement before call k is sent."""

    def __init__(self, clock, hooks: dict):
        super().__init__(A, clock)
        self.hooks = hooks
        self.seen = 0
        self.withdrawn_at: int | None = None      # log index when the withdraw arrived

    ids = itertools.count(9000)     # the broker's order ids: unique across the tries that
                                    # share a journal (as a broker's are)

    def _made(self, contract_id: str, held: int, size: int) -> None:
        super()._made(contract_id, held, size)
        self.made[-1] = attrs.evolve(self.made[-1], id=next(Events.ids))

    def fire(self) -> None:
        for hook in self.hooks.pop(self.seen, []):
            hook()

    def rest(self) -> None:
        """The events after the command's last call (it ended before they came)."""
        for k in sorted(self.hooks):
            for hook in self.hooks.pop(k):
                hook()


def _between(name: str):
    def call(self, *args, **kwargs):
        try:
            return getattr(FakeBroker, name)(self, *args, **kwargs)
        finally:
            self.seen += 1
            self.fire()
    return call


for _name in ("open_positions", "query_orders", "open_orders", "close_contract",
              "partial_close_contract", "search_orders", "cancel_order", "modify_order"):
    setattr(Events, _name, _between(_name))


def enforcement(journal: Journal, clock: FakeClock):
    """An enforcement process on the journal (a restart: a new one on the same file, what
    it kept in memory gone)."""
    w = worker(journal, clock)
    ex = Executor(lambda _b: None, journal, clock, Settings(), sleep=clock.advance)
    ex.submit = w.submitted.append
    w.executor = ex
    return w


def run_jobs(w, broker) -> None:
    """The pool: each job the loop submitted runs to its end, its outcome back to the loop."""
    while w.submitted:
        job = w.submitted.pop(0)
        w._on_outcome(w.executor.run(job, broker))


COMMANDS = {     # with what risk knew held when it decided (Command.held, .holds), as it sends
    # cooldown_after_loss's flatten of the make test: risk saw nothing open
    "cooldown flatten, flat": (
        Command(id="c1.1", decision_id="c1", account_id=A, action="flatten",
                rule="cooldown_after_loss", reason="closing fill lost 481.74"), {}),
    # a flatten of a position still open, its known contract closed blind first
    "flatten, MNQ open": (
        Command(id="c2.1", decision_id="c2", account_id=A, action="flatten",
                rule="cooldown_after_loss", reason="closing fill lost 481.74",
                contracts=(MNQ,), holds=(2,)), {MNQ: 2}),
    # lockout enforcement's close of a position opened while locked
    "lockout close": (
        Command(id="c3.1", decision_id="c3", account_id=A, action="close_position",
                rule="lockout", reason="opened while locked", contract_id=MNQ, held=2),
     {MNQ: 2}),
}


def calls_of(journal: Journal, cmd: Command, held: dict) -> int:
    """How many broker calls the command makes with nothing happening beside it."""
    broker = Events(FakeClock(), {})
    broker.positions = dict(held)
    w = enforcement(journal, FakeClock())
    w.accept(attrs.evolve(cmd, id="count.1"))
    run_jobs(w, broker)
    return broker.seen


def _cases():
    for name, (cmd, held) in COMMANDS.items():
        yield pytest.param(cmd, held, id=name)


@pytest.mark.parametrize("cmd, held", list(_cases()))
def test_no_trading_call_after_the_withdraw_and_the_new_position_stays(tmp_path, cmd, held):
    # one journal for every order (each its own command id): a restart is a new process on it
    journal = Journal(str(tmp_path / "enforcement.sqlite"), FakeClock().now_ns())
    try:
        n = calls_of(journal, cmd, held)
        assert n >= 2
        checked = 0
        for withdraw_at in range(n + 1):
            for buy_at in range(withdraw_at, n + 1):
                # killed -9 at the withdraw: only while the command runs
                for killed in (False, True) if withdraw_at < n else (False,):
                    one_order(journal, attrs.evolve(cmd, id=f"o{checked}.1"), held,
                              withdraw_at, buy_at, killed)
                    checked += 1
        assert checked == (n + 1) * (n + 2) - 1
    finally:
        journal.close()


def one_order(journal: Journal, cmd: Command, held: dict, withdraw_at: int, buy_at: int,
              killed: bool) -> None:
    clock = FakeClock()
    state = {"w": enforcement(journal, clock)}
    back = WithdrawCommand(command_id=cmd.id, account_id=A, by="admin:root",
                           reason="the lockout ended (admin:root)", what="flatten")

    def withdraw() -> None:
        broker.withdrawn_at = len(broker.log)
        state["w"].withdraw(back)

    def buy() -> None:                       # the trader's next position, and its stop
        clock.advance(1)
        broker.positions[MNQ] = broker.positions.get(MNQ, 0) + 1
        broker.orders[STOP_ID] = attrs.evolve(order(A, STOP_ID, MNQ, type=OrderType.STOP,
                                                    side=1), created_ns=clock.now_ns())

    def kill() -> None:
        raise Killed()

    hooks: dict = {}
    hooks.setdefault(withdraw_at, []).append(withdraw)
    hooks.setdefault(buy_at, []).append(buy)
    if killed:
        hooks[withdraw_at].append(kill)
    broker = Events(clock, hooks)
    broker.positions = dict(held)
    broker.orders = {5: order(A, 5, MNQ, type=OrderType.STOP, side=1)} if held else {}
    where = f"withdraw before call {withdraw_at}, buy before call {buy_at}, killed {killed}"
    w = state["w"]
    w.accept(cmd)
    try:
        broker.fire()                        # before its first call
        run_jobs(w, broker)
    except Killed:                           # kill -9: the journal row is left running
        w = state["w"] = enforcement(journal, clock)
        w._resume()
        run_jobs(w, broker)
    broker.rest()
    late = [c for c in broker.log[broker.withdrawn_at:] if c[0] in TRADING]
    # a close of its out before the withdraw came, carried out: its clean-up cancels the
    # closed position's stop (withdrawnclose.py), never anything of the new position
    closed = any(c[0] == CLOSE for c in broker.log[:broker.withdrawn_at])
    assert set(late) <= ({(CANCEL, 5)} if closed else set()), \
        f"{where}: trading calls after the withdraw {late}; {broker.log}"
    assert not (closed and 5 in broker.orders), f"{where}: the closed position's stop left"
    assert broker.positions.get(MNQ, 0) >= 1 and STOP_ID in broker.orders, where
    entry = w.journal.get(cmd.id)
    assert entry.final and entry.status in (DONE, WITHDRAWN), (where, entry.detail)
    if entry.status == WITHDRAWN:            # stopped before its first trading call
        assert not [c for c in broker.log if c[0] in TRADING], where
        assert entry.detail == ("withdrawn: flatten was not carried out: the lockout "
                                "ended (admin:root)"), entry.detail
    assert w.journal.withdraw_asked(cmd.id) is None, where

