"""Open a worker's SQLite state file for reading by another process (riskctl while riskd is
stopped): read-only, no lock held against a riskd that starts meanwhile, no file created.

`mode=ro` alone is not enough: on a WAL file closed cleanly (no -wal beside it) SQLite
creates the -wal and -shm files and leaves them behind, owned by riskctl's user (a riskd run
as another user could then not open its own state). So a file with no -wal (everything is in
the file) is opened immutable: no lock taken, nothing created; one with a -wal (riskd was
killed, or its workers still run) is opened read-only, which in WAL mode never blocks a
writer and reads the commits still in the -wal (its -shm is there already). Fresh-user trial
14a: `riskctl history` while riskd is stopped reads risk's file (cli/storedhistory.py),
enforcement's journal (services/enforcement/journal.read_stored) and the supervisor's last
sign of life (cli/notrunning.last_alive) this one way.
"""
from __future__ import annotations

import os
import sqlite3
import urllib.parse


def open_stored(path: str, timeout: float = 1.0) -> sqlite3.Connection:
    """A read-only connection to an existing state file (raises sqlite3.Error, e.g. when it
    is missing: never created here). Close it as soon as it is read."""
    quoted = urllib.parse.quote(os.path.abspath(path))
    mode = "mode=ro" if os.path.exists(path + "-wal") else "mode=ro&immutable=1"
    return sqlite3.connect(f"file:{quoted}?{mode}", uri=True, timeout=timeout)
