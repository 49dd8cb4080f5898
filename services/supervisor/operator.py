"""Which workers an operator's start, stop or restart acts on, and the one answer for them all.

A name is one worker; with risk as shards ([supervisor] risk_shards = N > 1, docs/scaling.md)
"risk" is every shard (risk-0 ... risk-N-1), and naming one shard still acts on that shard
alone. The action runs on each worker at once (services/supervisor/app.py: start_worker,
stop_worker, restart_worker, each answering when its worker is up or stopped); the answer
names every shard, and is an error when any shard's action failed.
"""
from __future__ import annotations

from typing import Callable

from services.supervisor.riskshards import gather
from shared import shards
from shared.messages.control import WorkerInfo, WorkersTable
from shared.messages.system import Reply, error, ok

Action = Callable[[str, Callable[[Reply], None]], None]


def targets(sup, name: str) -> list[str]:
    """The workers `name` stands for: itself, or every risk shard for "risk" (an unknown name
    stays itself: the action says which workers there are)."""
    n = sup.config.supervisor.risk_shards
    if name in sup.slots or name != shards.RISK or n == 1:
        return [name]
    every = [s for s in shards.names(n) if s in sup.slots]
    return every or [name]


def act(names: list[str], action: Action, respond: Callable[[Reply], None]) -> None:
    """action(name, respond) on each of names; one answer (every shard's, merged)."""
    if len(names) == 1:
        action(names[0], respond)
        return
    gather(names, action, lambda got: respond(merged(got)))


def merged(got: list[tuple[str, Reply]]) -> Reply:
    """Each worker's answer in one: which workers, and what each said."""
    names = [n for n, _r in got]
    infos = [r.body for _n, r in got if isinstance(r.body, WorkerInfo)]
    said = f"all {len(names)} risk shards ({', '.join(names)}): " + "; ".join(
        r.reason or ("ok" if r.ok else r.code) for _n, r in got)
    failed = [r for _n, r in got if not r.ok]
    if failed:
        return error(failed[0].code, said, WorkersTable(workers=infos))
    return ok(WorkersTable(workers=infos), reason=said)
