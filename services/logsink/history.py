"""The stored log history: the last N records of system.log and its rotated files, filtered.

One reader for both riskctl logs (when it may read the files) and the logging
worker (which answers LogHistoryRequest for users who may not: on Windows the
log folder is for administrators only, see docs/windows.md).
"""
from __future__ import annotations

import json
import logging
import os
import re
from typing import Iterable, Iterator, Optional

import attrs

from shared import shards
from shared.messages.logs import iso_utc

SLACK_NS = 5 * 10**9      # records reach the file up to this much out of time order


@attrs.frozen
class Filter:
    level: Optional[str] = None
    process: Optional[str] = None
    account: Optional[str] = None
    grep: Optional[str] = None
    since: Optional[str] = None      # records from then on (a "time" as stored: iso_utc)

    def matches(self, rec: dict, raw: str | None = None) -> bool:
        if self.since and str(rec.get("time", "")) < self.since:
            return False
        if self.level and logging.getLevelName(str(rec.get("level", ""))) \
                < logging.getLevelName(self.level):
            return False
        if self.process and self.process not in (rec.get("process"),
                                                  shards.base_name(str(rec.get("process")))):
            return False          # "risk" is every risk shard's; "risk-1" only that one
        if self.account and self.account not in record_accounts(rec):
            return False
        if self.grep:
            text = raw if raw is not None else json.dumps(rec, ensure_ascii=False)
            if self.grep.lower() not in text.lower():
                return False
        return True


def record_accounts(rec: dict) -> set[str]:
    """Every account a record is about, as text: its "account", "account_id" and
    "account_name", and each id of "accounts" ("1001,1002": an alert about several accounts,
    services/notify/alertlog.py)."""
    found = {str(rec.get(k)) for k in ("account", "account_id", "account_name") if k in rec}
    if "accounts" in rec:
        found.update(a.strip() for a in str(rec["accounts"]).split(","))
    return found


def log_files(log_dir: str, name: str = "system.log") -> list[str]:
    """Newest first: system.log, system.log.1, system.log.2 ... (every number present: a
    rotation that failed half way may leave a gap, files.py)."""
    try:
        entries = os.listdir(log_dir)
    except FileNotFoundError:
        return []
    pattern = re.compile(re.escape(name) + r"\.(\d+)$")
    rotated = sorted((int(m.group(1)), e) for e in entries if (m := pattern.match(e)))
    return ([os.path.join(log_dir, name)] if name in entries else []) + \
        [os.path.join(log_dir, e) for _, e in rotated]


def _reversed_lines(paths: Iterable[str]) -> Iterator[str]:
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
        yield from reversed(lines)


MAX_LINES = 10_000       # per request to the logging worker: the reply stays one small frame


def history_lines(log_dir: str, flt: Filter, n: int) -> list[str]:
    """The last n matching records as stored (JSON lines), oldest first. Raises OSError
    (PermissionError on a log folder for administrators only) when the files cannot be read."""
    found: list[str] = []
    if n <= 0:
        return found
    # records of several processes reach the file a little out of order: the reading stops
    # only at a record SLACK_S older than --since
    earlier = _earlier(flt.since, SLACK_NS) if flt.since else ""
    for raw in _reversed_lines(log_files(log_dir)):
        if not raw.strip():
            continue
        try:
            rec = json.loads(raw)
        except ValueError:
            continue
        if isinstance(rec, dict) and flt.matches(rec, raw):
            found.append(raw)
            if len(found) >= n:
                break
        elif isinstance(rec, dict) and flt.since and str(rec.get("time", "")) < earlier:
            break                     # read newest first: all that follows is older still
    return list(reversed(found))


def history(log_dir: str, flt: Filter, n: int) -> list[dict]:
    """The last n matching records, oldest first."""
    return [json.loads(raw) for raw in history_lines(log_dir, flt, n)]


def _earlier(stamp: str, ns: int) -> str:
    """A stored "time" (iso_utc) moved `ns` earlier, in the same form ('' when unreadable:
    then nothing stops the reading early)."""
    import datetime as dt
    try:
        when = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=dt.timezone.utc)
    except ValueError:
        return ""
    return iso_utc(max(0, int(when.timestamp()) * 10**9 + when.microsecond * 1000 - ns))
