"""Whether the guard workers run, as notify hears the supervisor's worker events (pure).

The supervisor publishes a WorkerEvent (topic WORKER, events PUB) at every state change of a
worker. A breach alert built while enforcement is not running must not read as if its action
were happening (trial: "action: close the position MNQ" on the phone while `riskctl history`
said "waits for enforcement, which is not running"): risk keeps the command and sends it when
enforcement is back, so the alert says the action waits, since when, and that the trader should
act on the broker's platform if needed (services/notify/templates.py). docs/alerts.md says it.
A notify that starts asks the supervisor once for every worker's state (its events are kept
for 10 s only: a notify started while enforcement is stopped would hear none), and takes a
worker that is not running as down since a time it cannot know (UNKNOWN_SINCE); before any
word about a worker it is taken as running.
"""
from __future__ import annotations

from typing import Optional

from shared import shards
from shared.messages.control import WorkerEvent, WorkerInfo

RUNNING = "running"
UNKNOWN_SINCE = 0       # down since a time notify cannot know (it started after)
WATCHED = ("enforcement", "risk")


class WorkerStates:
    """Since when each watched worker (a risk shard on its own) has not been running."""

    def __init__(self) -> None:
        self._down: dict[str, int] = {}      # worker name -> not running since (ns)
        self._heard: set[str] = set()        # workers an event has been heard of

    def observe(self, e: WorkerEvent, now_ns: int) -> None:
        if shards.base_name(e.name) not in WATCHED:
            return
        self._heard.add(e.name)
        if e.state == RUNNING:
            self._down.pop(e.name, None)
        else:                               # stopped, stopping, starting, backoff, flapping:
            self._down.setdefault(e.name, now_ns)    # the first moment it stopped running

    def snapshot(self, workers: list[WorkerInfo]) -> None:
        """The supervisor's table of every worker's state (asked at notify's start; its answer
        comes beside the loop, so events may have been heard meanwhile). It only fills in the
        workers no event was heard of: the supervisor sends an event at every change, so the
        events of a worker are its latest word (an answer that said "starting", applied after
        the "running" event, left enforcement down for good: round 7)."""
        for w in workers:
            if shards.base_name(w.name) not in WATCHED or w.name in self._heard:
                continue
            if w.state == RUNNING:
                self._down.pop(w.name, None)
            else:
                self._down.setdefault(w.name, UNKNOWN_SINCE)

    def down_since(self, base: str) -> Optional[int]:
        """When `base` (enforcement, risk: any of its shards) stopped running (UNKNOWN_SINCE:
        before notify started); None: running (or nothing heard of it)."""
        since = [ns for name, ns in self._down.items() if shards.base_name(name) == base]
        return min(since) if since else None
