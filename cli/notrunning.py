"""What riskctl says when nothing listens on riskd's control socket: riskd is not running, or
only its supervisor is gone and its workers still run (killed hard: kill -9, a crash).

A supervisor killed hard leaves its workers running on Linux and macOS (each runs in its own
process group; on Windows the job object ends them with it). They keep guarding the accounts,
but nothing restarts one that stops and no riskctl command reaches them. The workers are found
by their pid files (<data_dir>/run, services/supervisor/pidfiles.py), each pid proven to still
be the process riskd started, never guessed. Every worker the config file names ([supervisor]
workers) is listed, running or NOT running: a guard worker that stopped too (trial: risk
killed after the supervisor was simply missing from the list while the screen still said
"they keep guarding") is marked with what it means (shared/guardwords.py). `riskctl status`
(text and --json) and `riskctl watch` use this one picture. docs/operations.md (When riskd's
supervisor is killed) says what to do.
"""
from __future__ import annotations

import os
import sqlite3
from typing import Any, Optional

import attrs

from cli import configfile
from shared import guardwords, shards
from shared.storedread import open_stored

DOC = "docs/operations.md, When riskd's supervisor is killed"


def workers_left(config_path: str) -> list[tuple[str, list[int]]]:
    """(name, pids) of the workers a killed supervisor left running ([] when none)."""
    from services.supervisor.children import running_leftovers
    data_dir = configfile.folders(config_path)[0]
    try:
        return running_leftovers(os.path.join(data_dir, "run"))
    except OSError:
        return []


def last_alive(config_path: str) -> Optional[int]:
    """When riskd's supervisor was last alive (ns), from its own record (<data_dir>/
    supervisor.db: it writes the time every second and as it begins to stop,
    services/supervisor/guardstore.py), read-only; None when it cannot be read (no such file,
    a data folder this user may not read)."""
    path = os.path.join(configfile.folders(config_path)[0], "supervisor.db")
    if not os.path.exists(path):
        return None
    try:
        db = open_stored(path, timeout=0.5)    # no -wal/-shm left behind (storedread.py)
        try:
            row = db.execute("SELECT ns FROM alive WHERE id = 1").fetchone()
        finally:
            db.close()
    except (sqlite3.Error, OSError):
        return None
    return int(row[0]) if row and row[0] else None


def configured_workers(config_path: str) -> list[str]:
    """The worker processes the config file names ([supervisor] workers, risk as its shards),
    read leniently; riskd's default set when the file does not say or cannot be read."""
    from shared.config.sections import WORKER_NAMES
    try:
        data = configfile.tables(config_path)
    except OSError:
        data = {}
    sup = data.get("supervisor") if isinstance(data.get("supervisor"), dict) else {}
    workers = sup.get("workers")
    if not isinstance(workers, list) or not all(isinstance(w, str) for w in workers):
        workers = list(WORKER_NAMES)
    count = configfile.risk_shards(config_path)
    return [n for w in workers for n in (shards.names(count) if w == shards.RISK else [w])]


@attrs.frozen
class Orphans:
    """The workers a killed supervisor left: every configured one, running (its pids) or not."""
    address: str
    running: tuple = ()           # (name, pids) still running, proven by their pid files
    configured: tuple = ()        # every worker the config file names
    alive_ns: Optional[int] = None   # when the supervisor was last alive (None: not known)

    @property
    def names(self) -> list[str]:
        """Every worker to show: the configured ones and any other still running."""
        run = [n for n, _ in self.running]
        return sorted(set(self.configured) | set(run))

    @property
    def stopped(self) -> list[str]:
        run = {n for n, _ in self.running}
        return [n for n in self.names if n not in run]

    @property
    def guards_down(self) -> list[str]:
        return [n for n in self.stopped if guardwords.is_guard(n)]

    def text(self) -> str:
        return not_running_text(self.address, list(self.running), list(self.configured))

    def as_json(self) -> dict[str, Any]:
        pids = dict(self.running)
        return {"supervisor": "not running" if self.running else "",
                "riskd": "supervisor not running" if self.running else "not running",
                "control": self.address,
                "workers": [{"name": n, "state": "running" if n in pids else "not running",
                             "pids": pids.get(n, []), "guard": guardwords.is_guard(n),
                             "meaning": "" if n in pids else guardwords.meaning(n)}
                            for n in self.names],
                "guarded": bool(self.running) and not self.guards_down,
                "not_guarded": [f"{n} not running: {guardwords.meaning(n)}"
                                for n in self.guards_down] if self.running else [],
                "message": self.text()}


def orphans(config_path: str, address: str) -> Orphans:
    """The picture riskctl's screens show when nothing listens on `address`."""
    return Orphans(address=address, running=tuple(workers_left(config_path)),
                   configured=tuple(configured_workers(config_path)),
                   alive_ns=last_alive(config_path))


def not_running_text(address: str, left: list[tuple[str, list[int]]],
                     configured: list[str] = ()) -> str:
    """The sentence riskctl ends with when nothing listens on `address`."""
    if not left:
        return (f"riskd is not running: nothing listens on its control socket {address}; "
                f"{guardwords.START_AGAIN}")
    pids = dict(left)
    names = sorted(set(configured) | set(pids))
    shown = ", ".join(f"{n} (pid {', '.join(map(str, pids[n]))})" if n in pids
                      else f"{n} NOT running" for n in names)
    down = [n for n in names if n not in pids and guardwords.is_guard(n)]
    if down:
        guard = ("; ".join(f"{n} is NOT running: {guardwords.meaning(n)}" for n in down)
                 + ". The accounts are NOT guarded and nothing restarts it")
    else:
        guard = ("They keep guarding the accounts, but nothing restarts one that stops "
                 "and riskctl's commands cannot reach them (`riskctl watch` still reads them)")
    which = ("but its workers still run without it" if all(n in pids for n in names)
             else "and of its workers")
    return (f"riskd's supervisor is not running (nothing listens on its control socket "
            f"{address}), {which}: {shown}. {guard}: {guardwords.START_AGAIN} "
            f"(it ends them and starts a fresh set; {DOC})")
