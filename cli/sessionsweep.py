"""Remove riskctl's cached sessions no message can use any more; never one that still speaks.

riskctl caches one session file per riskd (cli/session.py), and nothing removed the files of
riskds that were gone: a fresh-user trial found dozens in ~/.config/riskd.

A file stays while it can still say something true to its riskd's user: a valid session,
a session of a riskd that is stopped or restarting (the next riskd at that address says its
restart ended the session: docs/operations.md), and an expired one (every command of that
riskd says when it expired). Several riskd run on one machine under one OS user (trial16a
finding 3: a riskctl of another riskd removed the file of a riskd stopped for a restart
because nothing listened at its address, 6 s after Ctrl-C, and the restarted riskd could only
say "this command needs an admin session"): so the file of another riskd goes only when it
is damaged, or when its session ran out more than KEPT_AFTER_EXPIRY ago. The file of the
riskd riskctl is talking to is never removed here: riskd's answer tells whether it issued
it (cli/context.py).
"""
from __future__ import annotations

import glob
import os
import time
from typing import Optional

from cli import session as session_cache

KEPT_AFTER_EXPIRY_NS = 24 * 3600 * 10**9     # a day: a user back the next day still reads
                                             # "expired at" / "ended by riskd's restart"


def sweep(keep: Optional[str], now_ns: Optional[int] = None) -> list[str]:
    """Remove the session files no message can use any more, except the file of the riskd at
    control address `keep` (None: keep none). Returns the paths removed. Never raises: a file
    that cannot be read or removed is left as it is."""
    now = time.time_ns() if now_ns is None else now_ns
    try:
        mine = None if keep is None else os.path.abspath(session_cache.session_path(keep))
        paths = glob.glob(os.path.join(glob.escape(session_cache.session_dir()),
                                       "session-*.json"))
    except OSError:
        return []
    removed = []
    for path in paths:
        if os.path.abspath(path) == mine:
            continue
        if spent(path, now):
            try:
                os.unlink(path)
                removed.append(path)
            except OSError:
                pass
    return removed


def spent(path: str, now_ns: int) -> bool:
    """True when no message can use this file any more: damaged, or its session ran out more
    than KEPT_AFTER_EXPIRY_NS ago. Whether its riskd runs does not count: a riskd that is
    not running now may be restarting."""
    if not os.path.isfile(path):
        return False
    cached = session_cache.read_file(path)
    if cached is None:
        return True
    return cached.expires_ns + KEPT_AFTER_EXPIRY_NS <= now_ns
