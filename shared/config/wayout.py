"""What riskd's refusal to start on an invalid config says to do about it.

Fresh-user trial 15b: after a broken hand edit riskd refused to start and named the line, but
not the way back; the offline restore was the one path left and nothing pointed at it. words()
names both: fix the line(s), or put a backup back offline, and how to list the backups.
"""
from __future__ import annotations

import os
import re

from shared import localconfig
from shared.config.errors import ConfigError

_LINE = re.compile(r"\(line (\d+)")


def words(exc: ConfigError, path: str, riskctl: str = "riskctl") -> str:
    """'To start riskd: fix line 131 of FILE, or put a backup back: ...' (the lines cited by
    the problems; 'fix FILE' when none is)."""
    lines = sorted({int(n) for p in exc.problems if p.severity == "error"
                    for n in _LINE.findall(p.message)})
    full = os.path.abspath(path)
    where = (f"line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))} of {full}"
             if lines else full)
    default = os.environ.get("RISKD_CONFIG") or localconfig.LOCAL    # as riskctl reads it
    named = "" if full == os.path.abspath(default) \
        else f" --config {full}"         # riskctl finds any other file only when told
    return (f"To start riskd: fix {where}, or put back the config riskd last ran: "
            f"`{riskctl}{named} config restore last-run --offline` (or a backup: "
            f"`{riskctl}{named} config backups --offline` lists them; docs/operations.md, "
            f"Backups)")
