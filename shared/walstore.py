"""SQLite in WAL mode for the workers' durable state, with checkpoints off the hot path.

Every store on the breach-to-close path (risk's state, enforcement's journal, the sim
broker's records) commits in WAL mode with synchronous=NORMAL: each commit is in the WAL file
before COMMIT returns, so it survives a kill -9 of the process (a power cut may lose the last
few, which the designs of those stores tolerate; their module docstrings say how).

SQLite's automatic checkpoint runs INSIDE the commit that crosses 1,000 WAL pages: it copies
the WAL into the database file and fsyncs it, a few milliseconds that then land on one
breach (the p99 of make bench). open_wal() switches the automatic checkpoint off and
registers the file with one checkpointer thread per process, which runs a PASSIVE checkpoint
on its own connection every CHECKPOINT_EVERY seconds. PASSIVE never blocks the writer and
never waits for it; a checkpoint changes where committed pages live, never whether they are
committed, so no guarantee of the stores changes. The WAL is read back the same way after a
kill -9 whether or not a checkpoint ran.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import urllib.parse
from typing import Optional

log = logging.getLogger(__name__)

CHECKPOINT_EVERY = 1.0           # seconds between checkpoints of each registered file


def open_wal(path: str, schema: str = "", *, timeout: float = 5.0, row_factory=None,
             checkpointer: Optional["Checkpointer"] = None) -> sqlite3.Connection:
    """A connection in autocommit mode (the callers BEGIN themselves), WAL, synchronous=NORMAL,
    with `schema` applied, checkpointed by the process's checkpointer instead of inside a
    commit (the process's, or `checkpointer`). Closed again when any step fails; close it with
    close_wal()."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=timeout)
    try:
        if row_factory is not None:
            conn.row_factory = row_factory
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA wal_autocheckpoint=0")
        if schema:
            conn.executescript(schema)
    except BaseException:
        conn.close()
        raise
    (checkpointer or CHECKPOINTER).add(path)
    return conn


def close_wal(path: str, conn: sqlite3.Connection,
              checkpointer: Optional["Checkpointer"] = None) -> None:
    """Stop checkpointing `path`, then close the store's connection (SQLite checkpoints the
    WAL itself on the last close)."""
    (checkpointer or CHECKPOINTER).remove(path)
    conn.close()


class Checkpointer:
    """One daemon thread per process; each registered file gets its own connection, used only
    by this thread."""

    def __init__(self, every: float = CHECKPOINT_EVERY):
        self.every = every
        self._lock = threading.Lock()
        self._paths: dict[str, int] = {}         # path -> how many open stores use it
        self._conns: dict[str, sqlite3.Connection] = {}
        self._thread: Optional[threading.Thread] = None
        self._wake = threading.Event()
        self.checkpoints = 0                     # how many ran (tests read it)

    def add(self, path: str) -> None:
        with self._lock:
            self._paths[path] = self._paths.get(path, 0) + 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="wal-checkpoint",
                                                daemon=True)
                self._thread.start()

    def remove(self, path: str) -> None:
        with self._lock:
            left = self._paths.get(path, 0) - 1
            if left > 0:
                self._paths[path] = left
                return
            self._paths.pop(path, None)
            conn = self._conns.pop(path, None)
        if conn is not None:
            try:
                conn.close()
            except sqlite3.Error:
                pass

    def run_once(self) -> None:
        with self._lock:
            paths = list(self._paths)
        for path in paths:
            with self._lock:                     # not while remove() closes it
                if path not in self._paths:
                    continue
                try:
                    conn = self._conns.get(path)
                    if conn is None:
                        # mode=rw: a file removed meanwhile is not created again
                        conn = sqlite3.connect(f"file:{urllib.parse.quote(path)}?mode=rw",
                                               uri=True, isolation_level=None,
                                               check_same_thread=False, timeout=0.1)
                        self._conns[path] = conn
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.checkpoints += 1
                except sqlite3.Error as exc:     # busy, moved aside, closed: next time
                    log.debug("checkpoint of %s skipped: %s", path, exc)
                    bad = self._conns.pop(path, None)
                    if bad is not None:
                        bad.close()

    def _run(self) -> None:
        while True:
            self._wake.wait(self.every)
            self._wake.clear()
            try:
                self.run_once()
            except Exception:                    # never let the thread die silently
                log.exception("WAL checkpoint failed")


CHECKPOINTER = Checkpointer()
