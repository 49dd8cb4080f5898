"""The last good config, for the workers the supervisor (re)starts: one owner-only file.

riskd validates its config at start and at every reload; the text that validated is
written to <data_dir>/run/config-last-good.toml (mode 0600: it may hold secrets) and every
worker is started with `--config-snapshot` naming it (shared/worker.py reads it as if it
were the config file). So a worker that crashes while the file on disk is broken comes back
on the config riskd runs, instead of refusing to start (exit 78) and leaving the accounts
unguarded. A write that fails (disk full) removes the old snapshot too: workers then read
the file itself, never a config older than riskd's. riskd removes it when it stops.
"""
from __future__ import annotations

import logging
import os
from typing import Optional

from shared.privatefile import unlink_quietly, write_private

log = logging.getLogger(__name__)

NAME = "config-last-good.toml"


_unlink = unlink_quietly


def write(folder: str, text: str) -> Optional[str]:
    """Write the snapshot atomically (owner-only); its path, or None when it could not be."""
    path = os.path.join(folder, NAME)
    try:
        write_private(path, text)
        return path
    except OSError as exc:
        log.error("cannot write the config snapshot %s (%s): workers that restart read the "
                  "config file itself until the next good reload", path, exc)
        _unlink(path)
        return None


def remove(folder: str) -> None:
    _unlink(os.path.join(folder, NAME))
