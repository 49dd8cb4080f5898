"""riskd's alive record (written every second) commits without an fsync of its own, and still
survives a kill -9; the protection gaps keep theirs (round 16, issue 21: the alive record's
fsync was an idle riskd's only one, once a second, and woke the supervisor's loop for it).

SQLite in WAL mode with synchronous=NORMAL writes the commit to the WAL before COMMIT returns
(a killed process loses nothing) and syncs it with the next FULL commit or checkpoint; FULL
syncs at every commit."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

from services.supervisor.guard import Gap
from services.supervisor.guardstore import GuardStore

S = 10**9


def statements(store: GuardStore) -> list[str]:
    seen: list[str] = []
    store.db.set_trace_callback(seen.append)
    return seen


def synchronous_at_each_write(seen: list[str]) -> list[tuple[str, str]]:
    """(the write's first words, the synchronous level in force when it ran) in order."""
    level, out = "FULL", []          # SQLite's default for a connection: FULL
    for sql in seen:
        if sql.upper().startswith("PRAGMA SYNCHRONOUS="):
            level = sql.split("=", 1)[1].strip().upper()
        elif sql.split()[0].upper() in ("INSERT", "DELETE", "UPDATE"):
            out.append((" ".join(sql.split()[:5]), level))
    return out


def test_the_alive_record_commits_unsynced_and_a_gap_synced(tmp_path):
    store = GuardStore(str(tmp_path))
    seen = statements(store)
    store.alive(5 * S)
    store.save(Gap(1 * S, None, ("risk down",)))
    store.alive(6 * S)
    store.save(Gap(1 * S, 7 * S, ("risk down",)))
    assert synchronous_at_each_write(seen) == [
        ("INSERT OR REPLACE INTO alive", "NORMAL"),
        ("INSERT OR REPLACE INTO gaps", "FULL"),
        ("INSERT OR REPLACE INTO alive", "NORMAL"),
        ("INSERT OR REPLACE INTO gaps", "FULL"),
    ]
    assert store.last_alive() == 6 * S
    store.close()


WRITE_AND_DIE = """
import os, signal, sys
from services.supervisor.guardstore import GuardStore
store = GuardStore(sys.argv[1])
store.alive(41 * 10**9)
store.alive(42 * 10**9)
kill = getattr(signal, "SIGKILL", None)     # where there is none (Windows): exit unclosed
if kill is not None:
    os.kill(os.getpid(), kill)
os._exit(9)
"""


def test_the_alive_record_survives_a_kill_9_of_riskd(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    done = subprocess.run([sys.executable, "-c", WRITE_AND_DIE, str(tmp_path)], cwd=root,
                          env={**os.environ, "PYTHONPATH": root}, timeout=60)
    assert done.returncode in (-getattr(signal, "SIGKILL", 0), 9), done
    store = GuardStore(str(tmp_path))
    assert store.last_alive() == 42 * S        # the next riskd counts from the last one
    store.close()
