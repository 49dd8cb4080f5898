"""The failed-login limiter's state on disk (<data_dir>/supervisor.db, table `login_limits`).

Fresh-user trial: after five wrong admin passwords locked admin logins for five minutes, a
restart of riskd forgot the lock and `riskctl login` succeeded at once: a wrong-password storm
could be reset by restarting. The limiter (services/supervisor/sessions.LoginLimiter) now
writes each role-and-client pair's recent failures and lock end here before it answers, and
a new riskd reads them back, so a lock lasts until its end whatever restarts meanwhile.
A write failure (disk full, read-only folder) is logged and never stops a login answer: the
limiter then still holds its state in memory.
"""
from __future__ import annotations

import json
import logging
import sqlite3
from typing import Optional

from services.supervisor.supervisordb import open_supervisor_db, supervisor_db_path

log = logging.getLogger(__name__)

Pair = tuple[str, str]                 # (role, client)
State = tuple[list[int], Optional[int]]  # recent failures (UTC ns), locked until (UTC ns)


class LoginStore:
    def __init__(self, data_dir: str):
        self.path = supervisor_db_path(data_dir)
        self.db: Optional[sqlite3.Connection] = open_supervisor_db(
            data_dir, ["CREATE TABLE IF NOT EXISTS login_limits (role TEXT NOT NULL, "
                       "client TEXT NOT NULL, failures TEXT NOT NULL, locked_until_ns "
                       "INTEGER, PRIMARY KEY (role, client))"],
            "failed logins and login locks are kept in memory only (a restart forgets them)")

    def load(self) -> dict[Pair, State]:
        """Every pair's saved failures and lock end ({} when none or unreadable)."""
        if self.db is None:
            return {}
        try:
            rows = self.db.execute("SELECT role, client, failures, locked_until_ns "
                                   "FROM login_limits").fetchall()
        except sqlite3.Error as exc:
            log.error("cannot read failed logins and login locks from %s: %s", self.path, exc)
            return {}
        state: dict[Pair, State] = {}
        for role, client, failures, until in rows:
            try:
                times = [int(t) for t in json.loads(failures)]
            except (ValueError, TypeError):
                times = []
            state[(role, client)] = (times, None if until is None else int(until))
        return state

    def put(self, pair: Pair, failures: list[int], locked_until_ns: Optional[int]) -> None:
        """Save one pair's state; a pair with no failures and no lock is removed."""
        if not failures and locked_until_ns is None:
            self.drop(pair)
            return
        self._write("INSERT OR REPLACE INTO login_limits (role, client, failures, "
                    "locked_until_ns) VALUES (?, ?, ?, ?)",
                    (pair[0], pair[1], json.dumps(failures), locked_until_ns))

    def drop(self, pair: Pair) -> None:
        self._write("DELETE FROM login_limits WHERE role = ? AND client = ?", pair)

    def _write(self, sql: str, args: tuple) -> None:
        if self.db is None:
            return
        try:
            self.db.execute(sql, args)
        except sqlite3.Error as exc:
            log.error("cannot record failed logins in %s: %s (a restart would forget them)",
                      self.path, exc)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
