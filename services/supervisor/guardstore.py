"""The supervisor's record of protection gaps in SQLite (<data_dir>/supervisor.db, WAL).

A gap is written when it opens and again when it closes, so a hard kill of
riskd leaves an open gap that the next riskd closes and counts. riskd also writes
when it was last alive (every second, and as it begins to stop), so the next riskd
counts the time riskd itself was down as a gap too, and, once all its workers are stopped, how
it was stopped (a clean stop; none left means the previous riskd was killed or crashed). Write
failures (disk full, read-only dir) are logged and never stop supervision.
"""
from __future__ import annotations

import json
import logging
import sqlite3
from typing import Optional

from services.supervisor.guard import Gap
from services.supervisor.supervisordb import open_supervisor_db, supervisor_db_path

log = logging.getLogger(__name__)
KEEP_DAYS = 31


class GuardStore:
    def __init__(self, data_dir: str):
        self.path = supervisor_db_path(data_dir)
        self.db: Optional[sqlite3.Connection] = open_supervisor_db(data_dir, [
            "CREATE TABLE IF NOT EXISTS gaps (start_ns INTEGER PRIMARY KEY, "
            "end_ns INTEGER, reasons TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS alive (id INTEGER PRIMARY KEY "
            "CHECK (id = 1), ns INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS clean_stop (id INTEGER PRIMARY KEY "
            "CHECK (id = 1), ns INTEGER NOT NULL, how TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS refused_start (id INTEGER PRIMARY KEY "
            "CHECK (id = 1), ns INTEGER NOT NULL, why TEXT NOT NULL)"],
            "protection gaps are kept in memory only")

    def load(self, since_ns: int) -> list[Gap]:
        if self.db is None:
            return []
        try:
            rows = self.db.execute("SELECT start_ns, end_ns, reasons FROM gaps WHERE "
                                   "end_ns IS NULL OR end_ns >= ? ORDER BY start_ns",
                                   (since_ns,)).fetchall()
        except sqlite3.Error as exc:
            log.error("cannot read protection gaps from %s: %s", self.path, exc)
            return []
        return [Gap(s, e, tuple(json.loads(r))) for s, e, r in rows]

    def _write(self, what: str, sql: str, args: tuple, synced: bool = True) -> None:
        """One write; a failure is logged (what: 'record a protection gap') and never raised.
        synced=False: committed without its own fsync (synchronous=NORMAL for this commit
        only; the next synced write or checkpoint syncs it with the rest)."""
        if self.db is None:
            return
        try:
            if synced:
                self.db.execute(sql, args)
                return
            self.db.execute("PRAGMA synchronous=NORMAL")
            try:
                self.db.execute(sql, args)
            finally:
                self.db.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error as exc:
            log.error("cannot %s in %s: %s", what, self.path, exc)

    def save(self, gap: Gap) -> None:
        self._write("record a protection gap",
                    "INSERT OR REPLACE INTO gaps (start_ns, end_ns, reasons) VALUES (?,?,?)",
                    (gap.start_ns, gap.end_ns, json.dumps(list(gap.reasons))))

    def last_alive(self) -> Optional[int]:
        """When the previous riskd was last known alive (None: never, or unreadable)."""
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT ns FROM alive WHERE id = 1").fetchone()
        except sqlite3.Error as exc:
            log.error("cannot read riskd's last alive time from %s: %s", self.path, exc)
            return None
        return row[0] if row else None

    def alive(self, ns: int) -> None:
        """riskd is alive at ns (every second). Not fsynced (it was riskd's only fsync while
        idle, one a second: round 16): a kill -9 of riskd loses nothing (the WAL is written
        before the commit returns); a power cut may lose the last ones, so the next riskd
        counts from an earlier one: more unguarded time, never less."""
        self._write("record riskd's alive time",
                    "INSERT OR REPLACE INTO alive (id, ns) VALUES (1, ?)", (ns,), synced=False)

    def stopped_cleanly(self, ns: int, how: str) -> None:
        """Every worker is stopped: riskd ends cleanly (how: what stopped it)."""
        self._write("record riskd's clean stop",
                    "INSERT OR REPLACE INTO clean_stop (id, ns, how) VALUES (1, ?, ?)", (ns, how))

    def clean_stop(self) -> Optional[str]:
        """How the previous riskd stopped cleanly; None: it did not (killed or crashed), or it
        is unknown. Kept until forget_clean_stop(): a start refused before it began (a port
        in use) must leave it for the next start (trial 15b)."""
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT how FROM clean_stop WHERE id = 1").fetchone()
        except sqlite3.Error as exc:
            log.error("cannot read how the previous riskd stopped from %s: %s", self.path, exc)
            return None
        return row[0] if row else None

    def forget_clean_stop(self) -> None:
        """This riskd runs: it must record its own clean stop."""
        self._write("forget the previous riskd's clean stop", "DELETE FROM clean_stop", ())

    def take_clean_stop(self) -> Optional[str]:
        """clean_stop(), then forget it."""
        how = self.clean_stop()
        self.forget_clean_stop()
        return how

    def refused(self, ns: int, why: str) -> None:
        """A start was refused before any worker started (a port in use)."""
        self._write("record a refused start",
                    "INSERT OR REPLACE INTO refused_start (id, ns, why) VALUES (1, ?, ?)",
                    (ns, why))

    def refused_start(self) -> Optional[tuple[int, str]]:
        """(when, why) of the last start refused since a riskd last ran; None: none."""
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT ns, why FROM refused_start WHERE id = 1").fetchone()
        except sqlite3.Error as exc:
            log.error("cannot read a refused start from %s: %s", self.path, exc)
            return None
        return (row[0], row[1]) if row else None

    def forget_refused_start(self) -> None:
        self._write("forget a refused start", "DELETE FROM refused_start", ())

    def prune(self, before_ns: int) -> None:
        self._write("prune protection gaps",
                    "DELETE FROM gaps WHERE end_ns IS NOT NULL AND end_ns < ?", (before_ns,))

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
