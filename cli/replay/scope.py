"""What a replay can and cannot show, said in its output (docs/replay.md, What a replay judges).

Two things a trader may read wrongly (trial17b) are said beside the range, in the text footer,
the HTML report's header and the JSON `range` object alike:
- the trading day still running, when the range holds it (`--to` today): it is replayed up to
  now only; its figures are partial, a position open now counts on the day it is closed, and
  it is not cached (the broker is asked again on the next replay);
- the config judged is the file as it is now: every day and moment of the range is judged by
  today's rules, also those before the file was last changed (or written at all), when riskd
  held other rules or none; what riskd actually did is `riskctl history`. The file's last
  change is its modification time as the replay read it (the replay reads the file once, at
  its start): a change made while it ran is not what it judged, and is said as such (trial19a
  section 5: an edit during the replay was named as the config judged).
"""
from __future__ import annotations

import datetime as dt
import os
import textwrap
from typing import Optional

import attrs

from shared import showtime


@attrs.frozen
class Scope:
    config_file: str                  # the config judged (its path)
    changed_ns: Optional[int]         # its last change (None: unknown)
    range_start_ns: int               # the first trading day asked: its start
    now_ns: int                       # when the replay ran
    running_day: Optional[dt.date] = None    # the trading day still running, when replayed
    edited_ns: Optional[int] = None   # the file changed again after the replay read it: then


def scope_of(config_path: str, calendar, days: list[dt.date], now_ns: int,
             read_ns: Optional[int]) -> Scope:
    """The scope of a replay of `days` under the config at config_path, run at now_ns;
    read_ns: the file's modification time when the replay read it (LoadedConfig.changed_ns),
    the one the footer names. The file as it is now, when changed since, is the edit it did
    not judge."""
    try:
        now_changed: Optional[int] = os.stat(config_path).st_mtime_ns
    except OSError:
        now_changed = None
    edited = now_changed if read_ns is not None and now_changed not in (None, read_ns) \
        else None
    today = calendar.trading_day(now_ns)
    return Scope(config_path, read_ns, calendar.start_of(days[0]) if days else now_ns, now_ns,
                 today if today in days and now_ns < calendar.end_of(today) else None,
                 edited)


def judged_before_change(scope: Scope) -> bool:
    """The config was last changed after the range started: earlier moments are judged by
    rules riskd did not hold then."""
    return scope.changed_ns is not None and scope.changed_ns > scope.range_start_ns


def scope_json(scope: Optional[Scope]) -> dict:
    """The JSON `range` object's part of it."""
    if scope is None:
        return {}
    return {"running_day": scope.running_day.isoformat() if scope.running_day else None,
            "replayed_until_ns": scope.now_ns if scope.running_day else None,
            "config": {"file": scope.config_file, "changed_ns": scope.changed_ns,
                       "judged_before_change": judged_before_change(scope),
                       **({"changed_again_ns": scope.edited_ns} if scope.edited_ns else {})}}


def scope_lines(scope: Optional[Scope], tz) -> list[str]:
    """The footer's lines (the HTML header's too)."""
    if scope is None:
        return []
    tz = tz or dt.timezone.utc
    name = os.path.basename(scope.config_file)
    out = []
    if scope.running_day is not None:
        out.append(f"{scope.running_day} is the trading day still running: replayed up to "
                   f"{showtime.at(scope.now_ns, tz, scope.now_ns, seconds=True)} only; its "
                   f"figures are partial (a position open now counts on the day it is "
                   f"closed) and it is asked of the broker again on every replay")
    read = "as it is now" if scope.edited_ns is None else "as the replay read it"
    if scope.changed_ns is None:
        out.append(f"rules judged: {name} {read}")
    elif judged_before_change(scope):
        when = showtime.at(scope.changed_ns, tz, scope.now_ns, seconds=True)
        out.append(f"rules judged: {name} {read} (last changed {when}); times before "
                   f"that are judged by it too, not by the rules riskd held then (or before "
                   f"riskd guarded the account at all): what riskd did is in `riskctl "
                   f"history`")
    else:
        when = showtime.at(scope.changed_ns, tz, scope.now_ns, seconds=True)
        out.append(f"rules judged: {name} {read} (last changed {when}, before the "
                   f"range): what riskd did is in `riskctl history`")
    if scope.edited_ns is not None:
        when = showtime.at(scope.edited_ns, tz, scope.now_ns, seconds=True)
        out.append(f"{name} was changed again at {when}, after the replay read it: that "
                   f"change is not judged here (replay again to judge it)")
    return out


def wrapped(lines: list[str], width: int = 80) -> list[str]:
    """Footer lines as the text output prints them: within `width` columns (docs/replay.md:
    the output fits an 80-column terminal), a long line's rest indented by two."""
    return [part for line in lines
            for part in (textwrap.wrap(line, width, subsequent_indent="  ",
                                       break_on_hyphens=False) or [""])]
