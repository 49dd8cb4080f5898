"""The sentences every screen shows about riskd's own health: a refused config, failing alerts.

Pure: status, workers and the watch screen all call health_notes() with what the supervisor
reported (ConfigHealth, notify's ChannelStates) and show the same words:
  etc/riskd.toml is invalid since 14:02 (line 78 col 8: ...); riskd runs the config loaded
  at 13:40
  notify degraded: telegram failing, 3 alert(s) queued; last error: 401 Unauthorized
"""
from __future__ import annotations

import datetime as dt
import os
import re
from typing import Iterable, Optional

from shared.clock import from_ns

ERROR, WARNING = "error", "warning"


def shown_path(path: str) -> str:
    """The config path as the user would type it: relative when it is under the current folder."""
    try:
        rel = os.path.relpath(path)
    except ValueError:          # another drive (Windows)
        return path
    return rel if not rel.startswith("..") else path


def _problem(text: str) -> str:
    text = re.sub(r"^\(top level\): ", "", text)
    m = re.search(r"(.*?)\s*at (line \d+(?: col \d+)?)$", text)
    return f"{m.group(2)}: {m.group(1)}" if m else text


def config_note(config, tz: dt.tzinfo) -> Optional[str]:
    if config is None or config.invalid_since_ns is None:
        return None
    since = from_ns(config.invalid_since_ns, tz)
    loaded = from_ns(config.loaded_ns, tz)
    return (f"{shown_path(config.path)} is invalid since {since:%H:%M} "
            f"({_problem(config.problem)}); riskd runs the config loaded at {loaded:%H:%M}")


def failing_channels(channels: Iterable) -> list:
    return [c for c in channels or () if c.state == "failing"]


def notify_note(channels: Iterable) -> Optional[str]:
    failing = failing_channels(channels)
    if not failing:
        return None
    parts = [f"{c.name} failing, {c.queued} alert(s) queued"
             + (f"; last error: {c.last_error}" if c.last_error else "") for c in failing]
    return "notify degraded: " + " | ".join(parts)


def health_notes(config, channels, tz: dt.tzinfo) -> list[tuple[str, str]]:
    """(sentence, level) for each health problem riskd reported; [] when all is well."""
    out = []
    note = config_note(config, tz)
    if note:
        out.append((note, ERROR))
    note = notify_note(channels)
    if note:
        out.append((note, WARNING))
    return out


def local_tz() -> dt.tzinfo:
    return dt.datetime.now(dt.timezone.utc).astimezone().tzinfo
