"""The sentences every screen shows about riskd's own health: a refused config, failing alerts.

Pure: status, workers and the watch screen all call health_notes() with what the supervisor
reported (ConfigHealth, notify's ChannelStates) and show the same words:
  etc/riskd.toml is invalid since 14:02 (line 78 col 8: ...); riskd runs the config loaded
  at 13:40
  notify degraded: telegram failing, 3 alerts queued; last error: 401 Unauthorized
"""
from __future__ import annotations

import datetime as dt
import os
import re
import time
from typing import Iterable, Optional

from shared import showtime
from shared.plural import plural

ERROR, WARNING = "error", "warning"


def shown_path(path: str) -> str:
    """The config path as the user would type it: relative when it is under the current folder."""
    try:
        rel = os.path.relpath(path)
    except ValueError:          # another drive (Windows)
        return path
    return rel if not rel.startswith("..") else path


def _problem(text: str) -> str:
    """The line first, as the TOML parser's "... at line 78 col 8" and a key's "... (line 78:
    account Demo 2 (1002), rule max_contracts limit)" (shared/config/where.py) both give it."""
    text = re.sub(r"^\(top level\): ", "", text)
    m = re.search(r"(.*?)\s*at (line \d+(?: col \d+)?)$", text)
    if m:
        return f"{m.group(2)}: {m.group(1)}"
    m = re.search(r"^(.*?) \((line \d+)(?:: (.*))?\)$", text)
    if m:
        return f"{m.group(2)}: {m.group(1)}" + (f" ({m.group(3)})" if m.group(3) else "")
    return text


def config_note(config, tz: dt.tzinfo, now_ns: Optional[int] = None) -> Optional[str]:
    if config is None or config.invalid_since_ns is None:
        return None
    now_ns = time.time_ns() if now_ns is None else now_ns
    since = showtime.start(config.invalid_since_ns, tz, now_ns)     # moments: cut
    loaded = showtime.start(config.loaded_ns, tz, now_ns)
    return (f"{shown_path(config.path)} is invalid since {since} "
            f"({_problem(config.problem)}); riskd runs the config loaded at {loaded} "
            f"(`riskctl config restore last-run` puts it back in the file)")


def failing_channels(channels: Iterable) -> list:
    return [c for c in channels or () if c.state == "failing"]


def notify_note(channels: Iterable) -> Optional[str]:
    failing = failing_channels(channels)
    if not failing:
        return None
    parts = [f"{c.name} failing, {plural(c.queued, 'alert')} queued"
             + (f"; last error: {c.last_error}" if c.last_error else "") for c in failing]
    return "notify degraded: " + " | ".join(parts)


def health_notes(config, channels, tz: dt.tzinfo,
                 now_ns: Optional[int] = None) -> list[tuple[str, str]]:
    """(sentence, level) for each health problem riskd reported (times in the display zone
    tz); [] when all is well."""
    out = []
    note = config_note(config, tz, now_ns)
    if note:
        out.append((note, ERROR))
    for warning in getattr(config, "warnings", None) or ():
        out.append((f"{shown_path(config.path)}: {warning}", WARNING))
    note = notify_note(channels)
    if note:
        out.append((note, WARNING))
    return out


