"""A command left running by an enforcement killed -9 makes no broker call after the restart
until risk has had its say on it: a withdraw risk made while no enforcement ran (an admin's
unlock ended the lockout) stops it before any trading call, whenever it arrives; a re-send
(the lockout still in force) runs it at once; no word at all (risk down) runs it after
RISK_WORD_S. Never dropped, never carried out after its withdraw.

check24 N1 (by hand, 2 of 4 tries): enforcement killed while the cooldown's flatten read the
positions (the read slowed at the broker), the admin's unlock while no enforcement ran (risk
withdrew the flatten), the trader's buy of MNQ 1; the new process resumed the flatten at once
(services/enforcement/app.py _resume), which read the new MNQ +1 and closed it ~50 ms later;
risk's withdraw, re-sent when the new process subscribed, came 40-90 ms after the resume:
"done: flattened account ... closed MNQ".

Every order: the first process killed before each of its broker calls after the first, then
risk's withdraw reaching the new process before each broker call the resumed command would
make (as the old code ran it: at once) or after its last one. The old code fails each
command's orders: its resumed command read the broker before risk's word, and where the withdraw
came after its close, closed the new position (checked: "killed before call 1, withdraw before
resumed call 2: the trader's new MNQ +1 closed; [('/api/Position/searchOpen', None),
('/api/Position/closeContract', 'CON.F.US.MNQ.Z26'), ...]", as in N1).

The worker's loop is driven by hand (as in test_withdraw_while_running.py), a real executor
running each job it submits to its end on a fake broker, the Worker's timers run by hand on
the fake clock.
"""
from __future__ import annotations

import attrs
import pytest

from services.enforcement import app
from services.enforcement.journal import Journal
from services.enforcement.withdraw import detail
from shared.clock import FakeClock
from shared.messages.enforce import DONE, WITHDRAWN, Command, WithdrawCommand
from shared.projectx.models import OrderType
from shared.retrying import KILL_SWITCH
from tests.unit.enforcement.fakebroker import CANCEL, CLOSE, order
from tests.unit.enforcement.test_withdraw_while_running import (A, COMMANDS, MNQ, STOP_ID,
                                                                 TRADING, Events, Killed,
                                                                 calls_of, enforcement,
                                                                 run_jobs)


def back(cmd: Command) -> WithdrawCommand:
    return WithdrawCommand(command_id=cmd.id, account_id=A, by="admin:root",
                           reason="the lockout ended (admin:root)", what="flatten")


START, HOUR = FakeClock().now_ns(), 3600 * 1_000_000_000


class Restart:
    tries = 0

    """One try: the first process killed -9 before its broker call `kill_at`, the admin's
    unlock and the trader's buy of MNQ 1 (with its sell stop) while no enforcement runs, then
    a new process on the same journal, its _resume() done. Tries share a journal (each its
    own command id, an hour after the one before: what an earlier try's rows hold is not
    this one's business)."""

    def __init__(self, journal: Journal, cmd: Command, held: dict, kill_at: int):
        Restart.tries += 1
        self.clock = FakeClock(START + Restart.tries * HOUR)
        self.journal = journal
        self.cmd = cmd
        self.broker = Events(self.clock, {kill_at: [self._kill]})
        self.broker.positions = dict(held)
        self.broker.orders = {5: order(A, 5, MNQ, type=OrderType.STOP, side=1)} if held else {}
        first = enforcement(self.journal, self.clock)
        first.accept(cmd)
        with pytest.raises(Killed):
            self.broker.fire()
            run_jobs(first, self.broker)
        assert not self.journal.get(cmd.id).final          # left running (or received)
        self.clock.advance(1.0)                             # the unlock, then the buy
        self.broker.positions[MNQ] = self.broker.positions.get(MNQ, 0) + 1
        self.broker.opened[MNQ] = self.clock.now_ns()
        self.broker.orders[STOP_ID] = attrs.evolve(
            order(A, STOP_ID, MNQ, type=OrderType.STOP, side=1), created_ns=self.clock.now_ns())
        self.clock.advance(1.0)                             # the supervisor's restart
        self.broker.hooks, self.broker.seen, self.broker.withdrawn_at = {}, 0, None
        self.since = len(self.broker.log)                   # the new process's calls from here
        self.orders_before = dict(self.broker.orders)
        self.killed_made = [c for c in self.broker.log if c[0] in TRADING]
        self.w = enforcement(self.journal, self.clock)
        self.w.max_wait_ms = 5000
        self.w._resume()

    @staticmethod
    def _kill() -> None:
        raise Killed()

    def withdraw(self) -> None:
        self.broker.withdrawn_at = len(self.broker.log)
        self.w.withdraw(back(self.cmd))

    def run(self) -> None:
        """The new process's pool: the hooks before its first call, its jobs, then every
        hook left (what comes after its last call, or while it makes none)."""
        self.broker.fire()
        run_jobs(self.w, self.broker)
        self.broker.rest()
        run_jobs(self.w, self.broker)

    def calls(self) -> list:
        return self.broker.log[self.since:]


def resumed_calls(journal: Journal, cmd: Command, held: dict, kill_at: int) -> int:
    """Risk sends the command again (its lockout still in force): it resumes at once and
    closes what is open, the trader's new MNQ +1 too (bought while locked). Its broker calls:
    those the old code made as soon as it resumed."""
    t = Restart(journal, cmd, held, kill_at)
    t.broker.hooks = {0: [lambda: t.w.accept(attrs.evolve(cmd, attempt=2))]}
    t.run()
    entry = t.journal.get(cmd.id)
    assert entry.final and entry.status == DONE, entry.detail
    assert not t.broker.positions.get(MNQ), t.broker.log
    return len(t.calls())


def _cases():
    for name, (cmd, held) in COMMANDS.items():
        yield pytest.param(cmd, held, id=name)


@pytest.mark.parametrize("cmd, held", list(_cases()))
def test_a_withdraw_made_while_enforcement_was_down_stops_the_resumed_command(
        journal, cmd, held):
    m = calls_of(journal, cmd, held)
    assert m >= 2
    checked = 0
    for kill_at in range(1, m):           # killed with at least one of its calls made
        n = resumed_calls(journal, attrs.evolve(cmd, id=f"r{kill_at}.1"), held, kill_at)
        assert n >= 1
        for word_at in range(n + 1):      # before each call the old code made, or after
            where = f"killed before call {kill_at}, withdraw before resumed call {word_at}"
            t = Restart(journal, attrs.evolve(cmd, id=f"k{kill_at}w{word_at}.1"), held,
                        kill_at)
            t.broker.hooks = {word_at: [t.withdraw]}
            t.run()
            late = [c for c in t.broker.log[t.broker.withdrawn_at:] if c[0] in TRADING]
            # only the clean-up of the killed process's close, carried out before the buy:
            # the closed position's stop (withdrawnclose.py), never the new position's
            closed = any(c[0] == CLOSE for c in t.killed_made)
            assert late == ([(CANCEL, 5)] if closed and 5 in t.orders_before else []), \
                f"{where}: trading calls after the withdraw {late}"
            assert not (closed and 5 in t.broker.orders), (where, t.calls())
            # nothing at all before risk's word: no read of the broker either
            assert t.broker.log[t.since:t.broker.withdrawn_at] == [], where
            assert t.broker.positions.get(MNQ, 0) >= 1 and STOP_ID in t.broker.orders, \
                f"{where}: the trader's new MNQ +1 closed; {t.calls()}"
            entry = t.journal.get(t.cmd.id)
            assert entry.final and entry.status in (DONE, WITHDRAWN), (where, entry.detail)
            if t.killed_made:      # never "not carried out" when it may have been
                assert entry.status == DONE, (where, entry.detail)
            if entry.status == WITHDRAWN:
                assert entry.detail == detail(back(t.cmd)), entry.detail
            elif closed:     # the killed process's close was carried out: said so
                assert "then stopped, withdrawn while it ran (the lockout ended (admin:root)): " \
                       "its close of MNQ, already sent (a call out at the broker is not taken " \
                       "back), was carried out at " in entry.detail, entry.detail
                assert "; nothing else was sent" in entry.detail, entry.detail
            else:            # the killed process's close may have been sent: said so
                assert "then stopped, withdrawn while it ran (the lockout ended " \
                       "(admin:root))" in entry.detail, entry.detail
            assert t.journal.withdraw_asked(t.cmd.id) is None, where
            assert t.w.held == {}, where
            checked += 1
    assert checked >= m


def test_without_a_word_from_risk_it_resumes_after_the_wait(journal):
    """Risk down (no re-send, no withdraw): the resumed flatten makes no call for RISK_WORD_S,
    then runs as a lockout still in force wants; a withdraw after that is answered with what
    it did."""
    cmd, held = COMMANDS["cooldown flatten, flat"]
    t = Restart(journal, cmd, held, 1)
    t.run()
    t.clock.advance(app.RISK_WORD_S - 0.01)
    t.w._run_timers()
    run_jobs(t.w, t.broker)
    assert t.calls() == [] and not t.journal.get(cmd.id).final
    t.clock.advance(0.01)
    t.w._run_timers()
    run_jobs(t.w, t.broker)
    entry = t.journal.get(cmd.id)
    assert entry.final and entry.status == DONE, entry.detail
    assert not t.broker.positions.get(MNQ) and STOP_ID not in t.broker.orders
    t.w.withdraw(back(cmd))
    assert t.w.pub.sent[-1].status == DONE


def test_the_kill_switch_flatten_resumes_at_once(journal):
    """The admin's kill switch is this process's own command (risk never sends it again): it
    resumes at once, as before."""
    cmd = Command(id="admin-1.1001", decision_id="admin-1", account_id=A, action="flatten",
                  rule=KILL_SWITCH, reason="kill switch", by="admin:root")
    t = Restart(journal, cmd, {}, 1)
    assert [j.command.id for j in t.w.submitted] == [cmd.id] and t.w.held == {}
    t.run()
    entry = t.journal.get(cmd.id)
    assert entry.final and entry.status == DONE, entry.detail
    assert not t.broker.positions.get(MNQ)
