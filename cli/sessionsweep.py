"""Remove riskctl's cached sessions that can never be valid again; never a valid one.

riskctl caches one session file per riskd (cli/session.py), and nothing removed the files of
riskds that were gone: a fresh-user trial found dozens in ~/.config/riskd, and the one of
an earlier riskd at the default address made the first `riskctl shutdown` of a fresh clone
say "your admin session expired at ..." (an hour before the clone existed).

A file of another riskd goes when it has expired, when it is damaged, or when nothing
listens at its control address any more (its riskd is not running, so its sessions, kept in
riskd's memory, are gone). The file of the riskd riskctl is talking to is left alone here
while a riskd runs there: riskd's answer tells whether it issued it (cli/context.py), and an
expired session of the running riskd is kept so every later command can say when it expired.
"""
from __future__ import annotations

import glob
import os
import time
from typing import Callable, Optional

from cli import session as session_cache


def sweep(keep: Optional[str], alive: Callable[[str], bool],
          now_ns: Optional[int] = None) -> list[str]:
    """Remove the session files that can never be valid again, except the file of the riskd at
    control address `keep` (None: keep none); alive(address) is False when no riskd listens
    there. Returns the paths removed. Never raises: a file that cannot be read or removed is
    left as it is."""
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
        if never_valid(path, alive, now):
            try:
                os.unlink(path)
                removed.append(path)
            except OSError:
                pass
    return removed


def never_valid(path: str, alive: Callable[[str], bool], now_ns: int) -> bool:
    """True when the session in this file can never be used again: damaged, expired, or its
    riskd is not running."""
    if not os.path.isfile(path):
        return False
    cached = session_cache.read_file(path)
    if cached is None:
        return True
    if cached.expires_ns <= now_ns:
        return True
    if not cached.control:
        return False             # a valid session of an unknown riskd: left to run out
    return not alive(cached.control)
