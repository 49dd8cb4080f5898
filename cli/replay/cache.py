"""The replay's disk cache: what the broker said, kept per account and day, contract and day.

Layout under the cache root (default <data_dir>/replay/<broker>, one folder per broker login
so a sim's history never mixes with a real account's):
  accounts.json                               Account/search (names, current balances)
  accounts_at.json                            when it was asked (ns): the balances are as of then
  <account>/after/<day>-<ns>.json             Trade/search after a range's last day up to then
  contracts/<contract>.json                   Contract/searchById
  <account>/<trading day>/trades.json         Trade/search of that trading day
  <account>/<trading day>/orders.json         Order/search of that trading day
  bars/<unit>/<contract>/<trading day>.json   History/retrieveBars: the span fetched and its bars
Only trading days that have ended are kept (today's trades may still grow), and of those only
the ones with trades (orders): an empty day is asked again on every replay, as the broker (the
sim's `history`) can still write into it. `riskctl replay --refresh` asks again for every
day and rewrites what is kept. Files are JSON
in the one codec's field form (money as strings), written atomically (temp file + rename), so
a replay killed mid-way leaves whole files only and the next run resumes from them.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from typing import Any, Optional

from shared import codec
from shared.config.edit import atomic_write

_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def broker_slug(rest_url: str, user_name: str) -> str:
    """A folder name for one broker login (readable host, plus a hash of url and user)."""
    host = _SAFE.sub("_", rest_url.split("//", 1)[-1].split("/", 1)[0])
    digest = hashlib.sha256(f"{rest_url}\n{user_name}".encode()).hexdigest()[:10]
    return f"{host}-{digest}"


class Cache:
    def __init__(self, root: str):
        self.root = root

    # -- paths ---------------------------------------------------------------------------
    def _path(self, *parts: Any) -> str:
        return os.path.join(self.root, *(_SAFE.sub("_", str(p)) for p in parts))

    def day_path(self, account_id: int, day: dt.date, what: str) -> str:
        return self._path(str(account_id), day.isoformat(), f"{what}.json")

    def bars_path(self, unit: str, contract_id: str, day: dt.date) -> str:
        return self._path("bars", unit, contract_id, f"{day.isoformat()}.json")

    # -- raw JSON --------------------------------------------------------------------------
    def read(self, path: str) -> Optional[Any]:
        try:
            with open(path, encoding="utf-8") as fh:
                return json.load(fh)
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return None            # unreadable: fetched again and rewritten

    def write(self, path: str, value: Any) -> None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        atomic_write(path, json.dumps(value, separators=(",", ":")), mode=0o600)

    # -- typed -------------------------------------------------------------------------------
    def read_list(self, path: str, cls: type) -> Optional[list]:
        raw = self.read(path)
        if not isinstance(raw, list):
            return None
        try:
            return [codec.converter.structure(item, cls) for item in raw]
        except Exception:           # written by another version: fetch again
            return None

    def write_list(self, path: str, items: list) -> None:
        self.write(path, [codec.to_fields(i) for i in items])

    def read_bars(self, unit: str, contract_id: str, day: dt.date, bar_cls: type
                  ) -> Optional[tuple[int, int, list]]:
        raw = self.read(self.bars_path(unit, contract_id, day))
        if not isinstance(raw, dict):
            return None
        try:
            bars = [codec.converter.structure(b, bar_cls) for b in raw["bars"]]
            return int(raw["start_ns"]), int(raw["end_ns"]), bars
        except Exception:
            return None

    def write_bars(self, unit: str, contract_id: str, day: dt.date, start_ns: int, end_ns: int,
                   bars: list) -> None:
        self.write(self.bars_path(unit, contract_id, day),
                   {"start_ns": start_ns, "end_ns": end_ns,
                    "bars": [codec.to_fields(b) for b in bars]})
