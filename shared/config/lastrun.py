"""The config riskd last ran: a copy riskd keeps of the text it last loaded, for `config
restore last-run`.

Fresh-user trial 15c: after `config set broker.api_key` and a hand edit that broke the file,
the newest backup (the one saved at the time riskd said it loaded its config) was the file
*before* that edit: restoring it dropped the key, and the answer said only "(the whole file)".
A backup is the file before an edit; what a user fixing a broken hand edit wants is the
config riskd ran. So riskd writes the text it loads, at its start and at every good reload,
to <backup dir>/<stem>-last-run.toml (owner-only: it holds what the file holds, secrets too;
kept when riskd stops, unlike run/config-last-good.toml, so `--offline` finds it).
`config backups` lists it first (STAMP last-run), `config restore last-run` puts it back, and
a restore over a file that does not read says what it changes against this copy, by key.
It stays the text riskd ran: an offline edit never writes it (what an audited offline edit
put on record for the next start's comparison is shared/accessprint.py's).
"""
from __future__ import annotations

import os
from typing import Optional

import attrs

from shared.privatefile import write_private

STAMP = "last-run"
RUNS_NOW = "the config riskd runs now"        # listed by the running riskd
RAN_LAST = "the config riskd last ran"        # listed with riskd stopped (--offline)


@attrs.frozen
class LastRun:
    path: str
    size: int
    saved_ns: int        # when riskd loaded it (the copy's mtime)


def path_of(config_path: str, backup_dir: str) -> str:
    stem = os.path.splitext(os.path.basename(config_path))[0]
    return os.path.join(backup_dir, f"{stem}-{STAMP}.toml")


def write(config_path: str, backup_dir: str, text: str) -> Optional[str]:
    """Keep text as the config riskd runs; its path, or None when it could not be written (the
    backups then lack it; riskd runs on)."""
    path = path_of(config_path, backup_dir)
    try:
        os.makedirs(backup_dir, mode=0o700, exist_ok=True)
        try:
            with open(path, encoding="utf-8", newline="") as fh:
                if fh.read() == text:
                    os.utime(path)           # loaded again now: the same text
                    return path
        except FileNotFoundError:
            pass
        write_private(path, text)
        return path
    except OSError:
        return None


def find(config_path: str, backup_dir: str) -> Optional[LastRun]:
    path = path_of(config_path, backup_dir)
    try:
        st = os.stat(path)
    except OSError:
        return None
    return LastRun(path=path, size=st.st_size, saved_ns=st.st_mtime_ns)


def read(config_path: str, backup_dir: str) -> Optional[str]:
    try:
        with open(path_of(config_path, backup_dir), encoding="utf-8", newline="") as fh:
            return fh.read()
    except OSError:
        return None


def listing(config_path: str, folder: str, last_run_is: str) -> list:
    """`config backups`' rows (BackupInfo): last-run first (last_run_is: what it is, as who
    lists it can tell: RUNS_NOW or RAN_LAST), then every backup, newest first, with its note."""
    from shared.config.edit import list_backups
    from shared.messages.config import BackupInfo
    ran = find(config_path, folder)
    first = [BackupInfo(stamp=STAMP, size=ran.size, note=last_run_is, saved_ns=ran.saved_ns)
             ] if ran is not None else []
    return first + [BackupInfo(stamp=b.stamp, size=b.size, note=b.note)
                    for b in list_backups(config_path, folder)]
