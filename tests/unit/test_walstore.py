"""The stores on the breach path never checkpoint inside a commit; the checkpointer does."""
from __future__ import annotations

import os
import sqlite3

import pytest

from services.enforcement.journal import Journal
from services.risk.store import Store
from services.simbroker.store import SimStore
from shared.walstore import CHECKPOINTER, Checkpointer, close_wal, open_wal

pytestmark = pytest.mark.timeout(30)
PAGE = 4096


def _fill(conn: sqlite3.Connection, pages: int) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body BLOB)")
    for _ in range(pages):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (body) VALUES (?)", (os.urandom(PAGE),))
        conn.execute("COMMIT")


def test_commits_past_the_automatic_checkpoint_size_leave_the_database_file_alone(tmp_path):
    # SQLite's automatic checkpoint would copy the WAL into the file inside the commit that
    # crosses 1,000 pages (a few ms on one breach): here the file stays as it was
    path = str(tmp_path / "a.sqlite3")
    mine = Checkpointer(every=3600)          # its own: the process's thread runs every second
    conn = open_wal(path, checkpointer=mine)
    try:
        _fill(conn, 1500)
        assert os.path.getsize(path) < 100 * PAGE
        assert os.path.getsize(path + "-wal") > 1500 * PAGE
        mine.run_once()
        assert os.path.getsize(path) > 1500 * PAGE           # the checkpointer copied it
        assert [r[0] for r in conn.execute("SELECT count(*) FROM t")] == [1500]
    finally:
        close_wal(path, conn, checkpointer=mine)


def test_every_store_on_the_breach_path_is_checkpointed_outside_its_commits(tmp_path):
    stores = [Store(str(tmp_path / "risk.sqlite3")), SimStore(str(tmp_path / "sim")),
              Journal(str(tmp_path / "journal.sqlite3"))]
    try:
        for conn in (stores[0].db, stores[1].db, stores[2]._conn):
            assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        for s in stores:
            s.close()


def test_a_file_removed_while_registered_is_not_created_again(tmp_path):
    path = str(tmp_path / "gone.sqlite3")
    checkpointer = Checkpointer(every=3600)
    conn = open_wal(path, checkpointer=checkpointer)
    try:
        conn.close()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        checkpointer.run_once()                  # no error out of it, and no new file
        assert not os.path.exists(path)
    finally:
        checkpointer.remove(path)


def test_a_store_closed_twice_over_one_path_keeps_the_other_checkpointed(tmp_path):
    path = str(tmp_path / "two.sqlite3")
    first, second = open_wal(path), open_wal(path)
    close_wal(path, first)
    try:
        _fill(second, 10)
        before = CHECKPOINTER.checkpoints
        CHECKPOINTER.run_once()
        assert CHECKPOINTER.checkpoints > before
    finally:
        close_wal(path, second)
