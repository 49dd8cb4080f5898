"""The supervisor's own SQLite file (<data_dir>/supervisor.db, WAL): opened in one place.

The protection-gap record (guardstore.py) and the failed-login limiter (loginstore.py) keep
their tables in it. Opening it can fail (a read-only or full disk, a data_dir that is a file):
that is logged, and the caller keeps its state in memory (`None`), never stops supervision.
"""
from __future__ import annotations

import logging
import os
import sqlite3
from typing import Optional

log = logging.getLogger(__name__)


def supervisor_db_path(data_dir: str) -> str:
    return os.path.join(data_dir, "supervisor.db")


def open_supervisor_db(data_dir: str, tables: list[str],
                       lost: str) -> Optional[sqlite3.Connection]:
    """supervisor.db with these CREATE TABLE IF NOT EXISTS statements run; None (logged with
    `lost`: what is then kept in memory only) when it cannot be opened."""
    path = supervisor_db_path(data_dir)
    try:
        os.makedirs(data_dir, exist_ok=True)
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        for sql in tables:
            db.execute(sql)
        return db
    except (sqlite3.Error, OSError) as exc:
        log.error("cannot open %s (%s): %s", path, exc, lost)
        return None
