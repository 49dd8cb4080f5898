"""Lanes: which of an account's commands may run now; the others wait in order.

An account has two groups of commands: positions (closes, reduces, flattens: PRIORITY 0) and
orders (cancels and modifies: PRIORITY 1); the groups never wait for each other. Inside a
group a command holds a slot: a close or a reduce holds its contract, anything else (a
flatten, a cancel of the account's orders, a modify) the whole group. Two commands of a group
run side by side only when their slots differ and neither is the whole group: riskd's close
of ES is not held back by its close of MNQ held at the broker (fresh-user trial 19b: a
position opened while locked stayed open up to the [broker] timeout behind another
contract's slow call), while two commands of one contract, and a flatten and anything of its
account, still run one after the other, so two commands never fight over one position.
A job queued behind another (FIFO within the group: a job never passes one queued before it
that it conflicts with, so a flatten is not starved by closes that keep coming) re-reads the
broker first: the one before it may have closed what it is about.

It also decides how a running command waits out a retry backoff (`pause`, called by the
executor in a pool thread): it waits, unless a command it holds back is queued (or gets
queued while it waits) and could run in its place. Then it hands its slot over: the executor
returns a handover outcome, `done` queues the command again at the back and starts the ones
that can run. The storm bench found why: a close's verification read saw the trader's NEXT
position, retried, and slept 0.25 s holding the lane, while the close of that new position
waited behind the sleep (~300 ms open instead of ~10 ms).

`ahead` says what a queued command waits behind (the running commands of its slot, or the
one queued before it), for the screens (services/enforcement/behind.py): a command waiting
here is not at the broker, and no screen may say it is.

Thread-safe: the worker loop queues and takes (enter, done); pool threads pause.
"""
from __future__ import annotations

import collections
import math
import threading
from typing import Callable, Optional

import attrs

from services.enforcement.actions import ACTIONS
from services.enforcement.executor import Job
from shared.clock import Clock
from shared.messages.enforce import Command

WHOLE = None                                  # the slot of a command about the whole group
PER_CONTRACT = frozenset({"close_position", "reduce_position"})


@attrs.frozen
class Ahead:
    """What a queued command waits behind (Lanes.ahead): the running commands that hold its
    slot, (command, since ns) oldest first; or, when none does, the queued command before it."""
    running: list = attrs.Factory(list)
    queued: Optional[Command] = None


def lane_of(cmd: Command) -> tuple:
    """The group a command waits in: (account, 0) positions, (account, 1) orders."""
    action = ACTIONS.get(cmd.action)
    return cmd.account_id, action.PRIORITY if action is not None else 0


def slot_of(cmd: Command) -> Optional[str]:
    """What of its group a command holds while it runs: its contract, or WHOLE."""
    if cmd.action in PER_CONTRACT and cmd.contract_id:
        return cmd.contract_id
    return WHOLE


def conflict(a: Optional[str], b: Optional[str]) -> bool:
    """Two slots of one group that must not run side by side."""
    return a is WHOLE or b is WHOLE or a == b


class Lanes:
    def __init__(self, clock: Clock, sleep: Optional[Callable[[float], None]] = None):
        # clock: the executor's (a job's backoff ends at its clock.monotonic() time).
        # sleep: a fake clock's sleep in tests; it cannot be woken, so the queue is looked at
        # before it only. None: wait on the condition, woken as soon as a job is queued.
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition()
        self._queued: dict[tuple, collections.deque] = {}   # group -> jobs waiting, in order
        self._busy: dict[tuple, dict[str, Optional[str]]] = {}   # group -> {running id: slot}
        self._running: dict[str, tuple[Command, int]] = {}  # running id -> (command, since ns)

    def _free(self, group: tuple, slot: Optional[str], but: str = "") -> bool:
        return not any(conflict(slot, held) for cid, held in self._busy.get(group, {}).items()
                       if cid != but)

    def enter(self, job: Job) -> bool:
        """True: the job may run now and holds its slot (submit it); False: queued behind."""
        cmd = job.command
        group, slot = lane_of(cmd), slot_of(cmd)
        with self._cond:
            waiting = self._queued.get(group, ())
            if self._free(group, slot) and not any(
                    conflict(slot, slot_of(j.command)) for j in waiting):
                self._take(group, cmd, slot)
                return True
            self._queued.setdefault(group, collections.deque()).append(
                attrs.evolve(job, recheck=True))
            self._cond.notify_all()            # a command in its backoff hands the slot over
            return False

    def done(self, cmd: Command, again: Optional[Job] = None) -> list[Job]:
        """`cmd` stopped running: finished, pending, or handing its slot over (`again`: its
        job, queued again at the back). The jobs to submit now, in order (each holds its
        slot): none, one, or more (a flatten's end may free closes of several contracts)."""
        group = lane_of(cmd)
        with self._cond:
            busy = self._busy.get(group, {})
            busy.pop(cmd.id, None)
            self._running.pop(cmd.id, None)
            waiting = self._queued.setdefault(group, collections.deque())
            if again is not None:
                waiting.append(again)          # never dropped: it runs after those before it
                self._cond.notify_all()
            started, passed = [], []
            for job in list(waiting):
                slot = slot_of(job.command)
                if self._free(group, slot) and not any(conflict(slot, s) for s in passed):
                    waiting.remove(job)
                    self._take(group, job.command, slot)
                    started.append(job)
                else:
                    passed.append(slot)        # later jobs of its slot stay behind it
            if not waiting:
                del self._queued[group]
            if not self._busy.get(group, True):
                del self._busy[group]
            return started

    def _take(self, group: tuple, cmd: Command, slot: Optional[str]) -> None:
        self._busy.setdefault(group, {})[cmd.id] = slot
        self._running[cmd.id] = (cmd, self._clock.now_ns())

    def ahead(self, command_id: str) -> Optional[Ahead]:
        """What a queued command waits behind; None when it is not queued (running, or not
        here). The running commands whose slots conflict with its own, with when each took
        its slot; with none of those, the command queued before it that it may not pass."""
        with self._cond:
            for group, waiting in self._queued.items():
                jobs = list(waiting)
                mine = next((i for i, j in enumerate(jobs) if j.command.id == command_id), None)
                if mine is None:
                    continue
                slot = slot_of(jobs[mine].command)
                running = [self._running[cid] for cid, held in self._busy.get(group, {}).items()
                           if conflict(slot, held) and cid in self._running]
                before = next((j.command for j in reversed(jobs[:mine])
                               if conflict(slot, slot_of(j.command))), None)
                return Ahead(running=sorted(running, key=lambda r: r[1]),
                             queued=None if running else before)
        return None

    def queued_job(self, command_id: str) -> Optional[Job]:
        """The job of a command queued (not running) in its group; None when it is not."""
        with self._cond:
            return next((job for waiting in self._queued.values() for job in waiting
                         if job.command.id == command_id), None)

    def remove(self, command_id: str) -> bool:
        """Take a job queued (not running) out of its group: True when it was queued (a
        withdrawn command, services/enforcement/withdraw.py); a running one stays."""
        with self._cond:
            for group, waiting in list(self._queued.items()):
                for job in list(waiting):
                    if job.command.id == command_id:
                        waiting.remove(job)
                        if not waiting:
                            del self._queued[group]
                        return True
        return False

    def queued(self, cmd: Command) -> list[Command]:
        """The commands waiting behind `cmd` (its group, a slot it holds back), in order (the
        executor asks at a handover whether one of them will do what `cmd` retries:
        actions' `handed_to`)."""
        slot = slot_of(cmd)
        with self._cond:
            return [job.command for job in self._queued.get(lane_of(cmd), ())
                    if conflict(slot, slot_of(job.command))]

    def pause(self, cmd: Command, seconds: float) -> bool:
        """Wait out a retry backoff of `cmd` (running). True, as soon as a job it holds back
        can run a round in its place (a fresh one, or one whose own backoff is over, that no
        other running command holds back): then `cmd` hands its slot over instead of waiting
        more. Two commands both in their backoff never pass the slot back and forth without
        either running a round."""
        group, slot = lane_of(cmd), slot_of(cmd)
        end = self._clock.monotonic() + seconds
        while True:
            with self._cond:
                now = self._clock.monotonic()
                ready = min((job.carry.due for job in self._queued.get(group, ())
                             if conflict(slot, slot_of(job.command))
                             and self._free(group, slot_of(job.command), but=cmd.id)),
                            default=math.inf)
                if ready <= now:
                    return True
                if now >= end:
                    return False
                wait = min(end, ready) - now
                if self._sleep is None:
                    self._cond.wait(wait)      # notified when a job is queued
                    continue
            self._sleep(wait)
