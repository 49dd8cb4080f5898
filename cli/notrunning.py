"""What riskctl says when nothing listens on riskd's control socket: riskd is not running, or
only its supervisor is gone and its workers still run (killed hard: kill -9, a crash).

A supervisor killed hard leaves its workers running on Linux and macOS (each runs in its own
process group; on Windows the job object ends them with it). They keep guarding the accounts,
but nothing restarts one that stops and no riskctl command reaches them. The workers are found
by their pid files (<data_dir>/run, services/supervisor/pidfiles.py), each pid proven to still
be the process riskd started, never guessed. docs/operations.md (When riskd's supervisor is
killed) says what to do.
"""
from __future__ import annotations

import os

from cli import configfile


def workers_left(config_path: str) -> list[tuple[str, list[int]]]:
    """(name, pids) of the workers a killed supervisor left running ([] when none)."""
    from services.supervisor.children import running_leftovers
    data_dir = configfile.folders(config_path)[0]
    try:
        return running_leftovers(os.path.join(data_dir, "run"))
    except OSError:
        return []


def not_running_text(address: str, left: list[tuple[str, list[int]]]) -> str:
    """The sentence riskctl ends with when nothing listens on `address`."""
    if not left:
        return f"riskd is not running: nothing listens on its control socket {address}"
    running = ", ".join(f"{name} (pid {', '.join(map(str, pids))})" for name, pids in left)
    return (f"riskd's supervisor is not running (nothing listens on its control socket "
            f"{address}), but its workers still run without it: {running}. They keep guarding "
            f"the accounts, but nothing restarts one that stops and riskctl cannot reach them: "
            f"start riskd again (it ends them and starts a fresh set; docs/operations.md, When "
            f"riskd's supervisor is killed)")
