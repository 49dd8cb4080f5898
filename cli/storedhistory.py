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
    """Risk's state files for the number of shards riskd runs, those that exist: the
    configured number's, or those of the count riskd holds risk at while its state was kept
    for that one other count (cli/configfile.risk_shards; trial 16c: "risk stored none" with
    risk_shards set to 2 over risk.sqlite holding the day)."""
    data_dir = configfile.folders(config_path)[0]
    n = configfile.risk_shards(config_path)
    paths = [os.path.join(data_dir, shards.state_file(i, n)) for i in range(n)]
    return [p for p in paths if os.path.isfile(p)]


def kept_note(config_path: str) -> str:
    """Why the files read are not the configured count's, or why none were read though risk's
    state is there ('' when the configured count's files are the ones)."""
    data_dir = configfile.folders(config_path)[0]
    configured = configfile.configured_shards(config_path)
    kept = shards.counts_kept(data_dir)
    others = {c: f for c, f in kept.items() if c != configured}
    if not others:
        return ""
    held = shards.held(data_dir, configured)
    if held:
        return (f"kept for risk_shards = {held[0]}, as riskd runs risk while the config's "
                f"risk_shards = {configured} waits for the migration (docs/scaling.md, "
                f"'Changing the number of shards')")
    files = ", ".join(f"{', '.join(others[c])} (risk_shards = {c})" for c in sorted(others))
    return (f"not read, kept for another risk_shards than the config's {configured}: {files} "
            f"(docs/scaling.md, 'Changing the number of shards')")


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


def stored_broker_names(config_path: str) -> dict[int, str]:
    """account id -> the broker's name risk last saved with the account's rules in force
    (its state files, read-only; {} when none can be read): `riskctl history` with riskd
    stopped names an account the config does not name as the live screen does, "SIM-DEMO-3
    (id 1003)", not "1003" (trial17b)."""
    out: dict[int, str] = {}
    for path in state_files(config_path):
        try:
            db = open_stored(path)
            try:
                for aid, name in db.execute(
                        "SELECT account_id, name FROM rules_in_force ORDER BY day"):
                    if name:
                        out[int(aid)] = str(name)
            finally:
                db.close()
        except sqlite3.Error:
            continue        # a courtesy: the ids stay
    return out
