"""What riskctl needs from the config file, read leniently: a broken file must not blind riskctl.

riskd keeps running on its last good config when the file on disk is invalid (a TOML error,
a typo), and that is exactly when the read commands are needed. They need only a few
values: the control address ([bus].control), the data and log folders ([paths]), the
trading-day table and the display zone. tables() parses the file; when it is not valid TOML it keeps every line
that parses on its own (`key = value` under its [table] header) and skips the rest, so
`riskctl status`, `workers`, `ping`, `logs` and `audit` keep working; the screens then say
the file is invalid (the supervisor reports it).
"""
from __future__ import annotations

import copy
import os
import re
import tomllib
from typing import Any

from shared import shards, showtime
from shared.config.sections import BusConfig, PathsConfig

_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")


# the last text parsed per file and its data: one riskctl command reads the file up to five
# times (control address, folders, shards, workers, zone), and parsing it was most of
# riskctl's own CPU once imported (trial 16b: `riskctl status` with riskd stopped took 3.5 s on
# a loaded 2-core machine, its README promise 3 s; nothing in it waits, it is CPU). The file
# is read each time: an edit in between is parsed afresh.
_PARSED: dict[str, tuple[str, dict]] = {}


def tables(config_path: str) -> dict[str, Any]:
    """The config as plain data, as much of it as can be read (OSError if unreadable)."""
    with open(config_path, encoding="utf-8") as fh:
        text = fh.read()
    key = os.path.abspath(config_path)
    kept = _PARSED.get(key)
    if kept is None or kept[0] != text:
        try:      # as riskd reads it (shared/config/load.parse_toml): tomllib, tomlkit only
            data = tomllib.loads(text)      # for what tomllib refuses (and tomlkit's import)
        except tomllib.TOMLDecodeError:
            import tomlkit    # noqa: PLC0415 -- only for a file tomllib refuses
            try:
                data = tomlkit.parse(text).unwrap()
            except Exception:  # noqa: BLE001 -- not valid TOML: read it line by line
                data = salvage(text)
        _PARSED[key] = kept = (text, data)
    return copy.deepcopy(kept[1])        # callers may change theirs


def salvage(text: str) -> dict[str, Any]:
    """Every `key = value` line that parses on its own, under its simple [table] header."""
    import tomlkit    # noqa: PLC0415 -- a broken file only
    out: dict[str, Any] = {}
    table: dict[str, Any] = out
    for line in text.splitlines():
        header = _HEADER.match(line)
        if header:
            table = out
            for part in header.group(1).split("."):
                part = part.strip().strip('"')
                nxt = table.get(part)
                if not isinstance(nxt, dict):
                    nxt = table[part] = {}
                table = nxt
            continue
        if "=" not in line or line.lstrip().startswith(("#", "[")):
            continue
        try:
            table.update(tomlkit.parse(line).unwrap())
        except Exception:  # noqa: BLE001 -- the broken line itself
            continue
    return out


def control_address(data: dict[str, Any]) -> Any:
    bus = data.get("bus") if isinstance(data.get("bus"), dict) else {}
    return bus.get("control", BusConfig().control)


def folders(config_path: str) -> tuple[str, str]:
    """(data_dir, log_dir) as riskd resolves them, from whatever of [paths] can be read."""
    try:
        data = tables(config_path)
    except OSError:
        data = {}
    paths = data.get("paths") if isinstance(data.get("paths"), dict) else {}
    base = os.path.dirname(os.path.abspath(config_path))
    data_dir = paths.get("data_dir") or PathsConfig().data_dir
    data_dir = os.path.normpath(os.path.join(base, str(data_dir)))
    log_dir = paths.get("log_dir")
    log_dir = (os.path.normpath(os.path.join(base, str(log_dir))) if log_dir
               else os.path.join(data_dir, "logs"))
    return data_dir, log_dir


def configured_shards(config_path: str) -> int:
    """[supervisor] risk_shards as the file says it (1 when the file does not say, or says
    something riskd would refuse)."""
    try:
        data = tables(config_path)
    except OSError:
        data = {}
    sup = data.get("supervisor") if isinstance(data.get("supervisor"), dict) else {}
    count = sup.get("risk_shards", 1)
    valid = isinstance(count, int) and not isinstance(count, bool)
    return count if valid and 1 <= count <= shards.MAX_SHARDS else 1


def risk_shards(config_path: str) -> int:
    """The number of risk shards riskd runs: the file's, or the count risk's state in the data
    folder was kept for when it holds state for that one other count only (shared/shards.held,
    services/supervisor/shardhold.py)."""
    count = configured_shards(config_path)
    kept = shards.held(folders(config_path)[0], count)
    return kept[0] if kept else count


def display_zone(config_path: str):
    """The zone riskctl shows times in ([notify] timezone, else [trading_day] timezone; see
    shared/showtime.py), from whatever of the file can be read."""
    try:
        data = tables(config_path)
    except OSError:
        data = {}
    return showtime.zone_of_tables(data if isinstance(data, dict) else {})
