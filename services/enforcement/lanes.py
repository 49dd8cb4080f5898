"""Lanes: at most one command of an account's lane runs at a time; the others wait in order.

A lane is (account, PRIORITY of the action): closes and flattens of one account run one at a
time, so two commands never fight over its positions; cancels and modifies have their own
lane. This module owns which command runs in each lane and the jobs queued behind it (FIFO;
a queued job re-reads the broker first: the one before it may have closed what it is about).

It also decides how a running command waits out a retry backoff (`pause`, called by the
executor in a pool thread): it waits, unless another command is queued in its lane or gets
queued while it waits. Then it hands the lane over: the executor returns a handover outcome,
`done` queues the command again at the back of its lane and gives the lane to the one that
waited. The storm bench found why: a close's verification read saw the trader's NEXT
position, retried, and slept 0.25 s holding the lane, while the close of that new position
waited behind the sleep (~300 ms open instead of ~10 ms).

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


def lane_of(cmd: Command) -> tuple:
    """Jobs of one lane run one at a time: (account, 0) positions, (account, 1) orders."""
    action = ACTIONS.get(cmd.action)
    return cmd.account_id, action.PRIORITY if action is not None else 0


class Lanes:
    def __init__(self, clock: Clock, sleep: Optional[Callable[[float], None]] = None):
        # clock: the executor's (a job's backoff ends at its clock.monotonic() time).
        # sleep: a fake clock's sleep in tests; it cannot be woken, so the queue is looked at
        # before it only. None: wait on the condition, woken as soon as a job is queued.
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition()
        self._queued: dict[tuple, collections.deque] = {}   # lane -> jobs waiting, in order
        self._busy: dict[tuple, str] = {}                   # lane -> id of the command running

    def enter(self, job: Job) -> bool:
        """True: the job's lane is free and now its own (submit it); False: queued behind."""
        lane = lane_of(job.command)
        with self._cond:
            if lane not in self._busy:
                self._busy[lane] = job.command.id
                return True
            self._queued.setdefault(lane, collections.deque()).append(
                attrs.evolve(job, recheck=True))
            self._cond.notify_all()            # a command in its backoff hands the lane over
            return False

    def done(self, cmd: Command, again: Optional[Job] = None) -> Optional[Job]:
        """`cmd` stopped running in its lane: finished, pending, or handing the lane over
        (`again`: its job, queued again at the back). The next job to submit, if any (it
        holds the lane now)."""
        lane = lane_of(cmd)
        with self._cond:
            if self._busy.get(lane) == cmd.id:
                del self._busy[lane]
            waiting = self._queued.setdefault(lane, collections.deque())
            if again is not None:
                waiting.append(again)          # never dropped: it runs after those before it
                self._cond.notify_all()
            if lane in self._busy or not waiting:
                if not waiting:
                    del self._queued[lane]
                return None
            job = waiting.popleft()
            if not waiting:
                del self._queued[lane]
            self._busy[lane] = job.command.id
            return job

    def remove(self, command_id: str) -> bool:
        """Take a job queued (not running) out of its lane: True when it was queued (a
        withdrawn command, services/enforcement/withdraw.py); a running one stays."""
        with self._cond:
            for lane, waiting in list(self._queued.items()):
                for job in list(waiting):
                    if job.command.id == command_id:
                        waiting.remove(job)
                        if not waiting:
                            del self._queued[lane]
                        return True
        return False

    def queued(self, cmd: Command) -> list[Command]:
        """The commands waiting in `cmd`'s lane, in order (the executor asks at a handover
        whether one of them will do what `cmd` retries: actions' `handed_to`)."""
        with self._cond:
            return [job.command for job in self._queued.get(lane_of(cmd), ())]

    def pause(self, cmd: Command, seconds: float) -> bool:
        """Wait out a retry backoff of `cmd` (running in its lane). True, as soon as a job
        queued in the lane can run a round (a fresh one, or one whose own backoff is over):
        then `cmd` hands the lane over instead of waiting more. Two commands both in their
        backoff never pass the lane back and forth without either running a round."""
        lane = lane_of(cmd)
        end = self._clock.monotonic() + seconds
        while True:
            with self._cond:
                now = self._clock.monotonic()
                ready = min((job.carry.due for job in self._queued.get(lane, ())),
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
