"""`riskctl history` while no riskd answers: risk's stored history, read directly.

Fresh-user trial 13b: after `riskctl shutdown` the history could not be read ("riskd is not
running") while `riskctl audit` and `riskctl logs` read riskd's files. Risk keeps its history
in its state file in the data folder (risk.sqlite, or one file per shard: risk-0-of-2.sqlite
...); found as audit and logs find their files (cli/configfile.folders, the config read
leniently), opened read-only, read with risk's own query (shared/historytable.py) and, with
shards, merged as the supervisor merges their answers. Nothing is written; riskd need not run.
"""
from __future__ import annotations

import os
import sqlite3
from typing import Optional

from cli import configfile
from cli.accountnames import file_called, file_ids
from cli.errors import CliError
from services.supervisor.riskshards import merged_history
from shared import shards
from shared.historytable import read_history
from shared.messages.risk import HistoryReply


def state_files(config_path: str) -> list[str]:
    """Risk's state files for the configured number of shards, those that exist."""
    data_dir = configfile.folders(config_path)[0]
    try:
        sup = configfile.tables(config_path).get("supervisor")
    except OSError:
        sup = None
    n = sup.get("risk_shards", 1) if isinstance(sup, dict) else 1
    n = n if isinstance(n, int) and 1 <= n <= shards.MAX_SHARDS else 1
    paths = [os.path.join(data_dir, shards.state_file(i, n)) for i in range(n)]
    return [p for p in paths if os.path.isfile(p)]


def account_id(config_path: str, ref: str) -> Optional[int]:
    """The id --account names (its id, name or display name in the config file; any id as
    typed); None for every account. Another name is refused, naming the accounts with ids."""
    ref = (ref or "").strip()
    if not ref:
        return None
    ids = file_ids(config_path)
    found = ids.get(ref, next((i for name, i in ids.items() if name.lower() == ref.lower()),
                              None))
    if found is None and ref.isdigit():
        return int(ref)
    if found is None:
        name = file_called(config_path)
        known = sorted({name(str(i)) for i in ids.values()})
        raise CliError(f"no account is named {ref!r} in the config file; give an id, name or "
                       f"display name" + (f" of: {', '.join(known)}" if known else ""))
    return found


def stored_history(config_path: str, account: str, since_ns: Optional[int],
                   limit: int) -> tuple[HistoryReply, list[str]]:
    """(the history risk stored, the files it came from: [] when risk never ran here)."""
    wanted = account_id(config_path, account)
    files = state_files(config_path)
    bodies = []
    for path in files:
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1.0)
            try:
                bodies.append(read_history(db, wanted, since_ns, limit))
            finally:
                db.close()
        except sqlite3.Error as exc:
            raise CliError(f"cannot read risk's stored history in {path}: {exc}") from None
    return merged_history(bodies, limit) if bodies else HistoryReply(), files
