"""A SQLite state file found damaged at start: the integrity check and the move aside.

Risk's store and enforcement's journal both run `PRAGMA integrity_check` on their file when
they start and move a corrupt one aside (with its -wal and -shm) before making a new one
(DESIGN.md, State). The two helpers live here so that enforcement does not import risk's store
and, with it, risk's modules (about 3 MB of memory in enforcement: issue 21).
"""
from __future__ import annotations

import os
import sqlite3
import time
from typing import Optional


def check_file(path: str) -> str:
    """'' when the file is absent or passes PRAGMA integrity_check, else what is wrong."""
    if not os.path.exists(path):
        return ""
    try:
        db = sqlite3.connect(path)
        try:
            rows = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return "" if rows == ["ok"] else "; ".join(rows[:5])


def move_aside(path: str, now_ns: Optional[int] = None) -> str:
    """Rename the file (and its -wal and -shm) to <path>.corrupt-<UTC stamp>[-n]; the new name."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime((now_ns or time.time_ns()) / 1e9))
    target = f"{path}.corrupt-{stamp}"
    n = 1
    while os.path.exists(target):
        n += 1
        target = f"{path}.corrupt-{stamp}-{n}"
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.replace(path + suffix, target + suffix)
    return target
