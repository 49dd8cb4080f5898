"""Owner-only files written atomically: the config snapshot the supervisor hands its workers
and the control key (shared/controlkey.py). A reader sees the old file or the whole new one,
never a part; the file is readable by riskd's user only (mode 0600 on POSIX; on Windows the
data dir's ACL)."""
from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)


def unlink_quietly(path: str) -> None:
    """Remove path; a missing file is fine, any other failure is logged."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.error("cannot remove %s: %s", path, exc)


def write_private(path: str, text: str, encoding: str = "utf-8") -> None:
    """Write text to path atomically, owner-only, synced to disk. Raises OSError (nothing is
    left behind then: neither the temporary file nor a part of path)."""
    tmp = path + ".tmp"
    try:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        unlink_quietly(tmp)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError:
        unlink_quietly(tmp)
        raise
