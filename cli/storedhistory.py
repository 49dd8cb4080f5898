"""`riskctl history` while no riskd answers: risk's stored history, read directly.

Fresh-user trial 13b: after `riskctl shutdown` the history could not be read ("riskd is not
running") while `riskctl audit` and `riskctl logs` read riskd's files. Risk keeps its history
in its state file in the data folder (risk.sqlite, or one file per shard: risk-0-of-2.sqlite
...); found as audit and logs find their files (cli/configfile.folders, the config read
leniently), --account read as logs reads it (cli/accountnames.account_wanted), the files
opened read-only (shared/storedread.py: no lock held, no -wal/-shm left behind), read with
risk's own query (shared/historytable.py) and, with shards, merged as the supervisor merges
their answers. Nothing is written; riskd need not run.
"""
from __future__ import annotations

import os
import sqlite3
from typing import Optional

from cli import configfile
from cli.accountnames import account_wanted
from cli.errors import CliError
from services.supervisor.riskshards import merged_history
from shared import shards
from shared.historytable import read_history
from shared.storedread import open_stored
from shared.messages.risk import HistoryReply


def state_files(config_path: str) -> list[str]:
    """Risk's state files for the configured number of shards, those that exist."""
    data_dir = configfile.folders(config_path)[0]
    n = configfile.risk_shards(config_path)
    paths = [os.path.join(data_dir, shards.state_file(i, n)) for i in range(n)]
    return [p for p in paths if os.path.isfile(p)]


def stored_history(ctx, account: str, since_ns: Optional[int],
                   limit: int) -> tuple[HistoryReply, list[str]]:
    """(the history risk stored, the files it came from: [] when risk never ran here).
    --account is read as `riskctl logs` reads it (cli/accountnames.account_wanted)."""
    wanted = account_wanted(ctx, account)
    wanted = int(wanted) if wanted is not None else None
    files = state_files(ctx.config_path)
    bodies = []
    for path in files:
        try:
            db = open_stored(path)      # read-only, no lock held, no -wal/-shm left behind
            try:
                bodies.append(read_history(db, wanted, since_ns, limit))
            finally:
                db.close()
        except sqlite3.Error as exc:
            raise CliError(f"cannot read risk's stored history in {path}: {exc}") from None
    return merged_history(bodies, limit) if bodies else HistoryReply(), files
