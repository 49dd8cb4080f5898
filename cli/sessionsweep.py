"""Remove riskctl's cached sessions that can never be valid again; never a valid one.

riskctl caches one session file per riskd (cli/session.py), and nothing removed the files of
riskds that were gone: a fresh-user trial found dozens in ~/.config/riskd, and the one of
an earlier riskd at the default address made the first `riskctl shutdown` of a fresh clone
say "your admin session expired at ..." (an hour before the clone existed).

A file of another riskd goes when it has expired or is damaged. One whose riskd is not
running (its sessions, kept in riskd's memory, are gone) stays until it runs out: riskctl of
that riskd, once it runs again, says "your admin session ... was ended by riskd's restart"
from it, whichever riskd's riskctl ran meanwhile. The file of the riskd riskctl is talking to is left alone here
while a riskd runs there: riskd's answer tells whether it issued it (cli/context.py), and an
expired session of the running riskd is kept so every later command can say when it expired.
"""
from __future__ import annotations

import glob
import os
import time
from typing import Optional

from cli import session as session_cache


def sweep(keep: Optional[str], now_ns: Optional[int] = None) -> list[str]:
    """Remove the session files that can never be valid again, except the file of the riskd at
    control address `keep` (None: keep none). Returns the paths removed. Never raises: a file that cannot be read or removed is
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
        if never_valid(path, now):
            try:
                os.unlink(path)
                removed.append(path)
            except OSError:
                pass
    return removed


def never_valid(path: str, now_ns: int) -> bool:
    """True when the session in this file can never be used again, nor said from: damaged or
    expired (a riskd not running now may start again: see the module's docstring)."""
    if not os.path.isfile(path):
        return False
    cached = session_cache.read_file(path)
    if cached is None:
        return True
    # an unexpired session of a riskd not running now stays until it runs out: that riskd may
    # start again at its address, and its first refusal then says the restart ended the
    # session. trial16c (1 of 3 restarts): while the user's riskd was stopped, a riskctl of
    # another riskd on the machine (same session folder) removed its file, and after `make
    # run` the next admin command said only "this command needs an admin session"
    return cached.expires_ns <= now_ns
