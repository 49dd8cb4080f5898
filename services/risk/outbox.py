"""The outbox: enforcement commands kept until a final result arrives, re-sent when overdue.

Pure: times are passed in (UTC ns). A command is due again `timeout` after it was sent, with
the wait doubling per attempt up to `max_wait`; an 'accepted' result only proves enforcement
has it and restarts the wait. One sent again with no answer at all is `unanswered`
(enforcement is not there to take it). resend_all() makes everything due now (after either side
restarts). The store keeps the same entries on disk, so a restart of risk loses nothing.
A retry of a failed action (services/risk/retries.py) waits in the outbox until its time
(not_before): a re-send for a restart of enforcement does not make it early; a restart of risk
sends it at once, as every command it reloads.
"""
from __future__ import annotations

from typing import Iterable, Optional

import attrs

from shared.messages.enforce import ACCEPTED, FINAL_STATUSES, Command, CommandResult

NS = 1_000_000_000


@attrs.define
class Entry:
    command: Command
    due_ns: int
    attempts: int = 0
    not_before: int = 0        # a retry's time: never sent before it
    answered: bool = False     # enforcement has said something of it (accepted, running ...)


class Outbox:
    def __init__(self, timeout: float = 2.0, max_wait: float = 30.0):
        self.timeout_ns = int(timeout * NS)
        self.max_wait_ns = int(max_wait * NS)
        self.entries: dict[str, Entry] = {}
        # sent more than once and never answered: enforcement is not there to take them
        # (stopped, crashed); the rule of such a command is judged again while it waits
        # (services/risk/waitjudge.py)
        self.unanswered: set[str] = set()

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, command: Command, now: int, at: int = 0) -> None:
        """A new command: due at once (the caller sends it after committing), or at `at`."""
        self.entries.setdefault(command.id, Entry(command, max(now, at), not_before=at))

    def waiting(self, command_id: str) -> bool:
        """Is the command held for its time, not sent yet?"""
        e = self.entries.get(command_id)
        return e is not None and e.attempts == 0 and e.not_before > 0

    def load(self, commands: Iterable[Command], now: int) -> None:
        for c in commands:
            self.add(c, now)

    def _wait(self, attempts: int) -> int:
        return min(self.timeout_ns * (2 ** max(0, attempts - 1)), self.max_wait_ns)

    def due(self, now: int) -> list[Command]:
        """Commands to (re)send now, stamped with their attempt number."""
        out = []
        for e in self.entries.values():
            if e.due_ns <= now:
                e.attempts += 1
                e.due_ns = now + self._wait(e.attempts)
                if e.attempts > 1 and not e.answered:
                    self.unanswered.add(e.command.id)
                # the command as committed when its number is already that (every first
                # send: Command.attempt is 1), not a copy made on the breach's path (fast21)
                cmd = e.command
                out.append(cmd if cmd.attempt == e.attempts else
                           attrs.evolve(cmd, attempt=e.attempts))
        return out

    def result(self, res: CommandResult, now: int) -> Optional[Command]:
        """Apply a result; returns the command when it is finished (to drop from the store)."""
        e = self.entries.get(res.command_id)
        if e is None:
            return None
        e.answered = True
        self.unanswered.discard(res.command_id)
        if res.status in FINAL_STATUSES:
            del self.entries[res.command_id]
            return e.command
        if res.status == ACCEPTED:
            e.due_ns = now + self._wait(e.attempts)
        return None

    def resend_all(self, now: int) -> None:
        for e in self.entries.values():
            e.due_ns = max(now, e.not_before) if e.attempts == 0 else now

    def next_due(self) -> Optional[int]:
        return min((e.due_ns for e in self.entries.values()), default=None)
